import { ModelErrorKind, ModelProviderError } from './model-provider';

/** The error classes both official SDKs export under the same names. */
export interface SdkErrorClasses {
  APIError: abstract new (...args: never[]) => Error & { status?: number | undefined };
  APIUserAbortError: abstract new (...args: never[]) => Error;
  APIConnectionTimeoutError: abstract new (...args: never[]) => Error;
  APIConnectionError: abstract new (...args: never[]) => Error;
}

export interface CallDescription {
  provider: string;
  model: string;
  timeoutMs: number;
  maxRetries: number;
}

function kindForStatus(status: number): ModelErrorKind {
  if (status === 429) return 'rate_limited';
  if (status === 401 || status === 403) return 'auth';
  if (status === 408) return 'timeout';
  if (status >= 500) return 'unavailable';
  return 'bad_request';
}

/**
 * Turns an SDK error into a ModelProviderError whose message says which provider, model and
 * limit were involved; the SDKs have already retried 408/409/429/5xx and timeouts by then.
 */
export function toModelError(error: unknown, sdk: SdkErrorClasses, call: CallDescription): ModelProviderError {
  if (error instanceof ModelProviderError) return error;
  const where = `${call.provider} model "${call.model}"`;
  const tries = call.maxRetries > 0 ? ` after ${call.maxRetries + 1} attempts` : '';
  if (error instanceof sdk.APIUserAbortError) return new ModelProviderError('aborted', `${where} call was aborted`);
  if (error instanceof sdk.APIConnectionTimeoutError) {
    return new ModelProviderError('timeout', `${where} timed out: no answer within ${call.timeoutMs} ms${tries}`);
  }
  if (error instanceof sdk.APIConnectionError) {
    return new ModelProviderError('unavailable', `${where} unreachable${tries}: ${error.message}`);
  }
  if (error instanceof sdk.APIError && typeof error.status === 'number') {
    const kind = kindForStatus(error.status);
    const retried = kind === 'rate_limited' || kind === 'unavailable' ? tries : '';
    return new ModelProviderError(
      kind,
      `${where} answered HTTP ${error.status}${retried}: ${error.message}`,
      error.status,
      retryAfterMs(error),
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ModelProviderError('failed', `${where} call failed: ${message}`);
}

/** A 400 that blames the structured-output parameter: the endpoint does not support it. */
export function rejectsStructuredOutput(error: unknown, sdk: SdkErrorClasses, parameterPattern: RegExp): boolean {
  return error instanceof sdk.APIError && error.status === 400 && parameterPattern.test(error.message);
}

/**
 * fetch for the SDKs: an attempt aborted by the SDK's own timeout rejects with a plain Error
 * saying "timed out", which the SDKs classify as APIConnectionTimeoutError in every JS realm
 * (inside Jest's VM sandbox Node's DOMException loses its name and reads as a connection error).
 * A caller abort is unaffected: the SDKs check the caller's signal first.
 */
export const timeoutAwareFetch: typeof fetch = async (input, init) => {
  try {
    return await fetch(input, init);
  } catch (error) {
    if (init?.signal?.aborted)
      throw new Error('model request timed out (aborted by the client timeout)', { cause: error });
    throw error;
  }
};

/** `retry-after` (seconds or an HTTP date) or `retry-after-ms` of an SDK's APIError, in ms. */
function retryAfterMs(error: unknown): number | undefined {
  const headers = (error as { headers?: unknown }).headers;
  const get = (name: string): string | null | undefined =>
    headers instanceof Headers ? headers.get(name) : (headers as Record<string, string> | undefined)?.[name];
  const ms = Number(get('retry-after-ms'));
  if (Number.isFinite(ms) && ms > 0) return ms;
  const raw = get('retry-after');
  if (!raw) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return seconds > 0 ? seconds * 1000 : undefined;
  const at = Date.parse(raw);
  return Number.isFinite(at) && at > Date.now() ? at - Date.now() : undefined;
}
