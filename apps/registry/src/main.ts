import { createHttpApp, enforceShutdownDeadline, loadConfigOrExit } from '@app/common';
import { RegistryAppModule } from './registry-app.module';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const app = await createHttpApp(RegistryAppModule.forRoot(config), {
    title: 'expert-agents Agent Registry',
    description: 'Registration, heartbeats, liveness, discovery, capabilities and load of the agent fleet.',
    bodyLimitBytes: config.httpBodyLimitBytes,
    maxJsonDepth: config.limits.httpJsonMaxDepth,
  });
  enforceShutdownDeadline(config.shutdownGraceSeconds);
  await app.listen({ port: config.registryPort, host: '0.0.0.0' });
}

void main();
