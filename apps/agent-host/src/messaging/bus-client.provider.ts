import { Provider } from '@nestjs/common';
import { ApiKeysService, hostSigner } from '@app/auth';
import { APP_CONFIG, AppConfig } from '@app/config';
import { RedisStreamsClient } from '@app/transport';

/** The agent host's transport client: results to the orchestrator and agent-to-agent messages. */
export const BUS_CLIENT = Symbol('BUS_CLIENT');

export const busClientProvider: Provider = {
  provide: BUS_CLIENT,
  inject: [APP_CONFIG, ApiKeysService],
  useFactory: async (config: AppConfig, keys: ApiKeysService) => {
    const key = config.auth.agentHostApiKey;
    if (key === undefined && config.auth.mode === 'on') {
      // Without it every registration is refused and every report dead-lettered: stop at once instead.
      throw new Error("AGENT_HOST_API_KEY is required with AUTH_MODE=on (a key bound to this host's agent ids)");
    }
    // With auth on, the orchestrator accepts only reports signed by a credential bound to the agent.
    const signer = key === undefined ? undefined : await hostSigner(keys, key);
    if (key !== undefined && signer === undefined) {
      throw new Error('AGENT_HOST_API_KEY is not a live API key (unknown or revoked): reports could not be signed');
    }
    return new RedisStreamsClient({
      url: config.redisUrl,
      keyPrefix: config.transportKeyPrefix,
      from: config.agentHostInstanceId,
      requestTimeoutMs: config.agentAskTimeoutSeconds * 1000,
      signer: signer && { keyId: signer.keyId, secret: signer.secret },
    });
  },
};
