import { specialtyForTopic } from '../../catalog/catalog';
import type { PlanOutput } from '../../outputs/output-kinds';
import { ScriptedContext, stringList } from './scripted-context';

/** With `input.topics`, one MCQ task per topic routed to its specialty; otherwise a design → deploy pipeline. */
export function plan(ctx: ScriptedContext): PlanOutput {
  const topics = stringList(ctx.task?.input.topics);
  if (topics.length > 0) {
    return {
      summary: `One MCQ per topic (${topics.length}), each routed to the matching specialty; drafted by the scripted provider.`,
      tasks: topics.map((topic, i) => ({
        id: `t${i + 1}`,
        title: `Draft MCQ: ${topic}`,
        topic,
        description: `Write one board-style multiple-choice question on "${topic}" with a vignette, 4-5 options, one key, explanation and references.`,
        capability: specialtyForTopic(topic) ?? 'mcq_authoring',
        depends_on: [],
      })),
    };
  }
  const goal = ctx.brief || ctx.title;
  return {
    summary: `Deliver "${ctx.title}": design, build, test, review and deploy (scripted plan).`,
    tasks: [
      {
        id: 'design',
        title: `Design: ${ctx.title}`,
        description: `Write the design for: ${goal}`,
        capability: 'system_design',
        depends_on: [],
      },
      {
        id: 'build',
        title: `Implement: ${ctx.title}`,
        description: 'Implement the agreed design with tests.',
        capability: 'code_implementation',
        depends_on: ['design'],
      },
      {
        id: 'test',
        title: `Test plan: ${ctx.title}`,
        description: 'Plan unit, integration and end-to-end tests.',
        capability: 'test_planning',
        depends_on: ['build'],
      },
      {
        id: 'review',
        title: `Review: ${ctx.title}`,
        description: 'Review the change for correctness and maintainability.',
        role: 'qa_engineer',
        capability: 'code_review',
        depends_on: ['build'],
      },
      {
        id: 'deploy',
        title: `Deploy: ${ctx.title}`,
        description: 'Plan the rollout with health checks and rollback.',
        capability: 'deployment_planning',
        depends_on: ['test', 'review'],
      },
    ],
  };
}
