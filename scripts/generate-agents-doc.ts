/* Writes docs/agents.md from the catalog: `npm run docs:agents`. */
import { renderAgentsDoc } from '@app/agents';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const target = join(__dirname, '..', 'docs', 'agents.md');
writeFileSync(target, renderAgentsDoc());
process.stdout.write(`wrote ${target}\n`);
