import { createHttpApp, enforceShutdownDeadline, loadConfigOrExit, startWhenAvailable } from '@app/common';
import { RegistryAppModule } from './registry-app.module';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  await startWhenAvailable({ ...config, port: config.registryPort }, async () => {
    const app = await createHttpApp(RegistryAppModule.forRoot(config), {
      title: 'expert-agents Agent Registry',
      description: 'Registration, heartbeats, liveness, discovery, capabilities and load of the agent fleet.',
      bodyLimitBytes: config.httpBodyLimitBytes,
    });
    try {
      await app.listen({ port: config.registryPort, host: '0.0.0.0' });
    } catch (error) {
      await app.close().catch(() => undefined);
      throw error;
    }
  });
  enforceShutdownDeadline(config.shutdownGraceSeconds);
}

void main();
