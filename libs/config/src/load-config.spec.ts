import { ConfigError } from './config.error';
import { assertA2aPublicUrls } from './a2a-config';
import { assertAuthConfigured } from './auth-config';
import { loadConfig } from './load-config';

describe('loadConfig', () => {
  it('gives the documented defaults on an empty environment', () => {
    const config = loadConfig({});
    expect(config.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/expert_agents');
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.registryPort).toBe(5100);
    expect(config.orchestratorPort).toBe(5200);
    expect(config.agentHostPort).toBe(6000);
    expect(config.registryUrl).toBe('http://127.0.0.1:5100');
    expect(config.heartbeatIntervalSeconds).toBe(30);
    expect(config.heartbeatTtlSeconds).toBe(90);
    expect(config.logLevel).toBe('info');
    expect(config.registryRedisPrefix).toBe('registry:');
  });

  it('reads LOG_FORMAT, resolving auto by whether stdout is a terminal', () => {
    expect(loadConfig({ LOG_FORMAT: 'json' }).logFormat).toBe('json');
    expect(loadConfig({ LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
    expect(loadConfig({}).logFormat).toBe(process.stdout.isTTY ? 'pretty' : 'json');
    expect(() => loadConfig({ LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT/);
  });

  it('builds the database URL from PG* variables when DATABASE_URL is absent', () => {
    const config = loadConfig({
      PGHOST: 'db',
      PGPORT: '6543',
      PGUSER: 'app',
      PGPASSWORD: 's3cr/t',
      PGDATABASE: 'agents',
    });
    expect(config.databaseUrl).toBe('postgres://app:s3cr%2Ft@db:6543/agents');
  });

  it('accepts a Redis Sentinel set as REDIS_URL', () => {
    const url = 'redis-sentinel://h1:26379,h2:26380/mymaster';
    expect(loadConfig({ REDIS_URL: url }).redisUrl).toBe(url);
  });

  it('prefers DATABASE_URL over PG* variables', () => {
    const config = loadConfig({ DATABASE_URL: 'postgresql://x@h/db', PGHOST: 'ignored' });
    expect(config.databaseUrl).toBe('postgresql://x@h/db');
  });

  it.each([
    ['REGISTRY_PORT', 'abc', /REGISTRY_PORT must be an integer/],
    ['REGISTRY_PORT', '70000', /REGISTRY_PORT must be between 1 and 65535/],
    ['REDIS_URL', 'http://x', /REDIS_URL must use redis: or rediss:/],
    ['REDIS_URL', 'redis-cluster://h1:7000,h2:7001', /REDIS_URL names a Redis Cluster/],
    ['REDIS_URL', 'redis-sentinel://h1:26379,h2:26379', /REDIS_URL a redis-sentinel:\/\/ URL must name the master/],
    ['DATABASE_URL', 'not a url', /DATABASE_URL must be a URL/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL must be one of/],
    ['REGISTRY_REDIS_PREFIX', 'has space', /REGISTRY_REDIS_PREFIX must be 1-64 characters/],
    ['HEARTBEAT_TTL_SECONDS', '10', /HEARTBEAT_TTL_SECONDS \(10\) must be greater than HEARTBEAT_INTERVAL_SECONDS/],
  ])('rejects %s=%s naming the variable', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it.each([
    ['all', { kind: 'all' }],
    ['role:qa_engineer', { kind: 'role', role: 'qa_engineer' }],
    ['DEV-001, QA-001,DEV-001', { kind: 'ids', ids: ['DEV-001', 'QA-001'] }],
  ])('parses AGENT_IDS=%s', (value, expected) => {
    expect(loadConfig({ AGENT_IDS: value }).agentIds).toEqual(expected);
  });

  it('defaults AGENT_IDS to all and accepts the seed singular AGENT_ID', () => {
    expect(loadConfig({}).agentIds).toEqual({ kind: 'all' });
    expect(loadConfig({ AGENT_ID: 'MED-001' }).agentIds).toEqual({ kind: 'ids', ids: ['MED-001'] });
  });

  it.each([
    ['AGENT_IDS', 'dev-1,QA-001', /AGENT_IDS must be "all", "role:<role>" or agent ids .*bad: dev-1/],
    ['AGENT_IDS', 'role:Bad Role', /AGENT_IDS role must be a snake_case role/],
    ['AGENT_HOST_INSTANCE_ID', 'a b', /AGENT_HOST_INSTANCE_ID must be 1-64 characters/],
    ['TRANSPORT_KEY_PREFIX', '{x}', /TRANSPORT_KEY_PREFIX must be 1-64 characters/],
    ['TASK_TIMEOUT_SECONDS', '0', /TASK_TIMEOUT_SECONDS must be between 1 and 86400/],
  ])('rejects agent-host setting %s=%s naming it', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it('defaults the model provider to scripted and says it was defaulted', () => {
    const { model } = loadConfig({});
    expect(model).toMatchObject({
      provider: 'scripted',
      providerDefaulted: true,
      name: 'scripted',
      timeoutMs: 60_000,
      maxRetries: 2,
      scriptedLatencyMs: 0,
    });
  });

  it('reads an OpenAI-compatible model, taking the key from OPENAI_API_KEY', () => {
    const { model } = loadConfig({
      MODEL_PROVIDER: 'openai',
      MODEL_NAME: 'gpt-4o-mini',
      OPENAI_API_KEY: 'sk-test',
      MODEL_TIMEOUT_MS: '5000',
      MODEL_MAX_RETRIES: '0',
    });
    expect(model).toMatchObject({
      provider: 'openai',
      providerDefaulted: false,
      name: 'gpt-4o-mini',
      apiKey: 'sk-test',
      timeoutMs: 5000,
      maxRetries: 0,
    });
  });

  it('lets a self-hosted OpenAI-compatible endpoint go without a key, and prefers MODEL_API_KEY', () => {
    expect(
      loadConfig({ MODEL_PROVIDER: 'openai', MODEL_NAME: 'llama3', MODEL_BASE_URL: 'http://127.0.0.1:11434/v1' }).model
        .apiKey,
    ).toBeUndefined();
    expect(
      loadConfig({ MODEL_PROVIDER: 'anthropic', MODEL_NAME: 'claude', MODEL_API_KEY: 'a', ANTHROPIC_API_KEY: 'b' })
        .model.apiKey,
    ).toBe('a');
  });

  it.each([
    [{ MODEL_PROVIDER: 'gemini' }, /MODEL_PROVIDER must be one of openai, anthropic, scripted/],
    [{ MODEL_PROVIDER: 'openai', OPENAI_API_KEY: 'k' }, /MODEL_NAME is required when MODEL_PROVIDER=openai/],
    [{ MODEL_PROVIDER: 'anthropic', MODEL_NAME: 'claude' }, /MODEL_API_KEY \(or ANTHROPIC_API_KEY\) is required/],
    [{ MODEL_PROVIDER: 'openai', MODEL_NAME: 'gpt' }, /MODEL_API_KEY \(or OPENAI_API_KEY\) is required/],
    [{ MODEL_BASE_URL: 'ftp://x' }, /MODEL_BASE_URL must use http: or https:/],
    [{ MODEL_TIMEOUT_MS: '10' }, /MODEL_TIMEOUT_MS must be between 100 and 600000/],
    [{ MODEL_MAX_RETRIES: '-1' }, /MODEL_MAX_RETRIES must be between 0 and 10/],
    [{ SCRIPTED_LATENCY_MS: 'slow' }, /SCRIPTED_LATENCY_MS must be an integer/],
  ])('rejects model setting %j naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('bounds the pending-task backlog and consultations per task by default (issue 12)', () => {
    expect(loadConfig({}).limits).toMatchObject({ pendingTasksMax: 100_000, maxConsultationsPerTask: 10 });
    expect(
      loadConfig({ ORCHESTRATOR_PENDING_TASKS_MAX: '5', AGENT_MAX_CONSULTATIONS_PER_TASK: '0' }).limits,
    ).toMatchObject({ pendingTasksMax: 5, maxConsultationsPerTask: 0 });
  });

  it('gives the orchestrator defaults and reads ORCHESTRATOR_* overrides', () => {
    expect(loadConfig({}).orchestrator).toMatchObject({
      groupCommitMs: 2,
      maxAttempts: 3,
      taskTimeoutSeconds: 300,
      // Off by default since issue 13: its pub/sub reply channels are readable by any subscriber.
      nestRedisTransport: false,
    });
    const config = loadConfig({
      ORCHESTRATOR_GROUP_COMMIT_MS: '0',
      ORCHESTRATOR_NEST_REDIS_TRANSPORT: 'true',
      ORCHESTRATOR_WORKFLOWS_DIR: '/wf',
    });
    expect(config.orchestrator).toMatchObject({ groupCommitMs: 0, nestRedisTransport: true, workflowsDir: '/wf' });
  });

  it.each([
    ['ORCHESTRATOR_MAX_ATTEMPTS', '0', /ORCHESTRATOR_MAX_ATTEMPTS must be between 1 and 20/],
    ['ORCHESTRATOR_NEST_REDIS_TRANSPORT', 'yes', /ORCHESTRATOR_NEST_REDIS_TRANSPORT must be one of true, false/],
    ['ORCHESTRATOR_GROUP_COMMIT_MS', 'x', /ORCHESTRATOR_GROUP_COMMIT_MS must be an integer/],
    ['ORCHESTRATOR_PENDING_TASKS_MAX', '0', /ORCHESTRATOR_PENDING_TASKS_MAX must be between 1 and 100000000/],
    ['AGENT_MAX_CONSULTATIONS_PER_TASK', '-1', /AGENT_MAX_CONSULTATIONS_PER_TASK must be between 0 and 1000/],
    ['AGENT_MAX_CONSULTATIONS_PER_TASK', 'ten', /AGENT_MAX_CONSULTATIONS_PER_TASK must be an integer/],
  ])('rejects %s=%s naming the variable', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it('reports every bad variable at once', () => {
    try {
      loadConfig({ REGISTRY_PORT: 'x', ORCHESTRATOR_PORT: '0' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toHaveLength(2);
    }
  });
});

describe('loadConfig: auth', () => {
  it('defaults to auth on, public metrics, no OIDC', () => {
    expect(loadConfig({}).auth).toMatchObject({ mode: 'on', metrics: 'public', docsJson: true, oidc: undefined });
  });

  it('refuses AUTH_MODE=disabled and a missing auth configuration in production, naming the variables', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', AUTH_MODE: 'disabled' })).toThrow(
      /AUTH_MODE=disabled is refused/,
    );
    // Only the apps that accept credentials are held to it (agent hosts and migrations are not).
    expect(() => assertAuthConfigured(loadConfig({ NODE_ENV: 'production' }))).toThrow(
      /AUTH_KEYS_FILE and\/or OIDC_ISSUER/,
    );
    expect(loadConfig({ NODE_ENV: 'production' }).auth.mode).toBe('on');
    expect(loadConfig({ NODE_ENV: 'production', AUTH_KEYS_FILE: '/run/keys.json' }).auth.keysFile).toBe(
      '/run/keys.json',
    );
  });

  it('needs all three OIDC settings together and reads the scopes claim', () => {
    expect(() => loadConfig({ OIDC_ISSUER: 'https://idp.example' })).toThrow(/must be set together/);
    const oidc = loadConfig({
      OIDC_ISSUER: 'https://idp.example',
      OIDC_AUDIENCE: 'expert-agents',
      OIDC_JWKS_URL: 'https://idp.example/jwks',
      OIDC_SCOPES_CLAIM: 'scp',
    }).auth.oidc;
    expect(oidc).toEqual({
      issuer: 'https://idp.example',
      audience: 'expert-agents',
      jwksUrl: 'https://idp.example/jwks',
      scopesClaim: 'scp',
    });
  });
});

describe('A2A settings (libs/config/src/a2a-config.ts)', () => {
  it('defaults public URLs to loopback in development and marks them as unset', () => {
    const config = loadConfig({});
    expect(config.a2a).toMatchObject({
      orchestratorPublicUrl: 'http://127.0.0.1:5200',
      registryPublicUrl: 'http://127.0.0.1:5100',
      publicUrlsSet: false,
      pushMaxAttempts: 5,
      pushTimeoutMs: 5000,
    });
    expect(() => assertA2aPublicUrls(config, 'orchestrator')).not.toThrow();
  });

  it('requires the public URLs of the card-serving apps in production, naming them', () => {
    const config = loadConfig({ NODE_ENV: 'production' });
    expect(() => assertA2aPublicUrls(config, 'orchestrator')).toThrow(/ORCHESTRATOR_PUBLIC_URL is required/);
    expect(() => assertA2aPublicUrls(config, 'registry')).toThrow(/REGISTRY_PUBLIC_URL is required/);
    const set = loadConfig({
      NODE_ENV: 'production',
      ORCHESTRATOR_PUBLIC_URL: 'https://agents.example.com/',
      REGISTRY_PUBLIC_URL: 'https://registry.example.com',
    });
    expect(set.a2a.orchestratorPublicUrl).toBe('https://agents.example.com');
    expect(() => assertA2aPublicUrls(set, 'registry')).not.toThrow();
  });

  it('refuses a bad URL, a short push secret and out-of-range push settings by name', () => {
    const load = () =>
      loadConfig({ ORCHESTRATOR_PUBLIC_URL: 'ftp://x', A2A_PUSH_SECRET: 'short', A2A_PUSH_MAX_ATTEMPTS: '0' });
    expect(load).toThrow(/ORCHESTRATOR_PUBLIC_URL must use http: or https:/);
    expect(load).toThrow(/A2A_PUSH_SECRET must be at least 16 characters/);
    expect(load).toThrow(/A2A_PUSH_MAX_ATTEMPTS must be between 1 and 20/);
  });

  it('gives remote A2A agents safe defaults: private targets refused, probes well inside the heartbeat TTL', () => {
    const { remote } = loadConfig({}).a2a;
    expect(remote).toMatchObject({ allowPrivate: false, probeSeconds: 30, capabilityMap: {}, maxTasks: 3 });
    expect(loadConfig({ HEARTBEAT_INTERVAL_SECONDS: '1', HEARTBEAT_TTL_SECONDS: '3' }).a2a.remote.probeSeconds).toBe(1);
    const read = loadConfig({
      A2A_REMOTE_ALLOW_PRIVATE: 'true',
      A2A_REMOTE_CAPABILITY_MAP: '{"python": "code_implementation"}',
      A2A_REMOTE_DEFAULT_ROLE: 'outside_dev',
    }).a2a.remote;
    expect(read).toMatchObject({
      allowPrivate: true,
      capabilityMap: { python: 'code_implementation' },
      defaultRole: 'outside_dev',
    });
  });

  it('refuses bad A2A_REMOTE_* settings by name', () => {
    const load = () =>
      loadConfig({
        A2A_REMOTE_ALLOW_PRIVATE: 'yes',
        A2A_REMOTE_CAPABILITY_MAP: '["python"]',
        A2A_REMOTE_DEFAULT_ROLE: 'Outside Dev',
        A2A_REMOTE_PROBE_SECONDS: '90',
      });
    expect(load).toThrow(/A2A_REMOTE_ALLOW_PRIVATE must be one of true, false/);
    expect(load).toThrow(/A2A_REMOTE_CAPABILITY_MAP must map strings/);
    expect(load).toThrow(/A2A_REMOTE_DEFAULT_ROLE must be a snake_case role/);
    expect(load).toThrow(/A2A_REMOTE_PROBE_SECONDS \(90\) must be less than HEARTBEAT_TTL_SECONDS \(90\)/);
    expect(() => loadConfig({ A2A_REMOTE_CAPABILITY_MAP: '{not json' })).toThrow(
      /A2A_REMOTE_CAPABILITY_MAP must be a JSON object/,
    );
  });
});
