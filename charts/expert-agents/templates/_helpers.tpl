{{/* Chart name, possibly overridden. */}}
{{- define "expert-agents.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Resource name prefix: <release>-<chart>, or just the release name when it already contains the chart name. */}}
{{- define "expert-agents.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "expert-agents.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Selector labels of the whole release. */}}
{{- define "expert-agents.selectorLabels" -}}
app.kubernetes.io/name: {{ include "expert-agents.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Recommended labels on every resource. */}}
{{- define "expert-agents.labels" -}}
helm.sh/chart: {{ include "expert-agents.chart" . }}
{{ include "expert-agents.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: expert-agents
{{- end }}

{{- define "expert-agents.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/*
ServiceAccount of one workload. Arguments (dict): root, name (registry | orchestrator | agents-<group> | migrate).
With serviceAccount.create every workload gets its own (<base>-<name>), else all use serviceAccount.name.
*/}}
{{- define "expert-agents.serviceAccountName" -}}
{{- if .root.Values.serviceAccount.create }}
{{- printf "%s-%s" (default (include "expert-agents.fullname" .root) .root.Values.serviceAccount.name) .name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- default "default" .root.Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The Secret the chart generates for one workload (same arguments). */}}
{{- define "expert-agents.componentSecretName" -}}
{{- printf "%s-%s" (include "expert-agents.fullname" .root) .name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "expert-agents.authKeysSecretName" -}}
{{- printf "%s-auth-keys" (include "expert-agents.fullname" .) }}
{{- end }}

{{/*
A generated credential, stable across upgrades: the value already in the release's Secret (lookup), else a new random
one. Arguments (dict): root, secret (name), key.
*/}}
{{- define "expert-agents.keepOrGenerate" -}}
{{- $existing := lookup "v1" "Secret" .root.Release.Namespace .secret }}
{{- $data := dig "data" dict ($existing | default dict) }}
{{- if hasKey $data .key }}
{{- index $data .key | b64dec }}
{{- else }}
{{- randAlphaNum 48 }}
{{- end }}
{{- end }}

{{/*
Environment the connection strings come from when secrets.existingSecret names a Secret made outside the chart: only
the keys this workload needs (hosts get MODEL_API_KEY, the others do not). Arguments (dict): root, component.
*/}}
{{- define "expert-agents.existingSecretEnv" -}}
{{- with .root.Values.secrets.existingSecret }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef: { name: {{ . }}, key: DATABASE_URL }
{{- if ne $.component "migrate" }}
- name: REDIS_URL
  valueFrom:
    secretKeyRef: { name: {{ . }}, key: REDIS_URL }
{{- end }}
{{- if eq $.component "agent-host" }}
- name: MODEL_API_KEY
  valueFrom:
    secretKeyRef: { name: {{ . }}, key: MODEL_API_KEY, optional: true }
{{- end }}
{{- end }}
{{- end }}

{{/* Rolls the pods that read the generated keys when the set of host groups (and so the key file) changes. */}}
{{- define "expert-agents.credentialsChecksum" -}}
{{- $groups := list }}
{{- range .Values.agentHosts }}
{{- $groups = append $groups (dict "name" .name "agentIds" .agentIds) }}
{{- end }}
{{- dict "groups" $groups "redisAcl" .Values.redisAcl.enabled "auth" .Values.auth.mode | toJson | sha256sum }}
{{- end }}

{{- define "expert-agents.configMapName" -}}
{{- printf "%s-config" (include "expert-agents.fullname" .) }}
{{- end }}

{{/* The Kubernetes SIGKILL deadline must leave the apps time to drain. */}}
{{- define "expert-agents.checkGracePeriod" -}}
{{- if le (int .Values.terminationGracePeriodSeconds) (int .Values.config.shutdownGraceSeconds) }}
{{- fail (printf "terminationGracePeriodSeconds (%d) must be greater than config.shutdownGraceSeconds (%d)" (int .Values.terminationGracePeriodSeconds) (int .Values.config.shutdownGraceSeconds)) }}
{{- end }}
{{- end }}

{{/*
One app's labels. Arguments (dict): root (the chart's $), component (registry | orchestrator | agent-host),
name (workload name suffix), group (agent-host group or "").
*/}}
{{- define "expert-agents.componentSelectorLabels" -}}
{{ include "expert-agents.selectorLabels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- if .group }}
expert-agents.io/agent-group: {{ .group }}
{{- end }}
{{- end }}

{{- define "expert-agents.componentLabels" -}}
{{ include "expert-agents.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- if .group }}
expert-agents.io/agent-group: {{ .group }}
{{- end }}
{{- end }}

{{/*
Deployment of one app. Arguments (dict): root, component, name, group, command (the image argument),
portEnv (the app's port variable), env (extra name/value map), values (this app's values: port, replicas,
resources, autoscaling, podDisruptionBudget).
*/}}
{{- define "expert-agents.deployment" -}}
{{- include "expert-agents.checkGracePeriod" .root }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "expert-agents.fullname" .root }}-{{ .name }}
  labels:
    {{- include "expert-agents.componentLabels" . | nindent 4 }}
spec:
  {{- if not .values.autoscaling.enabled }}
  replicas: {{ .values.replicas }}
  {{- end }}
  revisionHistoryLimit: 5
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxUnavailable: 0
      maxSurge: 1
  selector:
    matchLabels:
      {{- include "expert-agents.componentSelectorLabels" . | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "expert-agents.componentSelectorLabels" . | nindent 8 }}
        {{- with .root.Values.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      annotations:
        # Roll the pods when settings change.
        checksum/config: {{ include (print .root.Template.BasePath "/configmap.yaml") .root | sha256sum }}
        checksum/credentials: {{ include "expert-agents.credentialsChecksum" .root }}
        {{- with .root.Values.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      serviceAccountName: {{ include "expert-agents.serviceAccountName" . }}
      automountServiceAccountToken: false
      {{- with .root.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- range . }}
        - name: {{ . }}
        {{- end }}
      {{- end }}
      # Longer than SHUTDOWN_GRACE_SECONDS: the app drains (stops taking work, finishes, acks) before SIGKILL.
      terminationGracePeriodSeconds: {{ .root.Values.terminationGracePeriodSeconds }}
      securityContext:
        {{- toYaml .root.Values.podSecurityContext | nindent 8 }}
      containers:
        - name: {{ .component }}
          image: {{ include "expert-agents.image" .root }}
          imagePullPolicy: {{ .root.Values.image.pullPolicy }}
          args: [{{ .command | quote }}]
          ports:
            - name: http
              containerPort: {{ .values.port }}
              protocol: TCP
          envFrom:
            - configMapRef:
                name: {{ include "expert-agents.configMapName" .root }}
            # This workload's own Secret: its connection strings and generated credentials, nothing of the others.
            - secretRef:
                name: {{ include "expert-agents.componentSecretName" . }}
          env:
            {{- include "expert-agents.existingSecretEnv" . | nindent 12 }}
            - name: {{ .portEnv }}
              value: {{ .values.port | quote }}
            {{- if eq .component "agent-host" }}
            # The model settings only where models are called (with a real provider the apps require its key).
            - name: MODEL_PROVIDER
              value: {{ .root.Values.config.modelProvider | quote }}
            {{- with .root.Values.config.modelName }}
            - name: MODEL_NAME
              value: {{ . | quote }}
            {{- end }}
            {{- else }}
            - name: AUTH_KEYS_FILE
              value: /etc/expert-agents/auth/auth-keys.json
            {{- end }}
            {{- range $name, $value := .env }}
            - name: {{ $name }}
              value: {{ $value | quote }}
            {{- end }}
          livenessProbe:
            httpGet:
              path: /health
              port: http
            {{- toYaml .root.Values.probes.liveness | nindent 12 }}
          readinessProbe:
            httpGet:
              path: /health/ready
              port: http
            {{- toYaml .root.Values.probes.readiness | nindent 12 }}
          resources:
            {{- toYaml .values.resources | nindent 12 }}
          securityContext:
            {{- toYaml .root.Values.securityContext | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            {{- if ne .component "agent-host" }}
            - name: auth-keys
              mountPath: /etc/expert-agents/auth
              readOnly: true
            {{- end }}
      volumes:
        - name: tmp
          emptyDir: {}
        {{- if ne .component "agent-host" }}
        # AUTH_KEYS_FILE: the operator key and every host key with its agent_ids (hashed by the apps at start-up).
        - name: auth-keys
          secret:
            secretName: {{ include "expert-agents.authKeysSecretName" .root }}
            defaultMode: 0440
        {{- end }}
      {{- with .root.Values.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .root.Values.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .root.Values.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
{{- end }}

{{/* Service of one app (same arguments as the Deployment). */}}
{{- define "expert-agents.service" -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "expert-agents.fullname" .root }}-{{ .name }}
  labels:
    {{- include "expert-agents.componentLabels" . | nindent 4 }}
spec:
  type: ClusterIP
  selector:
    {{- include "expert-agents.componentSelectorLabels" . | nindent 4 }}
  ports:
    - name: http
      port: {{ .values.port }}
      targetPort: http
      protocol: TCP
{{- end }}

{{/* HorizontalPodAutoscaler of one app, when values.autoscaling.enabled. */}}
{{- define "expert-agents.hpa" -}}
{{- if .values.autoscaling.enabled }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "expert-agents.fullname" .root }}-{{ .name }}
  labels:
    {{- include "expert-agents.componentLabels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "expert-agents.fullname" .root }}-{{ .name }}
  minReplicas: {{ .values.autoscaling.minReplicas }}
  maxReplicas: {{ .values.autoscaling.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ .values.autoscaling.targetCPUUtilizationPercentage }}
{{- end }}
{{- end }}

{{/* PodDisruptionBudget of one app, when values.podDisruptionBudget.enabled. */}}
{{- define "expert-agents.pdb" -}}
{{- if .values.podDisruptionBudget.enabled }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "expert-agents.fullname" .root }}-{{ .name }}
  labels:
    {{- include "expert-agents.componentLabels" . | nindent 4 }}
spec:
  maxUnavailable: {{ .values.podDisruptionBudget.maxUnavailable }}
  selector:
    matchLabels:
      {{- include "expert-agents.componentSelectorLabels" . | nindent 6 }}
{{- end }}
{{- end }}
