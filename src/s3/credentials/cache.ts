/**
 * The credentials cache: hands out credentials to the request pipeline and refreshes expiring ones
 * before they expire, once, however many requests ask.
 */
import { S3CredentialsError } from '../errors.js';
import type { Credentials, CredentialsInput, CredentialsProvider } from './types.js';

export interface CredentialsCacheOptions {
  /** Refresh this long before `expiration`. Default 5 minutes. */
  refreshBeforeMs?: number;
  /** Clock, in ms since the epoch. Tests pass a fake one. */
  now?: () => number;
  /** Told when a refresh failed but the previous credentials, still valid, keep being served. */
  onRefreshError?: (error: S3CredentialsError) => void;
}

const DEFAULT_REFRESH_BEFORE_MS = 5 * 60_000;
// After a failed refresh while the old credentials still work, wait this long before trying again,
// so a broken provider is not called by every request until expiry.
const RETRY_AFTER_FAILURE_MS = 10_000;

/**
 * Hands out credentials to the request pipeline. Static credentials are validated once and returned
 * as they are. Provider credentials are fetched on first use and refreshed `refreshBeforeMs` before
 * `expiration` (or at half their remaining lifetime, if that is shorter), by one provider call that
 * every concurrent `get()` shares.
 *
 * @example
 * const cache = new CredentialsCache(defaultCredentialsProvider());
 * const creds = cache.peek() ?? (await cache.get());
 */
export class CredentialsCache {
  readonly #provider: CredentialsProvider | undefined;
  readonly #static: Promise<Credentials> | undefined;
  readonly #staticValue: Credentials | undefined;
  readonly #refreshBeforeMs: number;
  readonly #now: () => number;
  readonly #onRefreshError: ((error: S3CredentialsError) => void) | undefined;
  #current: Credentials | undefined;
  #refreshAt = 0;
  #retryNotBefore = 0;
  #inflight: Promise<Credentials> | undefined;

  constructor(source: CredentialsInput, opts: CredentialsCacheOptions = {}) {
    if (typeof source === 'function') {
      this.#provider = source;
    } else {
      validateCredentials(source, 'the credentials passed to the client');
      this.#staticValue = source;
      this.#static = Promise.resolve(source);
    }
    this.#refreshBeforeMs = opts.refreshBeforeMs ?? DEFAULT_REFRESH_BEFORE_MS;
    this.#now = opts.now ?? Date.now;
    this.#onRefreshError = opts.onRefreshError;
  }

  /** The cached credentials if they need no refresh, without a promise; else `undefined` (call `get()`). */
  peek(): Credentials | undefined {
    return this.#staticValue ?? this.#usable(this.#now());
  }

  get(): Promise<Credentials> {
    if (this.#static) return this.#static;
    const cached = this.#usable(this.#now());
    if (cached) return Promise.resolve(cached);
    if (!this.#inflight) {
      // Cleared in a later microtask than the one that assigns it, even if the provider throws
      // synchronously, and before any waiter resumes: a waiter that retries starts a new refresh.
      this.#inflight = this.#refresh().finally(() => {
        this.#inflight = undefined;
      });
    }
    return this.#inflight;
  }

  /** Forgets provider credentials, e.g. after an ExpiredToken error; the next `get()` fetches new ones. No-op for static credentials. */
  invalidate(): void {
    this.#current = undefined;
    this.#refreshAt = 0;
    this.#retryNotBefore = 0;
  }

  #usable(now: number): Credentials | undefined {
    const c = this.#current;
    if (!c) return undefined;
    if (now < this.#refreshAt) return c;
    // In the refresh window after a failed refresh: keep serving what still works.
    if (now < this.#retryNotBefore && isValidAt(c, now)) return c;
    return undefined;
  }

  async #refresh(): Promise<Credentials> {
    const provider = this.#provider;
    if (!provider) throw new Error('unreachable: static credentials never refresh');
    try {
      const fresh = await callProvider(provider);
      const now = this.#now();
      if (!isValidAt(fresh, now)) {
        throw new S3CredentialsError(
          'CredentialsExpired',
          `The credentials provider returned credentials that expired at ${fresh.expiration?.toISOString() ?? '?'}.`,
        );
      }
      this.#current = fresh;
      this.#refreshAt = refreshTime(fresh, now, this.#refreshBeforeMs);
      this.#retryNotBefore = 0;
      return fresh;
    } catch (cause) {
      const error = asCredentialsError(cause);
      const now = this.#now();
      const previous = this.#current;
      if (previous && isValidAt(previous, now)) {
        this.#retryNotBefore = now + RETRY_AFTER_FAILURE_MS;
        this.#onRefreshError?.(error);
        return previous;
      }
      throw error;
    }
  }
}

async function callProvider(provider: CredentialsProvider): Promise<Credentials> {
  const creds = await provider();
  validateCredentials(creds, 'the credentials provider');
  return creds;
}

function isValidAt(c: Credentials, now: number): boolean {
  return c.expiration === undefined || now < c.expiration.getTime();
}

/** `refreshBeforeMs` ahead of expiry, or half the remaining lifetime for short-lived credentials,
 * so 3-minute credentials with a 5-minute margin do not trigger a refresh on every request. */
function refreshTime(c: Credentials, now: number, refreshBeforeMs: number): number {
  if (c.expiration === undefined) return Number.POSITIVE_INFINITY;
  const expiry = c.expiration.getTime();
  return expiry - Math.min(refreshBeforeMs, (expiry - now) / 2);
}

function asCredentialsError(e: unknown): S3CredentialsError {
  if (e instanceof S3CredentialsError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new S3CredentialsError('CredentialsProviderError', `The credentials provider failed: ${message}`, { cause: e });
}

/**
 * Rejects credentials that cannot sign: empty keys, and keys with whitespace (a trailing newline
 * copied from a file gives SignatureDoesNotMatch far from its cause). Names the source, never the secret.
 */
export function validateCredentials(c: Credentials, source: string): void {
  const problems: string[] = [];
  if (typeof c.accessKeyId !== 'string' || c.accessKeyId === '') problems.push('the access key id is empty');
  else if (/\s/.test(c.accessKeyId)) problems.push('the access key id contains whitespace');
  if (typeof c.secretAccessKey !== 'string' || c.secretAccessKey === '') problems.push('the secret access key is empty');
  else if (/\s/.test(c.secretAccessKey)) problems.push('the secret access key contains whitespace (a trailing newline?)');
  if (c.expiration !== undefined && !(c.expiration instanceof Date && !Number.isNaN(c.expiration.getTime()))) {
    problems.push('expiration is not a valid Date');
  }
  if (problems.length > 0) {
    throw new S3CredentialsError('InvalidCredentials', `Invalid credentials from ${source}: ${problems.join('; ')}.`);
  }
}
