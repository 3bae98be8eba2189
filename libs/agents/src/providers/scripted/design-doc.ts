import type { DesignDocOutput } from '../../outputs/output-kinds';
import { ScriptedContext, slug } from './scripted-context';

export function designDoc(ctx: ScriptedContext): DesignDocOutput {
  const techs = ctx.agent.technologies.slice(0, 3);
  return {
    title: `Design: ${ctx.title}`,
    summary: `${ctx.agent.name} proposes a design for "${ctx.title}" built on ${techs.join(', ')} (scripted output, not a model's work).`,
    components: techs.map((tech, i) => ({
      name: `${tech} component ${i + 1}`,
      responsibility: `Handles the ${['interface', 'core logic', 'persistence'][i] ?? 'support'} of ${ctx.title} using ${tech}.`,
    })),
    interfaces: [
      {
        name: `${slug(ctx.title)}-api`,
        description: 'JSON over HTTP with snake_case fields and explicit error codes.',
      },
    ],
    decisions: [
      {
        decision: `Use ${techs[0] ?? 'the existing stack'}`,
        rationale: `It is ${ctx.agent.name}'s primary tool and already in use.`,
      },
    ],
    risks: [
      {
        risk: 'Requirements may change during implementation',
        mitigation: 'Keep interfaces versioned and review the design after the first iteration.',
      },
    ],
    open_questions: ctx.dice.next(2) === 0 ? [] : ['Which load should the first release support?'],
  };
}
