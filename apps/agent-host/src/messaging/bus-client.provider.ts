import { Provider } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { RedisStreamsClient } from '@app/transport';

/** The agent host's transport client: results to the orchestrator and agent-to-agent messages. */
export const BUS_CLIENT = Symbol('BUS_CLIENT');

export const busClientProvider: Provider = {
  provide: BUS_CLIENT,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig) =>
    new RedisStreamsClient({
      url: config.redisUrl,
      keyPrefix: config.transportKeyPrefix,
      from: config.agentHostInstanceId,
      requestTimeoutMs: config.agentAskTimeoutSeconds * 1000,
    }),
};
