import { Logger } from '@nestjs/common';
import type { AppConfig } from '@app/config';

/**
 * Where an app listens: everywhere with auth on; only on loopback with AUTH_MODE=disabled, so an
 * unauthenticated process is never reachable from another machine.
 */
export function bindHost(config: AppConfig, wanted = '0.0.0.0'): string {
  if (config.auth.mode === 'on') return wanted;
  new Logger('Auth').warn('AUTH_MODE=disabled: every caller is an administrator; listening on 127.0.0.1 only');
  return '127.0.0.1';
}
