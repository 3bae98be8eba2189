import type { OutputKind } from '../../outputs/output-kinds';

/** Valid JSON that each kind's validator rejects (for `invalid_output`). */
export function brokenOutput(kind: OutputKind, valid: Record<string, unknown>): Record<string, unknown> {
  switch (kind) {
    case 'plan':
      return {
        ...valid,
        tasks: [
          { id: 'a', title: 'A', description: 'a', role: 'wizard', depends_on: ['b'] },
          { id: 'b', title: 'B', description: 'b', capability: 'system_design', depends_on: ['a'] },
        ],
      };
    case 'mcq_item':
      return { ...valid, options: (valid.options as unknown[]).slice(0, 3), correct_key: 'E' };
    case 'code_change':
      return { ...valid, files: [{ path: '../etc/passwd', language: 'text', content: 'x' }] };
    case 'review':
      return { ...valid, verdict: 'maybe' };
    case 'design_doc':
    case 'test_plan':
    case 'deployment_plan':
      return { summary: valid.summary };
  }
}
