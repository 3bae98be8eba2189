import { Inject, Injectable } from '@nestjs/common';
import { createRemoteJWKSet, JWTPayload, jwtVerify } from 'jose';
import { APP_CONFIG, AppConfig } from '@app/config';
import type { Principal } from '../principal';

/** Scopes from a claim that is either a space-separated string (`scope`) or an array (`scp`, `permissions`). */
export function scopesFromClaim(payload: JWTPayload, claim: string): string[] {
  const value = payload[claim];
  if (typeof value === 'string') return value.split(/\s+/).filter((s) => s !== '');
  if (Array.isArray(value)) return value.filter((s): s is string => typeof s === 'string');
  return [];
}

/** OIDC bearer tokens: signature against the provider's JWKS (cached by jose), issuer, audience, expiry. */
@Injectable()
export class OidcVerifier {
  private readonly jwks?: ReturnType<typeof createRemoteJWKSet>;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    const oidc = config.auth.oidc;
    if (oidc) this.jwks = createRemoteJWKSet(new URL(oidc.jwksUrl));
  }

  get enabled(): boolean {
    return this.jwks !== undefined;
  }

  /** The principal of a valid token, or undefined for any invalid one (the reason is not told to the caller). */
  async verify(token: string): Promise<Principal | undefined> {
    const oidc = this.config.auth.oidc;
    if (!oidc || !this.jwks) return undefined;
    try {
      const { payload } = await jwtVerify(token, this.jwks, { issuer: oidc.issuer, audience: oidc.audience });
      const sub = payload.sub ?? 'unknown';
      const name =
        typeof payload.preferred_username === 'string'
          ? payload.preferred_username
          : typeof payload.email === 'string'
            ? payload.email
            : sub;
      return { id: `oidc:${sub}`, kind: 'oidc', name, scopes: scopesFromClaim(payload, oidc.scopesClaim) };
    } catch {
      return undefined;
    }
  }
}
