/**
 * Deadlines for a whole call (every attempt, every backoff wait), expressed as an AbortSignal so
 * that one mechanism ends a request in flight, a backoff sleep and a body being read. A caller's
 * own `AbortSignal.timeout()` is the same thing and ends the same way: with an S3NetworkError
 * whose code is 'DeadlineExceeded', and whose cause is the failure that made the call run long.
 */
import { S3ConfigError } from './config-error.js';
import { S3NetworkError, type NetworkErrorContext } from './errors.js';

/** What every call accepts to bound it in time. */
export interface CallOptions {
  /** Ends the call when it aborts; a signal from `AbortSignal.timeout(ms)` is a deadline. */
  signal?: AbortSignal;
  /**
   * Time for the whole call, ms: every attempt, backoff wait and (for get()) the body's read,
   * resumptions included. Overrides the client's `deadlineMs`. `timeoutMs` still bounds each attempt.
   */
  deadlineMs?: number;
}

export function checkDeadline(deadlineMs: number | undefined, field = 'deadlineMs'): void {
  if (deadlineMs !== undefined && !(Number.isFinite(deadlineMs) && deadlineMs > 0)) {
    throw new S3ConfigError('InvalidDeadline', `${field} must be a positive number of milliseconds, got ${String(deadlineMs)}.`);
  }
}

/** The caller's signal combined with a deadline `deadlineMs` from now (either may be absent). */
export function callSignal(signal: AbortSignal | undefined, deadlineMs: number | undefined): AbortSignal | undefined {
  if (deadlineMs === undefined) return signal;
  checkDeadline(deadlineMs);
  const deadline = AbortSignal.timeout(deadlineMs);
  return signal ? AbortSignal.any([signal, deadline]) : deadline;
}

/** A reason that means "time ran out": AbortSignal.timeout()'s TimeoutError, or a deadline error already made. */
export function isDeadlineReason(reason: unknown): boolean {
  if (reason instanceof S3NetworkError) return reason.code === 'DeadlineExceeded';
  return reason instanceof DOMException && reason.name === 'TimeoutError';
}

/**
 * What a call whose signal aborted ends with: a typed deadline error for a timeout; otherwise the
 * signal's reason, unchanged (the caller's own abort, or the first failure that stopped a transfer).
 */
export function abortedError(signal: AbortSignal, context: NetworkErrorContext, lastFailure?: unknown): unknown {
  const reason: unknown = signal.reason;
  if (!isDeadlineReason(reason)) return reason;
  // Already turned into the deadline error further down (a body read, a part): keep that one.
  if (lastFailure instanceof S3NetworkError && isDeadlineReason(lastFailure)) return lastFailure;
  return reason instanceof S3NetworkError && lastFailure === undefined ? reason : S3NetworkError.deadline(context, lastFailure, reason);
}

/** signal.throwIfAborted(), with a timeout turned into the typed deadline error. */
export function throwIfAborted(signal: AbortSignal | undefined, context: NetworkErrorContext): void {
  if (signal?.aborted) throw abortedError(signal, context);
}
