import { APP_ENV, ENV_VARIABLES, sliceVariables } from './config-env';
import { ConfigError } from './config.error';
import { CONFIG_PROCESSES, ConfigProcess } from './config-slices';
import { loadDatabaseUrl } from './database-config';
import { loadConfig } from './load-config';

type Env = Record<string, string>;

/** Every problem a load reports, or [] when the environment was accepted. */
function problems(env: Env, app?: ConfigProcess): string[] {
  try {
    loadConfig(env, app);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
}

describe('the environment schema: hostile values', () => {
  it('reads blank and whitespace-only values as unset (the default) and trims the rest', () => {
    expect(loadConfig({ ORCHESTRATOR_GROUP_COMMIT_MS: '' }).orchestrator.groupCommitMs).toBe(2);
    expect(loadConfig({ ORCHESTRATOR_GROUP_COMMIT_MS: ' \t ' }).orchestrator.groupCommitMs).toBe(2);
    expect(loadConfig({ ORCHESTRATOR_GROUP_COMMIT_MS: ' 7 ' }).orchestrator.groupCommitMs).toBe(7);
    expect(loadConfig({ LOG_LEVEL: ' debug ' }).logLevel).toBe('debug');
  });

  it.each(['x', '1e3', '0x10', '+5', '1.0', '1_000', '5 5', 'Infinity', 'NaN', '--1'])(
    'refuses the integer text %j, naming the variable and its range',
    (value) => {
      expect(problems({ ORCHESTRATOR_GROUP_COMMIT_MS: value })).toEqual([
        `ORCHESTRATOR_GROUP_COMMIT_MS must be an integer between 0 and 1000 (got "${value}")`,
      ]);
    },
  );

  it.each([
    ['-1', 'ORCHESTRATOR_GROUP_COMMIT_MS must be between 0 and 1000 (got -1)'],
    ['1001', 'ORCHESTRATOR_GROUP_COMMIT_MS must be between 0 and 1000 (got 1001)'],
    ['99999999999999999999', 'ORCHESTRATOR_GROUP_COMMIT_MS must be between 0 and 1000 (got 100000000000000000000)'],
    ['9'.repeat(400), 'ORCHESTRATOR_GROUP_COMMIT_MS must be between 0 and 1000 (got Infinity)'],
  ])('refuses the out-of-range integer %s', (value, message) => {
    expect(problems({ ORCHESTRATOR_GROUP_COMMIT_MS: value })).toEqual([message]);
  });

  it('accepts the bounds themselves and leading zeros', () => {
    expect(loadConfig({ ORCHESTRATOR_GROUP_COMMIT_MS: '0' }).orchestrator.groupCommitMs).toBe(0);
    expect(loadConfig({ ORCHESTRATOR_GROUP_COMMIT_MS: '1000' }).orchestrator.groupCommitMs).toBe(1000);
    expect(loadConfig({ REGISTRY_PORT: '05101' }).registryPort).toBe(5101);
  });

  it.each(['LOUD', 'Info', 'info,debug', '0'])('refuses the unknown enum value %j', (value) => {
    expect(problems({ LOG_LEVEL: value })).toEqual([
      `LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "${value}")`,
    ]);
  });

  it.each(['TRUE', 'yes', '1', '0', 'on'])('refuses the boolean text %j (only true and false)', (value) => {
    expect(problems({ WEBHOOK_ALLOW_HTTP: value })).toEqual([
      `WEBHOOK_ALLOW_HTTP must be one of true, false (got "${value}")`,
    ]);
  });

  it('reads numbers as Number() does and keeps them in range', () => {
    expect(loadConfig({ OTEL_TRACES_SAMPLER_ARG: '0.25' }).tracing.sampleRatio).toBe(0.25);
    expect(loadConfig({ OTEL_TRACES_SAMPLER_ARG: '1e-1' }).tracing.sampleRatio).toBe(0.1);
    for (const value of ['NaN', '-0.1', '1e3', 'half', 'Infinity'])
      expect(problems({ OTEL_TRACES_SAMPLER_ARG: value })).toEqual([
        `OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1 (got "${value}")`,
      ]);
  });

  it('never echoes a secret or a password', () => {
    const [secret] = problems({ A2A_PUSH_SECRET: 'tooshort-pw' });
    expect(secret).toBe('A2A_PUSH_SECRET must be at least 16 characters');
    const [scheme] = problems({ DATABASE_URL: 'mysql://app:hunter2@db/agents' });
    expect(scheme).toBe('DATABASE_URL must use postgres: or postgresql: (got "mysql:")');
    const [unparsable] = problems({ REGISTRY_URL: 'http://u:hunter2@h:1:2' });
    expect(unparsable).toMatch(/^REGISTRY_URL must be a URL/);
    expect(unparsable).not.toContain('hunter2');
  });

  it('names every bad variable at once, in one ConfigError, whatever the kind of mistake', () => {
    const found = problems({
      ORCHESTRATOR_GROUP_COMMIT_MS: '1e3',
      REGISTRY_PORT: '70000',
      LOG_LEVEL: 'loud',
      WEBHOOK_ALLOW_HTTP: 'yes',
      OTEL_TRACES_SAMPLER_ARG: '2',
      REGISTRY_URL: 'ftp://registry',
      TRANSPORT_KEY_PREFIX: 'a b',
      A2A_PUSH_SECRET: 'short',
      AGENT_IDS: 'nope',
    });
    for (const name of [
      'ORCHESTRATOR_GROUP_COMMIT_MS',
      'REGISTRY_PORT',
      'LOG_LEVEL',
      'WEBHOOK_ALLOW_HTTP',
      'OTEL_TRACES_SAMPLER_ARG',
      'REGISTRY_URL',
      'TRANSPORT_KEY_PREFIX',
      'A2A_PUSH_SECRET',
      'AGENT_IDS',
    ])
      expect(found.filter((p) => p.startsWith(`${name} `))).toHaveLength(1);
    expect(found).toHaveLength(9);
  });

  it('reads a bad value as unset, so what derives from it reports nothing more', () => {
    // REGISTRY_URL's default follows REGISTRY_PORT; the bad port is reported once, not again through the URL.
    expect(problems({ REGISTRY_PORT: 'abc' })).toEqual([
      'REGISTRY_PORT must be an integer between 1 and 65535 (got "abc")',
    ]);
  });
});

describe('the environment schema: one slice per process', () => {
  it('declares each variable for exactly one AppConfig field', () => {
    const names = Object.values(APP_ENV).flatMap((properties) => Object.keys(properties));
    expect(names.length).toBe(new Set(names).size);
    expect(Object.keys(ENV_VARIABLES)).toHaveLength(names.length);
  });

  it("leaves other processes' variables out of a slice's schema", () => {
    const registry = Object.keys(sliceVariables('registry'));
    expect(registry.filter((name) => /^(MODEL_|SCRIPTED_|OPENAI_|ANTHROPIC_)/.test(name))).toEqual([]);
    expect(registry).not.toContain('HEARTBEAT_INTERVAL_SECONDS');
    expect(registry).toContain('HEARTBEAT_TTL_SECONDS');
    const host = Object.keys(sliceVariables('agent-host'));
    expect(
      host.filter((name) =>
        /^(ORCHESTRATOR_GROUP_COMMIT_MS|ORCHESTRATOR_MAX_ATTEMPTS|WEBHOOK_|A2A_|CONSOLE_)/.test(name),
      ),
    ).toEqual([]);
    expect(host).toContain('MODEL_PROVIDER');
  });

  it.each(CONFIG_PROCESSES.map((app) => [app]))(
    'lets the %s ignore hostile values of variables it does not read',
    (app) => {
      const foreign: Record<ConfigProcess, Env> = {
        registry: { MODEL_TIMEOUT_MS: '1e3', HEARTBEAT_INTERVAL_SECONDS: '0x10', WEBHOOK_ALLOW_HTTP: 'TRUE' },
        orchestrator: { MODEL_PROVIDER: 'gemini', LIVENESS_SWEEP_SECONDS: '-1', AGENT_HOST_INSTANCE_ID: ' a b ' },
        'agent-host': { ORCHESTRATOR_GROUP_COMMIT_MS: 'x', A2A_PUSH_SECRET: 'short', REGISTRY_CORS_ORIGINS: '*' },
      };
      expect(problems(foreign[app], app)).toEqual([]);
    },
  );

  it('still names those variables for the process that reads them', () => {
    expect(problems({ MODEL_TIMEOUT_MS: '1e3' }, 'agent-host')).toEqual([
      'MODEL_TIMEOUT_MS must be an integer between 100 and 600000 (got "1e3")',
    ]);
    expect(problems({ ORCHESTRATOR_GROUP_COMMIT_MS: 'x' }, 'orchestrator')).toEqual([
      'ORCHESTRATOR_GROUP_COMMIT_MS must be an integer between 0 and 1000 (got "x")',
    ]);
  });

  it('gives a migration run only the database variables', () => {
    expect(loadDatabaseUrl({ HEARTBEAT_TTL_SECONDS: 'abc', ORCHESTRATOR_GROUP_COMMIT_MS: '1e3', PGHOST: 'db' })).toBe(
      'postgres://postgres@db:5432/expert_agents',
    );
    expect(() => loadDatabaseUrl({ PGHOST: 'db', PGPORT: '0x10' })).toThrow(
      'PGPORT must be an integer between 1 and 65535 (got "0x10")',
    );
  });
});
