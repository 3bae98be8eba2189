import { Provider } from '@nestjs/common';
import { AgentRegistration, RegistryClient } from '@app/contracts';
import { APP_CONFIG, AppConfig } from '@app/config';
import { injectTraceHeaders } from '@app/observability';

/** What a host registers: every field the registry's contract has, none left to its defaults. */
export type RegistrationBody = Required<AgentRegistration>;

/** The contract's registry client with the host's credential (bound to its agent ids) and trace headers. */
export const registryClientProvider: Provider = {
  provide: RegistryClient,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig) =>
    new RegistryClient({
      baseUrl: config.registryUrl,
      credential: config.auth.agentHostApiKey,
      decorateHeaders: injectTraceHeaders,
    }),
};
