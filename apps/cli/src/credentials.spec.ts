import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliApiKey } from './credentials';

describe('CLI credential', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ea-cli-'));
  const file = join(dir, 'credentials.json');
  writeFileSync(
    file,
    JSON.stringify({
      keys: [
        { name: 'agent-host-qa', key: 'host' },
        { name: 'operator', key: 'op-key' },
      ],
    }),
  );

  it('prefers EXPERT_AGENTS_API_KEY, else the operator key of the credentials file, else none', () => {
    expect(cliApiKey({ EXPERT_AGENTS_API_KEY: 'env-key', EXPERT_AGENTS_CREDENTIALS: file })).toBe('env-key');
    expect(cliApiKey({ EXPERT_AGENTS_CREDENTIALS: file })).toBe('op-key');
    expect(cliApiKey({ EXPERT_AGENTS_CREDENTIALS: join(dir, 'missing.json') })).toBeUndefined();
  });
});
