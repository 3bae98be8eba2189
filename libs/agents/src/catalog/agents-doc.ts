import { AGENT_CATALOG } from './catalog';
import { AGENT_ROLES } from './roles';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The Markdown of docs/agents.md, generated from the catalog (`npm run docs:agents`). */
export function renderAgentsDoc(): string {
  const lines = [
    '# The agents',
    '',
    '<!-- Generated from libs/agents/src/catalog by `npm run docs:agents`; a spec fails when this file is stale. Do not edit by hand. -->',
    '',
    `${AGENT_CATALOG.length} agents. Roles: ${AGENT_ROLES.map((r) => `\`${r}\``).join(', ')}.`,
    '',
    '| agent_id | name | role | output_kind | max tasks | years | capabilities (proficiency) | technologies |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const a of AGENT_CATALOG) {
    const caps = a.capabilities.map((c) => `${c.capability} (${c.proficiency_level})`).join(', ');
    lines.push(
      `| ${a.agent_id} | ${cell(a.name)} | ${a.role} | ${a.output_kind} | ${a.max_concurrent_tasks} | ${a.experience_years} | ${cell(caps)} | ${cell(a.technologies.join(', '))} |`,
    );
  }
  lines.push('');
  return lines.join('\n');
}
