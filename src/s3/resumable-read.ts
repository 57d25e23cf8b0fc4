/**
 * An object's bytes as one Node stream that survives a broken connection: when the body fails
 * halfway (reset, truncated, stalled past the timeout), the rest is asked for again, from the byte
 * reached, with `Range` and `If-Match: <etag>` (what `wget -c` does; the Azure and Go SDKs retry
 * reads the same way). If the object changed meanwhile, the server answers 412 and the stream fails
 * with S3Error 'ObjectChanged': two versions are never spliced together.
 *
 * One module for every reader of object bytes: get()'s body (Node stream, web stream, bytes(),
 * text()), download(), and anything that reads byte ranges in parallel on top of it.
 */
import { Readable } from 'node:stream';
import { abortedError } from './deadline.js';
import { recordAttempts, S3Error, S3NetworkError } from './errors.js';
import { headerValue, type S3Response } from './pipeline.js';
import { backoffDelay, sleep, type RetryPolicy } from './retry.js';

/** Where a read stands: the object version it reads and the absolute byte span it covers. */
export interface ReadSpan {
  /** The ETag of the version being read: every resumption must match it. */
  readonly etag: string | undefined;
  /** First byte of the span (absolute offset in the object). */
  readonly start: number;
  /** Last byte of the span, inclusive; -1 for an empty span. */
  readonly end: number;
  /** The object's full size, when the answer said. */
  readonly objectSize: number | undefined;
}

/** The span an answer covers: from `Content-Range` for 206, else the whole object. Undefined if its length is unknown. */
export function spanOf(response: Pick<S3Response, 'statusCode' | 'headers'>): ReadSpan | undefined {
  const etag = headerValue(response.headers, 'etag');
  const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(headerValue(response.headers, 'content-range') ?? '');
  if (response.statusCode === 206 && range) {
    const objectSize = range[3] === '*' ? undefined : Number(range[3]);
    return { etag, start: Number(range[1]), end: Number(range[2]), objectSize };
  }
  const length = headerValue(response.headers, 'content-length');
  if (length === undefined || !/^\d+$/.test(length)) return undefined;
  return { etag, start: 0, end: Number(length) - 1, objectSize: Number(length) };
}

/** Asks for bytes `from`..`span.end` of the version `span.etag` again (a GET with Range and If-Match). */
export type Reopen = (from: number, span: ReadSpan, signal: AbortSignal | undefined) => Promise<S3Response>;

export interface ResumableReadOptions {
  /** Resumptions allowed after the first answer (the client's `retries`), with its backoff between them. */
  readonly retry: RetryPolicy;
  readonly reopen: Reopen;
  readonly signal?: AbortSignal | undefined;
  /** For errors: what is being read. */
  readonly bucket: string;
  readonly key: string;
}

/**
 * A Readable of the span `first` answered with, resumed through `options.reopen` after a failure.
 * Without an ETag or a known length nothing can be resumed safely: a failure then ends the stream.
 * Every failure is an S3Error or S3NetworkError (with the attempt count), never undici's own.
 */
export class ResumableRead extends Readable {
  readonly span: ReadSpan | undefined;
  readonly #options: ResumableReadOptions;
  #source: Readable | undefined;
  /** Absolute offset of the next byte to deliver. */
  #next: number;
  #attempts = 1;

  constructor(first: S3Response, options: ResumableReadOptions) {
    super();
    this.span = spanOf(first);
    this.#options = options;
    this.#next = this.span?.start ?? 0;
    this.#attach(first.body);
  }

  /** Bytes delivered so far. */
  get bytesRead(): number {
    return this.#next - (this.span?.start ?? 0);
  }

  override _read(): void {
    this.#source?.resume();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#detach();
    callback(error);
  }

  #attach(source: Readable): void {
    this.#source = source;
    source.on('data', (chunk: Buffer) => {
      this.#next += chunk.length;
      if (!this.push(chunk)) source.pause();
    });
    source.once('end', () => {
      if (this.span === undefined || this.#next > this.span.end) this.push(null);
      else void this.#resume(new Error(`the body ended at byte ${this.#next}, before byte ${this.span.end}`));
    });
    source.once('error', (error) => void this.#resume(error));
  }

  #detach(): void {
    const source = this.#source;
    this.#source = undefined;
    // A source read to its end has nothing left to stop (the usual end of every read).
    if (!source || source.readableEnded) return;
    source.removeAllListeners('data');
    source.removeAllListeners('end');
    // A late error from the stream we gave up on must not crash the process.
    source.on('error', () => undefined);
    source.destroy();
  }

  async #resume(cause: unknown): Promise<void> {
    this.#detach();
    if (this.destroyed) return;
    const { retry, signal, bucket, key, reopen } = this.#options;
    const context = { method: 'GET', bucket, key, attempts: this.#attempts };
    const failure = cause instanceof S3Error || cause instanceof S3NetworkError ? cause : S3NetworkError.from(cause, context);
    if (signal?.aborted) {
      this.destroy(toError(abortedError(signal, context, failure)));
      return;
    }
    const span = this.span;
    const resumable = span !== undefined && span.etag !== undefined && failure.retryable;
    if (!resumable || this.#attempts > retry.retries) {
      this.destroy(recordAttempts(failure, this.#attempts));
      return;
    }
    try {
      await sleep(backoffDelay(this.#attempts - 1, retry, failure), signal);
      this.#attempts++;
      const response = await reopen(this.#next, span, signal);
      const resumed = spanOf(response);
      if (resumed?.start !== this.#next || resumed.end !== span.end || resumed.etag !== span.etag) {
        response.body.destroy();
        throw objectChanged(bucket, key, span, `the answer covers ${resumed ? `${resumed.start}-${resumed.end} of ${String(resumed.etag)}` : 'an unknown range'}`);
      }
      if (this.destroyed) {
        response.body.destroy();
        return;
      }
      this.#attach(response.body);
    } catch (error) {
      if (signal?.aborted) this.destroy(toError(abortedError(signal, { ...context, attempts: this.#attempts }, failure)));
      else this.destroy(toError(changedOr(error, bucket, key, span)));
    }
  }
}

/** Answers to a resumption that mean the version being read is gone: replaced (If-Match failed) or deleted. */
const CHANGED_CODES: ReadonlySet<string> = new Set(['PreconditionFailed', 'NoSuchKey', 'NotFound']);

/** A resumption's failure, as the reader should see it: ObjectChanged when the version read is gone. */
export function changedOr(error: unknown, bucket: string, key: string, span: ReadSpan): unknown {
  return error instanceof S3Error && CHANGED_CODES.has(error.code) ? objectChanged(bucket, key, span, error.message) : error;
}

/** The object was replaced (or deleted) while it was being read. */
export function objectChanged(bucket: string, key: string, span: { readonly etag?: string | undefined }, detail: string): S3Error {
  return new S3Error({
    code: 'ObjectChanged',
    statusCode: 412,
    method: 'GET',
    bucket,
    key,
    message: `The object changed while it was read (ETag was ${String(span.etag)}): ${detail}. Read it again from the start.`,
  });
}

function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
