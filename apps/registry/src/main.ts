import { bindHost } from '@app/auth';
import {
  createHttpApp,
  enforceShutdownDeadline,
  exitOnStartupFailure,
  loadConfigOrExit,
  startWhenAvailable,
} from '@app/edge';
import { assertA2aPublicUrls, assertAuthConfigured } from '@app/config';
import { startTracing } from '@app/observability';
import { RegistryAppModule } from './registry-app.module';

async function main(): Promise<void> {
  const config = loadConfigOrExit('registry', (c) => {
    assertAuthConfigured(c);
    assertA2aPublicUrls(c, 'registry');
  });
  startTracing(config.tracing, 'registry'); // before anything else, so every span and log line sees it
  await startWhenAvailable({ ...config, port: config.registryPort }, async () => {
    const app = await createHttpApp(RegistryAppModule.forRoot(config), {
      title: 'expert-agents Agent Registry',
      description: 'Registration, heartbeats, liveness, discovery, capabilities and load of the agent fleet.',
      bodyLimitBytes: config.httpBodyLimitBytes,
      docsJson: config.auth.docsJson,
      maxJsonDepth: config.limits.httpJsonMaxDepth,
    });
    try {
      await app.listen({ port: config.registryPort, host: bindHost(config) });
    } catch (error) {
      await app.close().catch(() => undefined);
      throw error;
    }
  });
  enforceShutdownDeadline(config.shutdownGraceSeconds);
}

main().catch((error: unknown) => exitOnStartupFailure(error, 'Registry'));
