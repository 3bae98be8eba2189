/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call -- prints the API's JSON */
import { Command } from 'commander';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
type Api = (method: string, path: string, body?: unknown) => Promise<Json>;

const list = (value: string): string[] =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

/** `expert-agents keys create|list|revoke` over the orchestrator's /api/auth/keys (keys:admin). */
export function addKeysCommand(cli: Command, api: Api, out: (text: string) => void, json: () => boolean): void {
  const keys = cli.command('keys').description('API keys: create (shown once), list, revoke');
  keys
    .command('create')
    .requiredOption('--name <name>')
    .requiredOption('--scopes <list>', 'comma separated, e.g. tasks:write,tasks:read (or *)', list)
    .option('--agent-ids <list>', 'agent ids an agent-host credential may act as', list)
    .option('--expires <iso>', 'expiry, e.g. 2027-01-01T00:00:00Z')
    .action(async (o: Json) => {
      const created = await api('POST', '/api/auth/keys', {
        name: o.name,
        scopes: o.scopes,
        ...(o.agentIds ? { agent_ids: o.agentIds } : {}),
        ...(o.expires ? { expires_at: o.expires } : {}),
      });
      if (json()) return out(JSON.stringify(created, null, 2));
      out(
        `key ${created.id} (${created.name}; ${created.scopes.join(',')}) — shown once, store it now:\n${created.key}`,
      );
    });
  keys
    .command('list')
    .option('--all', 'include revoked keys')
    .action(async (o: Json) => {
      const { keys: rows } = await api('GET', `/api/auth/keys${o.all ? '?include_revoked=true' : ''}`);
      if (json()) return out(JSON.stringify(rows, null, 2));
      for (const k of rows)
        out(
          `${k.id}  ${k.name.padEnd(24)} ${k.prefix}…  ${(k.scopes.join(',') || '-').padEnd(28)} ${k.agent_ids ? `agents ${k.agent_ids.join(',')}  ` : ''}last used ${k.last_used_at ?? 'never'}${k.revoked_at ? `  REVOKED ${k.revoked_at}` : ''}`,
        );
    });
  keys.command('revoke <id>').action(async (id: string) => {
    const revoked = await api('DELETE', `/api/auth/keys/${encodeURIComponent(id)}`);
    out(`key ${revoked.id} (${revoked.name}) revoked at ${revoked.revoked_at}`);
  });
}
