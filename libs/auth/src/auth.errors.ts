import { HttpException } from '@nestjs/common';

/** 401/403/429 in the uniform error body, with a code the clients can switch on. */
export class AuthException extends HttpException {
  constructor(status: 401 | 403 | 429, code: string, message: string) {
    super({ message, code }, status);
  }
}

export const AuthErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  AGENT_NOT_BOUND: 'AGENT_NOT_BOUND',
  RATE_LIMITED: 'RATE_LIMITED',
  TOO_MANY_STREAMS: 'TOO_MANY_STREAMS',
} as const;
