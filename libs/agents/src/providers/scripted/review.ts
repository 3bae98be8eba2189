import type { ReviewOutput, ReviewVerdict } from '../../outputs/output-kinds';
import type { ScriptedContext } from './scripted-context';

/** `verdict_sequence` by revision (else attempt), else `verdict`, else approve. */
function verdictFor(ctx: ScriptedContext): ReviewVerdict {
  const sequence = ctx.steering.verdict_sequence;
  if (sequence && sequence.length > 0) {
    const revision = ctx.task?.input.revision;
    const index =
      typeof revision === 'number' && Number.isInteger(revision) && revision >= 0
        ? revision
        : (ctx.task?.attempt ?? 1) - 1;
    return sequence[Math.min(index, sequence.length - 1)];
  }
  return ctx.steering.verdict ?? 'approve';
}

export function review(ctx: ScriptedContext): ReviewOutput {
  const verdict = verdictFor(ctx);
  const subject = ctx.title;
  switch (verdict) {
    case 'approve':
      return {
        verdict,
        summary: `${ctx.agent.name} approves "${subject}" (scripted review).`,
        issues: [{ severity: 'info', description: 'No blocking findings.' }],
      };
    case 'revise':
      return {
        verdict,
        summary: `${ctx.agent.name} asks for a revision of "${subject}" (scripted review).`,
        issues: [
          {
            severity: 'major',
            description: 'The explanation does not justify why each distractor is wrong.',
            suggestion: 'Explain every distractor.',
          },
        ],
      };
    case 'reject':
      return {
        verdict,
        summary: `${ctx.agent.name} rejects "${subject}" (scripted review).`,
        issues: [
          {
            severity: 'critical',
            description: 'The keyed answer is not supported by the references.',
            suggestion: 'Rewrite the item from the guideline.',
          },
        ],
      };
  }
}
