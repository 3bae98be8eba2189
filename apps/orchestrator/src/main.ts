import { Logger } from '@nestjs/common';
import { assertA2aPublicUrls } from '@app/config';
import { enforceShutdownDeadline, loadConfigOrExit } from '@app/common';
import { createOrchestratorApp } from './orchestrator.bootstrap';
import { WorkflowDefinitionError } from './workflows/definition/definition-loader';

async function main(): Promise<void> {
  const config = loadConfigOrExit((c) => assertA2aPublicUrls(c, 'orchestrator'));
  try {
    const app = await createOrchestratorApp(config);
    enforceShutdownDeadline(config.shutdownGraceSeconds);
    await app.listen({ port: config.orchestratorPort, host: '0.0.0.0' });
  } catch (error) {
    if (error instanceof WorkflowDefinitionError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG: a bad workflow file stops start-up
    }
    new Logger('Orchestrator').error(error);
    process.exit(1);
  }
}

void main();
