import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AGENT_CATALOG } from './catalog';
import { renderAgentsDoc } from './agents-doc';

describe('docs/agents.md', () => {
  it('is exactly what the catalog generates (run `npm run docs:agents` after changing the catalog)', () => {
    const onDisk = readFileSync(join(__dirname, '..', '..', '..', '..', 'docs', 'agents.md'), 'utf8');
    expect(onDisk).toBe(renderAgentsDoc());
  });

  it('has one table row per agent', () => {
    const rows = renderAgentsDoc()
      .split('\n')
      .filter((l) => /^\| [A-Z]+-\d{3} \|/.test(l));
    expect(rows.map((r) => r.split('|')[1].trim())).toEqual(AGENT_CATALOG.map((a) => a.agent_id));
  });
});
