import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { formatIssue, KnownAgents, validateWorkflowDefinition, WorkflowDefinition } from '@app/contracts';

/** A definition file that cannot be used: start-up stops with the file and every problem in it. */
export class WorkflowDefinitionError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`invalid workflow definition ${file}:\n  - ${problems.join('\n  - ')}`);
    this.name = 'WorkflowDefinitionError';
  }
}

/** Reads and validates every *.json in a folder; the file name (without .json) must equal the workflow's name. */
export function loadDefinitions(dir: string, known?: KnownAgents): Map<string, WorkflowDefinition> {
  const folder = resolve(dir);
  let files: string[];
  try {
    files = readdirSync(folder)
      .filter((f) => f.endsWith('.json'))
      .sort();
  } catch (error) {
    throw new WorkflowDefinitionError(folder, [`cannot read the folder: ${(error as Error).message}`]);
  }
  if (files.length === 0) throw new WorkflowDefinitionError(folder, ['no *.json workflow definitions in the folder']);
  const definitions = new Map<string, WorkflowDefinition>();
  for (const file of files) {
    const path = join(folder, file);
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new WorkflowDefinitionError(path, [`not valid JSON: ${(error as Error).message}`]);
    }
    const problems = validateWorkflowDefinition(raw, known).map(formatIssue);
    const name = (raw as { name?: unknown }).name;
    if (problems.length === 0 && `${String(name)}.json` !== file)
      problems.push(`name: "${String(name)}" must match the file name ${file}`);
    if (problems.length > 0) throw new WorkflowDefinitionError(path, problems);
    definitions.set(String(name), raw as WorkflowDefinition);
  }
  return definitions;
}
