import { bindHost } from '@app/auth';
import { enforceShutdownDeadline, exitOnStartupFailure, loadConfigOrExit, startWhenAvailable } from '@app/edge';
import { assertA2aPublicUrls, assertAuthConfigured } from '@app/config';
import { startTracing } from '@app/observability';
import { createOrchestratorApp } from './orchestrator.bootstrap';
import { WorkflowDefinitionError } from './workflows/definition/definition-loader';

async function main(): Promise<void> {
  const config = loadConfigOrExit('orchestrator', (c) => {
    assertAuthConfigured(c);
    assertA2aPublicUrls(c, 'orchestrator');
  });
  startTracing(config.tracing, 'orchestrator'); // before anything else, so every span and log line sees it
  try {
    // Waits out PostgreSQL/Redis outages before and during start-up instead of exiting.
    await startWhenAvailable({ ...config, port: config.orchestratorPort }, async () => {
      const app = await createOrchestratorApp(config);
      try {
        await app.listen({ port: config.orchestratorPort, host: bindHost(config) });
      } catch (error) {
        await app.close().catch(() => undefined);
        throw error;
      }
    });
    enforceShutdownDeadline(config.shutdownGraceSeconds);
  } catch (error) {
    if (error instanceof WorkflowDefinitionError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG: a bad workflow file stops start-up
    }
    exitOnStartupFailure(error, 'Orchestrator');
  }
}

void main();
