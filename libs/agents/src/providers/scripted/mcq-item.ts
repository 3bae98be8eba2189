import type { McqItemOutput } from '../../outputs/output-kinds';
import type { ScriptedContext } from './scripted-context';

const DISTRACTORS = [
  'Reassurance and routine follow-up in 12 months',
  'Immediate surgical referral without further evaluation',
  'Empiric broad-spectrum antibiotics',
  'Repeat the same test in 6 months before any treatment',
  'Discharge with over-the-counter analgesia',
];

export function mcqItem(ctx: ScriptedContext): McqItemOutput {
  const topic = typeof ctx.task?.input.topic === 'string' ? ctx.task.input.topic : ctx.title;
  const specialty = ctx.agent.specializations[0] ?? ctx.agent.name;
  const count = 4 + ctx.dice.next(2);
  const keys = ['A', 'B', 'C', 'D', 'E'].slice(0, count);
  const correctIndex = ctx.dice.next(count);
  const distractors = [...DISTRACTORS];
  const texts = keys.map((_, i) =>
    i === correctIndex
      ? `Guideline-directed management of ${topic}`
      : distractors.splice(ctx.dice.next(distractors.length), 1)[0],
  );
  const age = 30 + ctx.dice.next(50);
  return {
    topic,
    stem: `A ${age}-year-old patient is seen in ${specialty.toLowerCase()} with a presentation typical of ${topic}. Which of the following is the most appropriate next step in management?`,
    options: keys.map((key, i) => ({ key, text: texts[i] })),
    correct_key: keys[correctIndex],
    explanation: `Guideline-directed management is indicated for ${topic}; the other options delay effective treatment or treat the wrong problem. (Scripted item by ${ctx.agent.agent_id}, not clinical content.)`,
    references: ctx.agent.technologies.slice(0, 2),
    difficulty: ctx.dice.pick(['easy', 'medium', 'hard'] as const),
  };
}
