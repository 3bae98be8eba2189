import type { DeploymentPlanOutput } from '../../outputs/output-kinds';
import type { ScriptedContext } from './scripted-context';

export function deploymentPlan(ctx: ScriptedContext): DeploymentPlanOutput {
  const env = typeof ctx.task?.input.environment === 'string' ? ctx.task.input.environment : 'staging';
  return {
    summary: `${ctx.agent.name}: roll out "${ctx.title}" to ${env} (scripted plan).`,
    environment: env,
    steps: [
      {
        order: 1,
        action: 'Back up the database',
        command: 'pg_dump --format=custom',
        verification: 'Backup file exists and restores into a scratch database',
      },
      {
        order: 2,
        action: 'Apply migrations',
        command: 'npm run migration:run',
        verification: 'Migration table lists the new migration',
      },
      {
        order: 3,
        action: 'Roll out the new version',
        command: 'helm upgrade --install --atomic',
        verification: 'All pods ready',
      },
      {
        order: 4,
        action: 'Watch error rate and latency for 15 minutes',
        verification: 'Error rate and p95 latency within SLO',
      },
    ],
    rollback: [
      { order: 1, action: 'helm rollback to the previous revision' },
      { order: 2, action: 'Revert the migration if the old version cannot run on the new schema' },
    ],
    health_checks: ['GET /health returns 200', 'GET /health/ready returns 200'],
  };
}
