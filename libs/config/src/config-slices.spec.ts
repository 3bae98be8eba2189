import { ConfigError } from './config.error';
import { CONFIG_PROCESSES, CONFIG_SLICES, ConfigProcess } from './config-slices';
import { loadDatabaseUrl } from './database-config';
import { loadConfig } from './load-config';

type Env = Record<string, string>;

/** The ConfigError's message, or a failure when the environment was accepted. */
function refusal(env: Env, app: ConfigProcess): string {
  try {
    loadConfig(env, app);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error(`${app} accepted ${JSON.stringify(env)}`);
}

const OPENAI_WITHOUT_KEY = { MODEL_PROVIDER: 'openai', MODEL_NAME: 'gpt-4o-mini' };

describe('config slices: each process validates only its own variables', () => {
  it('gives every AppConfig field to at least one process', () => {
    const covered = new Set(CONFIG_PROCESSES.flatMap((app) => CONFIG_SLICES[app]));
    expect(Object.keys(loadConfig({})).filter((key) => !covered.has(key as never))).toEqual([]);
  });

  it('starts a registry with MODEL_PROVIDER=openai and no key: it never reads MODEL_*', () => {
    const config = loadConfig(OPENAI_WITHOUT_KEY, 'registry');
    expect(config.model.provider).toBe('scripted'); // the documented default, not the environment
  });

  it('still refuses the agent host, which runs the model, naming MODEL_API_KEY', () => {
    expect(refusal(OPENAI_WITHOUT_KEY, 'agent-host')).toMatch(/MODEL_API_KEY \(or OPENAI_API_KEY\) is required/);
  });

  it('starts an orchestrator with MODEL_PROVIDER=openai and no key: it calls no model (costs come with results)', () => {
    expect(loadConfig(OPENAI_WITHOUT_KEY, 'orchestrator').model.provider).toBe('scripted');
  });

  it.each([
    ['registry', { HEARTBEAT_TTL_SECONDS: 'abc' }, /HEARTBEAT_TTL_SECONDS must be an integer/],
    ['registry', { REGISTRY_REDIS_PREFIX: 'has space' }, /REGISTRY_REDIS_PREFIX must be 1-64 characters/],
    ['registry', { REGISTRY_CORS_ORIGINS: '*' }, /REGISTRY_CORS_ORIGINS must be "none"/],
    ['registry', { A2A_REMOTE_PROBE_SECONDS: '90' }, /A2A_REMOTE_PROBE_SECONDS \(90\) must be less than HEARTBEAT_TTL/],
    ['registry', { ORCHESTRATOR_PORT: '0' }, /ORCHESTRATOR_PORT must be between/],
    ['orchestrator', { ORCHESTRATOR_MAX_ATTEMPTS: '0' }, /ORCHESTRATOR_MAX_ATTEMPTS must be between/],
    ['orchestrator', { ORCHESTRATOR_QUEUE_TIMEOUT_SECONDS: 'x' }, /ORCHESTRATOR_QUEUE_TIMEOUT_SECONDS must be an/],
    ['orchestrator', { WEBHOOK_BATCH: 'abc' }, /WEBHOOK_BATCH must be an integer/],
    ['orchestrator', { REGISTRY_URL: 'ftp://registry' }, /REGISTRY_URL must use http: or https:/],
    ['orchestrator', { A2A_PUSH_SECRET: 'short' }, /A2A_PUSH_SECRET must be at least 16 characters/],
    ['agent-host', { AGENT_IDS: 'NOT AN ID' }, /AGENT_IDS must be "all"/],
    [
      'agent-host',
      { HEARTBEAT_TTL_SECONDS: '10' },
      /HEARTBEAT_TTL_SECONDS \(10\) must be greater than HEARTBEAT_INTERVAL/,
    ],
    ['agent-host', { AGENT_HOST_INSTANCE_ID: 'has space' }, /AGENT_HOST_INSTANCE_ID must be 1-64 characters/],
    ['agent-host', { MODEL_TIMEOUT_MS: '1' }, /MODEL_TIMEOUT_MS must be between/],
    ['agent-host', { REGISTRY_PORT: 'abc' }, /REGISTRY_PORT must be an integer/],
  ] as [ConfigProcess, Env, RegExp][])('refuses the %s a bad variable of its own: %j', (app, env, message) => {
    expect(refusal(env, app)).toMatch(message);
  });

  it.each(CONFIG_PROCESSES.map((app) => [app]))('refuses every app (%s) a bad shared variable, by name', (app) => {
    const message = refusal(
      {
        NODE_ENV: 'staging',
        LOG_LEVEL: 'loud',
        DATABASE_URL: 'postgres://h/db?sslmode=maybe',
        REDIS_URL: 'http://x',
        AUTH_MODE: 'off',
        OTEL_TRACES_SAMPLER_ARG: '2',
        TASK_INPUT_MAX_BYTES: '1',
        TRANSPORT_KEY_PREFIX: 'has space',
        SHUTDOWN_GRACE_SECONDS: '0',
      },
      app,
    );
    for (const name of [
      'NODE_ENV',
      'LOG_LEVEL',
      'DATABASE_URL sslmode',
      'REDIS_URL',
      'AUTH_MODE',
      'OTEL_TRACES_SAMPLER_ARG',
      'TASK_INPUT_MAX_BYTES',
      'TRANSPORT_KEY_PREFIX',
      'SHUTDOWN_GRACE_SECONDS',
    ])
      expect(message).toContain(name);
  });

  it.each([
    ['registry', { ...OPENAI_WITHOUT_KEY, ORCHESTRATOR_MAX_ATTEMPTS: 'abc', WEBHOOK_BATCH: 'abc', AGENT_IDS: 'x y' }],
    // The registry does not read HEARTBEAT_INTERVAL_SECONDS, so TTL <= interval is the agent host's concern.
    ['registry', { HEARTBEAT_INTERVAL_SECONDS: 'abc', HEARTBEAT_TTL_SECONDS: '10' }],
    ['orchestrator', { HEARTBEAT_TTL_SECONDS: 'abc', LIVENESS_SWEEP_SECONDS: '0', REGISTRY_REDIS_PREFIX: 'a b' }],
    // The orchestrator does not probe remote cards, so the probe-vs-TTL rule is the registry's.
    ['orchestrator', { A2A_REMOTE_PROBE_SECONDS: '300', AGENT_IDS: 'x y', AGENT_HOST_INSTANCE_ID: 'a b' }],
    ['agent-host', { ORCHESTRATOR_MAX_ATTEMPTS: 'abc', A2A_PUSH_SECRET: 'short', WEBHOOK_BATCH: 'abc' }],
    ['agent-host', { REGISTRY_CORS_ORIGINS: '*', REGISTRY_REDIS_PREFIX: 'a b', ORCHESTRATOR_PORT: 'abc' }],
  ] as [ConfigProcess, Env][])('lets the %s start despite bad variables it does not read: %j', (app, env) => {
    expect(() => loadConfig(env, app)).not.toThrow();
  });

  it('reads a default from a variable of the slice: the registry CORS origins follow ORCHESTRATOR_PORT', () => {
    expect(loadConfig({ ORCHESTRATOR_PORT: '5300' }, 'registry').console.registryCorsOrigins).toEqual([
      'http://127.0.0.1:5300',
      'http://localhost:5300',
    ]);
  });

  it('without a process reads every variable (tests that build several apps)', () => {
    expect(() => loadConfig(OPENAI_WITHOUT_KEY)).toThrow(/MODEL_API_KEY/);
    expect(() => loadConfig({ HEARTBEAT_TTL_SECONDS: 'abc' })).toThrow(/HEARTBEAT_TTL_SECONDS/);
  });
});

describe('loadDatabaseUrl: a migration run reads only the database settings', () => {
  it('ignores every other variable, bad or not', () => {
    const env = { HEARTBEAT_TTL_SECONDS: 'abc', ...OPENAI_WITHOUT_KEY, REDIS_URL: 'http://x', LOG_LEVEL: 'loud' };
    expect(loadDatabaseUrl(env)).toBe('postgres://postgres@127.0.0.1:5432/expert_agents');
    expect(loadDatabaseUrl({ ...env, DATABASE_URL: 'postgresql://m@db/agents' })).toBe('postgresql://m@db/agents');
  });

  it('builds the URL from PG* variables like the apps do', () => {
    expect(loadDatabaseUrl({ PGHOST: 'db', PGUSER: 'app', PGDATABASE: 'agents' })).toBe(
      loadConfig({ PGHOST: 'db', PGUSER: 'app', PGDATABASE: 'agents' }, 'registry').databaseUrl,
    );
  });

  it.each([
    [{ DATABASE_URL: 'not a url' }, /DATABASE_URL must be a URL/],
    [{ DATABASE_URL: 'mysql://h/db' }, /DATABASE_URL must use postgres: or postgresql:/],
    [{ DATABASE_URL: 'postgres://h/db?sslmode=maybe' }, /DATABASE_URL sslmode must be one of/],
    [{ DATABASE_URL: 'postgres://h/db?sslrootcert=/no/such/ca.pem' }, /DATABASE_URL sslrootcert must name a readable/],
    [{ PGHOST: 'db', PGPORT: 'abc' }, /PGPORT must be an integer/],
    [{ NODE_EXTRA_CA_CERTS: '/no/such/ca.pem' }, /NODE_EXTRA_CA_CERTS must name a readable file/],
  ] as [Env, RegExp][])('refuses a bad database setting by name: %j', (env, message) => {
    expect(() => loadDatabaseUrl(env)).toThrow(ConfigError);
    expect(() => loadDatabaseUrl(env)).toThrow(message);
  });
});
