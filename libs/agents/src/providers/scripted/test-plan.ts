import type { TestPlanOutput } from '../../outputs/output-kinds';
import type { ScriptedContext } from './scripted-context';

export function testPlan(ctx: ScriptedContext): TestPlanOutput {
  const has = (c: string) => ctx.agent.capabilities.some((x) => x.capability === c);
  const types = has('load_testing')
    ? (['performance', 'performance', 'integration'] as const)
    : has('llm_evaluation')
      ? (['clinical_accuracy', 'integration', 'manual'] as const)
      : (['unit', 'integration', 'e2e'] as const);
  return {
    summary: `${ctx.agent.name}: test plan for "${ctx.title}" (scripted).`,
    scope: ctx.brief || ctx.title,
    test_cases: types.map((type, i) => ({
      id: `TC-${i + 1}`,
      title: `${type} check ${i + 1} for ${ctx.title}`,
      type,
      steps: ['Prepare the input data', `Exercise ${ctx.title}`, 'Record the outcome'],
      expected_result: 'The observed behaviour matches the requirement.',
    })),
    risks: ['Test data may not reflect production'],
  };
}
