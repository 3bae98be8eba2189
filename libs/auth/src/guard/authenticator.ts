import { Injectable } from '@nestjs/common';
import { looksLikeJwt } from '../keys/api-key';
import { ApiKeysService } from '../keys/api-keys.service';
import { OidcVerifier } from '../oidc/oidc.verifier';
import type { Principal } from '../principal';

/** Bearer token (API key or OIDC JWT) → one principal, whatever the credential kind. */
@Injectable()
export class Authenticator {
  constructor(
    private readonly keys: ApiKeysService,
    private readonly oidc: OidcVerifier,
  ) {}

  /** The token of an `Authorization: Bearer <token>` header value, if well formed. */
  static bearer(header: string | undefined): string | undefined {
    if (header === undefined) return undefined;
    const match = /^Bearer\s+(\S{8,4096})$/i.exec(header.trim());
    return match?.[1];
  }

  /** Synchronous for a cached API key (the hot path); a promise otherwise. */
  authenticate(token: string): Principal | undefined | Promise<Principal | undefined> {
    if (this.oidc.enabled && looksLikeJwt(token)) return this.oidc.verify(token);
    return this.keys.verify(token);
  }
}
