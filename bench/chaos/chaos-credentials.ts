import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateApiKey } from '@app/auth';

/**
 * The campaign runs the apps as in production, auth on: a provisioning file (read by registries and orchestrators)
 * with the load generator's operator key, the orchestrators' discovery key and one key per agent-host group bound to
 * that group's agents, as `npm start` and the chart hand them out.
 */
export class ChaosCredentials {
  readonly dir = mkdtempSync(join(tmpdir(), 'ea-chaos-keys-'));
  readonly keysFile = join(this.dir, 'keys.json');
  readonly operator = generateApiKey();
  readonly orchestrator = generateApiKey();
  private readonly hostKeys = new Map<string, string>();

  constructor(hostGroups: Record<string, string[]>) {
    for (const name of Object.keys(hostGroups)) this.hostKeys.set(name, generateApiKey());
    const keys = [
      { name: 'chaos-operator', key: this.operator, scopes: ['*'] },
      { name: 'chaos-orchestrator', key: this.orchestrator, scopes: ['registry:read'] },
      ...Object.entries(hostGroups).map(([name, agentIds]) => ({
        name: `chaos-host-${name}`,
        key: this.hostKey(name),
        scopes: [] as string[],
        agent_ids: agentIds,
      })),
    ];
    writeFileSync(this.keysFile, JSON.stringify({ keys }), { mode: 0o600 });
  }

  hostKey(group: string): string {
    const key = this.hostKeys.get(group);
    if (key === undefined) throw new Error(`no chaos credential for host group ${group}`);
    return key;
  }

  get headers(): Record<string, string> {
    return { authorization: `Bearer ${this.operator}` };
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
