{{/* Pieces of templates/networkpolicy.yaml. */}}
{{- define "expert-agents.np.peerComponent" -}}
- podSelector:
    matchLabels:
      {{- include "expert-agents.selectorLabels" .root | nindent 6 }}
      app.kubernetes.io/component: {{ .component }}
{{- end }}
{{- define "expert-agents.np.egressCommon" -}}
{{- $np := .Values.networkPolicy }}
- ports:
    - { port: {{ $np.postgresql.port }}, protocol: TCP }
  {{- with $np.postgresql.to }}
  to:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- if $np.dns.enabled }}
- ports:
    - { port: 53, protocol: UDP }
    - { port: 53, protocol: TCP }
  to:
    - namespaceSelector: {}
      podSelector:
        matchLabels:
          k8s-app: kube-dns
{{- end }}
{{- end }}
{{- /* More egress for every workload (networkPolicy.extraEgress), e.g. an OpenTelemetry collector. */}}
{{- define "expert-agents.np.egressExtra" -}}
{{- with .Values.networkPolicy.extraEgress }}
{{- toYaml . }}
{{- end }}
{{- end }}
{{- define "expert-agents.np.egressRedis" -}}
{{- $np := .Values.networkPolicy }}
- ports:
    - { port: {{ $np.redis.port }}, protocol: TCP }
  {{- with $np.redis.to }}
  to:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}
{{- define "expert-agents.np.ingressMetrics" -}}
{{- with .Values.networkPolicy.metricsFrom }}
- ports:
    - { port: http, protocol: TCP }
  from:
    {{- toYaml . | nindent 4 }}
{{- end }}
{{- end }}
{{- define "expert-agents.np.ingressApi" -}}
{{- with .Values.networkPolicy.apiIngressFrom }}
- ports:
    - { port: http, protocol: TCP }
  from:
    {{- toYaml . | nindent 4 }}
{{- end }}
{{- end }}
