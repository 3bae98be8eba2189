import { isAgentId } from '@app/contracts';
import { createHash } from 'node:crypto';
import { BROADCAST_ADDRESS, TransportKeys } from './keys';

/**
 * Redis ACL users per component, the one source of the rules used by docker-compose (docker/redis/users.acl.rules),
 * the Helm chart (charts/expert-agents/files/redis-acl.json, rendered per agent-host group) and the NOPERM e2e test.
 * Placeholders in the spec: `{prefix}` (TRANSPORT_KEY_PREFIX), `{registry}` (REGISTRY_REDIS_PREFIX), `{agent}` (one
 * agent id of a host). Selectors (Redis 7) let a host add messages to any agent's stream while reading only its own.
 */
export interface RedisAclSpec {
  /** Commands every component may run (connection set-up, transactions, ioredis' ready check). */
  common: string[];
  agentHost: { commands: string[]; keys: string[]; perAgentKeys: string[]; channels: string[]; selectors: string[] };
  orchestrator: { commands: string[]; keys: string[]; channels: string[] };
  registry: { commands: string[]; keys: string[]; channels: string[] };
}

export const REDIS_ACL_SPEC: RedisAclSpec = {
  common: [
    'resetkeys',
    'resetchannels',
    '-@all',
    '+ping',
    '+echo',
    '+info',
    '+hello',
    '+auth',
    '+select',
    '+quit',
    '+client|setname',
    '+client|getname',
    '+client|id',
    '+multi',
    '+exec',
    '+discard',
  ],
  agentHost: {
    // The stream commands (consume, ack, reclaim, dead-letter) plus the cancel flag and reply-stream expiry.
    // Lua scripts: the slot-capacity report (a hash per agent) and the shared model limits (sorted sets).
    commands: [
      '+@stream',
      '+pexpire',
      '+del',
      '+exists',
      '+get',
      '+mget',
      '+set',
      '+subscribe',
      '+unsubscribe',
      '+@scripting',
      '+@sortedset',
      '+hset',
      '+hdel',
      '+pttl',
      '+time',
    ],
    keys: [
      // Broadcast: every host joins with a consumer group of its own.
      `%RW~{prefix}:{${BROADCAST_ADDRESS}}:stream`,
      `%RW~{prefix}:{${BROADCAST_ADDRESS}}:dlq`,
      // Its own request/response reply streams (client ids are `client-<uuid>`).
      '%RW~{prefix}:{client-*}:reply',
      // Cancel flags (libs/contracts addresses.ts: always `ea:signals:cancel:<task>`).
      '%R~ea:signals:cancel:*',
      // Which attempt of a task may still run (supersede; libs/contracts capacity-keys.ts).
      '%R~ea:signals:attempt:*',
      // The shared model limits of every host (apps/agent-host model-limits).
      '%RW~{prefix}:model-limits:*',
    ],
    // Its agents' attempt claims (libs/contracts capacity-keys.ts: `ea:signals:claim:{<agent>}:<task>:<attempt>`).
    perAgentKeys: [
      '%RW~{prefix}:{{agent}}:stream',
      '%RW~{prefix}:{{agent}}:dlq',
      '%RW~{prefix}:capacity:{{agent}}',
      '%RW~ea:signals:claim:{{agent}}:*',
    ],
    channels: ['&ea:signals:cancel', '&ea:signals:supersede'],
    // Sending: messages to other agents, results to the orchestrator, replies to whoever asked. Selectors allow
    // only XADD there (a plain `%W~` would also allow XDEL, XTRIM, XGROUP and DEL of other agents' streams).
    selectors: ['(+xadd %W~{prefix}:{*}:stream)', '(+xadd +pexpire %W~{prefix}:{*}:reply)'],
  },
  orchestrator: {
    // The whole bus (dispatch, results, dead letters, bus admin), cancel signals, Nest's Redis transport channels;
    // Lua scripts for slot leases and the auth rate limits.
    commands: [
      '+@read',
      '+@write',
      '+@stream',
      '+@pubsub',
      '+@scripting',
      '+time',
      '-@dangerous',
      '+info',
      '+client|setname',
      '-script|flush',
      '-script|kill',
    ],
    keys: ['~{prefix}:*', '~ea:signals:*'],
    channels: ['&*'],
  },
  registry: {
    // Heartbeat freshness (Lua scripts over its own keys) and the registry events channel.
    commands: [
      '+@read',
      '+@write',
      '+@pubsub',
      '+@scripting',
      '-@dangerous',
      '+info',
      '+client|setname',
      '-script|flush',
      '-script|kill',
    ],
    // …and the auth rate limits and stream tickets, which live under the transport prefix (libs/auth).
    keys: ['~{registry}*', '~{prefix}:auth:*'],
    channels: ['&{registry}*'],
  },
};

export interface AclPrefixes {
  /** TRANSPORT_KEY_PREFIX (default `ea`). */
  transport?: string;
  /** REGISTRY_REDIS_PREFIX (default `registry:`). */
  registry?: string;
}

function fill(rule: string, prefixes: AclPrefixes, agent?: string): string {
  const transport = prefixes.transport ?? 'ea';
  new TransportKeys(transport); // validates the prefix
  let out = rule.replaceAll('{prefix}', transport).replaceAll('{registry}', prefixes.registry ?? 'registry:');
  if (agent !== undefined) out = out.replaceAll('{agent}', agent);
  return out;
}

/** The rules (without `user`, name, `on` and password) of an agent-host user bound to `agentIds`. */
export function agentHostAclRules(agentIds: readonly string[], prefixes: AclPrefixes = {}): string[] {
  const spec = REDIS_ACL_SPEC.agentHost;
  const perAgent = agentIds.flatMap((id) => {
    if (!isAgentId(id)) throw new Error(`not an agent id: ${JSON.stringify(id)}`);
    return spec.perAgentKeys.map((rule) => fill(rule, prefixes, id));
  });
  return [
    ...REDIS_ACL_SPEC.common,
    ...spec.commands,
    ...perAgent,
    ...spec.keys.map((r) => fill(r, prefixes)),
    ...spec.channels.map((r) => fill(r, prefixes)),
    ...spec.selectors.map((r) => fill(r, prefixes)),
  ];
}

export function orchestratorAclRules(prefixes: AclPrefixes = {}): string[] {
  const spec = REDIS_ACL_SPEC.orchestrator;
  return [
    ...REDIS_ACL_SPEC.common,
    ...spec.commands,
    ...[...spec.keys, ...spec.channels].map((r) => fill(r, prefixes)),
  ];
}

export function registryAclRules(prefixes: AclPrefixes = {}): string[] {
  const spec = REDIS_ACL_SPEC.registry;
  return [
    ...REDIS_ACL_SPEC.common,
    ...spec.commands,
    ...[...spec.keys, ...spec.channels].map((r) => fill(r, prefixes)),
  ];
}

export interface AclUser {
  name: string;
  rules: string[];
  /** Clear-text password; written to the file only as its SHA-256 (`#<hex>`). */
  password: string;
}

/** One line of an ACL file (`aclfile` in redis.conf); the default user is switched off by `aclFile`. */
export function aclLine(user: AclUser): string {
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(user.name)) throw new Error(`invalid ACL user name ${JSON.stringify(user.name)}`);
  const hash = createHash('sha256').update(user.password).digest('hex');
  return ['user', user.name, 'on', `#${hash}`, ...user.rules].join(' ');
}

/** A complete ACL file: the given users, `default` switched off. */
export function aclFile(users: readonly AclUser[]): string {
  return ['user default off', ...users.map(aclLine)].join('\n') + '\n';
}
