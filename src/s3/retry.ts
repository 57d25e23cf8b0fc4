/**
 * Retry policy, written once for every operation, in the spirit of the AWS SDKs' "standard" mode
 * (https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html):
 * - exponential backoff with full jitter (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/),
 *   from a larger base for throttling answers than for transient ones, capped, and never shorter
 *   than a `Retry-After` the server sent;
 * - a client-wide retry budget (a token bucket): every retry spends tokens, every success earns
 *   some back, so a store in trouble is not hammered by every request in flight retrying at once.
 * Which failures are worth another try is decided by the errors themselves (`retryable`).
 */

export interface RetryPolicy {
  /** Retries after the first attempt (0 disables retrying). */
  readonly retries: number;
  /** Backoff base for transient failures (resets, 500s, timeouts). */
  readonly baseDelayMs: number;
  /** Backoff base for throttling answers (SlowDown, 503, 429, RequestLimitExceeded…). */
  readonly throttleBaseDelayMs: number;
  /** No single wait is longer, whatever the attempt or Retry-After. */
  readonly maxDelayMs: number;
  /** Size of the client-wide retry budget in tokens (a retry costs 5, 10 after a timeout); 0 turns the budget off. */
  readonly budget: number;
}

/** The SDKs' standard-mode figures: 100 ms / 500 ms bases, 20 s cap, 500 tokens. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  retries: 3,
  baseDelayMs: 100,
  throttleBaseDelayMs: 500,
  maxDelayMs: 20_000,
  budget: 500,
};

/** Costs as in the AWS SDKs: a timeout is more likely a sick store than a blip, so it costs more. */
const RETRY_COST = 5;
const TIMEOUT_RETRY_COST = 10;
const SUCCESS_REWARD = 1;

/** What the policy needs to know about a failure. */
export interface RetryableFailure {
  readonly code: string;
  /** Absent (or 0) when no HTTP answer arrived. */
  readonly statusCode?: number;
  readonly retryable: boolean;
}

export const THROTTLING_CODES: ReadonlySet<string> = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequests',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'TransactionInProgressException',
  'RequestLimitExceeded',
  'BandwidthLimitExceeded',
  'LimitExceededException',
  'PriorRequestNotComplete',
  'EC2ThrottledException',
]);

export const TIMEOUT_CODES: ReadonlySet<string> = new Set([
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** A "slow down" answer: by code, or by status (429 Too Many Requests, 503 as S3 sends SlowDown). */
export function isThrottling(failure: RetryableFailure): boolean {
  return THROTTLING_CODES.has(failure.code) || failure.statusCode === 429 || failure.statusCode === 503;
}

export function isTimeout(failure: RetryableFailure): boolean {
  return TIMEOUT_CODES.has(failure.code);
}

/**
 * Full jitter: a uniformly random delay in [0, min(max, base * 2^attempt)), `attempt` counting from 0,
 * the base chosen by the kind of failure; at least `retryAfterMs` when the server asked for it.
 */
export function backoffDelay(
  attempt: number,
  policy: RetryPolicy,
  failure?: RetryableFailure,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  const base = failure !== undefined && isThrottling(failure) ? policy.throttleBaseDelayMs : policy.baseDelayMs;
  const ceiling = Math.min(policy.maxDelayMs, base * 2 ** attempt);
  const jittered = Math.floor(random() * ceiling);
  return Math.min(policy.maxDelayMs, Math.max(jittered, retryAfterMs ?? 0));
}

/** `Retry-After` in ms: delta-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * The client-wide retry budget: a token bucket shared by every request of one client. A retry
 * takes tokens; when the bucket is empty the failure is returned at once instead of retried. Each
 * success puts tokens back (what its last retry cost, or 1), so a healthy store refills it.
 */
export class RetryBudget {
  readonly #capacity: number;
  #tokens: number;

  constructor(capacity: number) {
    this.#capacity = capacity;
    this.#tokens = capacity;
  }

  get tokens(): number {
    return this.#tokens;
  }

  /** Takes the cost of retrying after `failure`; returns that cost, or undefined when the budget is spent. */
  take(failure: RetryableFailure): number | undefined {
    if (this.#capacity === 0) return 0;
    const cost = isTimeout(failure) ? TIMEOUT_RETRY_COST : RETRY_COST;
    if (this.#tokens < cost) return undefined;
    this.#tokens -= cost;
    return cost;
  }

  /** A call succeeded: `lastCost` is what its last retry took (undefined when it needed none). */
  succeeded(lastCost: number | undefined): void {
    this.#tokens = Math.min(this.#capacity, this.#tokens + (lastCost ?? SUCCESS_REWARD));
  }
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
