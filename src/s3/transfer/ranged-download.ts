/**
 * Parallel ranged download: one object over `concurrency` connections. On real networks one
 * connection's throughput is the cap; the Go, Java and Python SDKs and s5cmd split large objects
 * into ranges the same way.
 *
 * The first answer (a GET of the first part's range) tells the object's size and ETag; every other
 * range is asked for with `If-Match: <that ETag>` (and the same versionId), so a version replaced
 * mid-download fails the download with S3Error 'ObjectChanged' rather than mixing two versions.
 * Each range is written at its offset with positional writes (no reassembly in memory: at most
 * WRITE_BATCH bytes per connection are held), and each is retried on its own from the byte it reached.
 */
import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { S3ConfigError } from '../config-error.js';
import { S3Error, S3NetworkError } from '../errors.js';
import { getObject, getResult, sendGetObject, type GetInput, type GetOutput } from '../operations/objects.js';
import { headerValue, type RequestPipeline, type S3Response } from '../pipeline.js';
import { objectChanged } from '../resumable-read.js';
import { backoffDelay, sleep } from '../retry.js';
import { addSpan, missingPieces, type Spans } from './part-file.js';

export interface RangedDownloadOptions {
  /** Bytes per range. */
  readonly partSize: number;
  /** Ranges in flight at once. */
  readonly concurrency: number;
}

export const DEFAULT_RANGE_SIZE = 8 * 1024 * 1024;
const MIN_RANGE_SIZE = 64 * 1024;

/** `concurrency` (default 1) and `partSize` (default 8 MiB, at least 64 KiB) of a read, checked. */
export function rangedOptions(input: { concurrency?: number | undefined; partSize?: number | undefined }): RangedDownloadOptions {
  const concurrency = input.concurrency ?? 1;
  const partSize = input.partSize ?? DEFAULT_RANGE_SIZE;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
    throw new S3ConfigError('InvalidConcurrency', `concurrency must be a positive integer, got ${String(concurrency)}.`);
  }
  if (!Number.isSafeInteger(partSize) || partSize < MIN_RANGE_SIZE) {
    throw new S3ConfigError('InvalidPartSize', `partSize must be an integer of at least ${MIN_RANGE_SIZE} bytes, got ${String(partSize)}.`);
  }
  return { concurrency, partSize };
}

/**
 * The first range's GET (with the caller's conditions and version). An empty object has no byte 0
 * (S3 answers 416): it is then read whole, and the answer is a 200.
 */
export function requestFirstRange(
  pipeline: RequestPipeline,
  bucket: string,
  input: GetInput,
  partSize: number,
  signal: AbortSignal | undefined,
): Promise<S3Response> {
  return sendGetObject(pipeline, bucket, { ...input, range: { start: 0, end: partSize - 1 }, signal }).catch((error: unknown) => {
    if (error instanceof S3Error && error.statusCode === 416) return sendGetObject(pipeline, bucket, { ...input, signal });
    throw error;
  });
}

/** Where a range's bytes go: written in order from their offset in the object (a file, a buffer). */
type ByteSink = (chunks: Buffer[], position: number) => Promise<void> | void;

/** What the first answer says about the object being read. */
export interface ObjectVersion {
  readonly etag: string;
  readonly size: number;
}

export interface RangedDownloadResult {
  readonly bytes: number;
  readonly etag: string | undefined;
  readonly ranges: number;
}

/** What a download over ranges reports and continues from (download.ts: onProgress and `resume`). */
export interface RangedDownloadHooks {
  /** An earlier run's version and the spans of it already on disk: only the rest is asked for, with If-Match. */
  readonly earlier?: { version: ObjectVersion; written: Spans } | undefined;
  /** The version is known (from the first answer), before any byte is written. */
  readonly onVersion?: (version: ObjectVersion) => Promise<void>;
  /** The spans on disk, after each range completes and once more when the download fails. */
  readonly onWritten?: (written: Spans) => Promise<void>;
  /** Bytes written to the file (each byte once, whatever the retries). */
  readonly onBytes?: (bytes: number) => void;
}

/**
 * Downloads `input.key` into `handle` (an open file), in ranges of `partSize`, or with
 * `hooks.earlier`, the spans an earlier run left missing. Rejects with the first failure after
 * stopping every other range; the caller removes or keeps the partial file.
 */
export async function downloadRanges(
  pipeline: RequestPipeline,
  bucket: string,
  input: GetInput,
  handle: FileHandle,
  options: RangedDownloadOptions,
  hooks: RangedDownloadHooks = {},
): Promise<RangedDownloadResult> {
  const { partSize, concurrency } = options;
  const stop = new AbortController();
  const signal = input.signal ? AbortSignal.any([input.signal, stop.signal]) : stop.signal;
  let version = hooks.earlier?.version;
  let first: S3Response | undefined;
  if (version === undefined) {
    first = await requestFirstRange(pipeline, bucket, input, partSize, signal);
    version = versionOf(first);
    if (version === undefined) {
      // A 200 for the whole object: the server ignored the range (or the object is empty); one stream it is.
      const cursor = { position: 0 };
      await writeBody(first.body, fileSink(handle, hooks.onBytes), cursor);
      return { bytes: cursor.position, etag: headerValue(first.headers, 'etag'), ranges: 1 };
    }
    await hooks.onVersion?.(version).catch((error: unknown) => {
      first?.body.destroy();
      throw error;
    });
  }
  const known = version;
  let written: Spans = hooks.earlier?.written ?? [];
  const pieces = missingPieces(written, 0, known.size - 1, partSize);
  /** Ranges being read: where each began and the cursor it has reached. */
  const inFlight = new Set<{ start: number; cursor: { position: number } }>();
  const onDisk = (): Spans => {
    let spans = written;
    for (const { start, cursor } of inFlight) if (cursor.position > start) spans = addSpan(spans, start, cursor.position - 1);
    return spans;
  };
  const readPiece = async ([start, end]: [number, number], response?: S3Response): Promise<void> => {
    const range = { start, cursor: { position: start } };
    inFlight.add(range);
    await readRangeWithRetries(pipeline, bucket, input, known, { start, end }, fileSink(handle, hooks.onBytes), signal, response, range.cursor);
    inFlight.delete(range);
    written = addSpan(written, start, end);
    await hooks.onWritten?.(onDisk());
  };

  let next = first ? 1 : 0;
  const worker = async (): Promise<void> => {
    while (next < pieces.length && !signal.aborted) await readPiece(pieces[next++]!);
  };
  const failures: unknown[] = [];
  const guard = (work: Promise<void>): Promise<void> =>
    work.catch((error: unknown) => {
      failures.push(error);
      stop.abort(error);
    });
  // The first range is already answering: its connection is one of the `concurrency`, and goes on
  // to the next ranges once it is done.
  const workers = Math.min(concurrency, pieces.length) - (first ? 1 : 0);
  await Promise.all([
    ...(first ? [guard(readPiece(pieces[0]!, first).then(worker))] : []),
    ...Array.from({ length: Math.max(0, workers) }, () => guard(worker())),
  ]);
  if (failures.length > 0) {
    // What reached the disk stays usable for the next run (resume).
    await hooks.onWritten?.(onDisk()).catch(() => undefined);
    throw input.signal?.aborted ? input.signal.reason : firstCause(failures);
  }
  return { bytes: known.size, etag: known.etag, ranges: pieces.length };
}

/** The first failure that is not just another range being stopped because of it. */
function firstCause(failures: unknown[]): unknown {
  return failures.find((error) => !(error instanceof Error && error.name === 'AbortError')) ?? failures[0];
}

/** Size and ETag from a 206 answer to a ranged GET; undefined for a 200 (the whole object). */
export function versionOf(response: S3Response): ObjectVersion | undefined {
  if (response.statusCode !== 206) return undefined;
  const range = /^bytes \d+-\d+\/(\d+)$/.exec(headerValue(response.headers, 'content-range') ?? '');
  const etag = headerValue(response.headers, 'etag');
  if (!range || etag === undefined) return undefined;
  return { etag, size: Number(range[1]) };
}

/**
 * Reads bytes `span.start`..`span.end` into the file at the same offsets. A failure after the
 * answer began (a reset, a truncated body) asks again for the bytes not yet written, up to the
 * client's retry count, with its backoff; a changed object is not retried. `cursor` (the next byte
 * to write) is the caller's to watch.
 */
export async function readRangeWithRetries(
  pipeline: RequestPipeline,
  bucket: string,
  input: GetInput,
  version: ObjectVersion,
  span: { start: number; end: number },
  sink: ByteSink,
  signal: AbortSignal,
  answered: S3Response | undefined,
  cursor = { position: span.start },
): Promise<void> {
  const { retry } = pipeline.settings;
  for (let attempt = 0; ; attempt++) {
    try {
      const response = answered ?? (await requestRange(pipeline, bucket, input, version, cursor.position, span.end, signal));
      answered = undefined;
      checkAnswer(response, version, cursor.position, span.end, bucket, input.key);
      await writeBody(response.body, sink, cursor, span.end);
      if (cursor.position > span.end) return;
      const cause = Object.assign(new Error(`the body of bytes ${span.start}-${span.end} ended early, at byte ${cursor.position}`), {
        code: 'UND_ERR_SOCKET',
      });
      throw S3NetworkError.from(cause, { method: 'GET', bucket, key: input.key });
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      const retryable = (error instanceof S3NetworkError || error instanceof S3Error) && error.retryable;
      if (!retryable || attempt >= retry.retries) throw error;
      await sleep(backoffDelay(attempt, retry), signal);
    }
  }
}

async function requestRange(
  pipeline: RequestPipeline,
  bucket: string,
  input: GetInput,
  version: ObjectVersion,
  start: number,
  end: number,
  signal: AbortSignal,
): Promise<S3Response> {
  try {
    return await sendGetObject(pipeline, bucket, {
      key: input.key,
      versionId: input.versionId,
      range: { start, end },
      ifMatch: version.etag,
      signal,
    });
  } catch (error) {
    if (error instanceof S3Error && error.statusCode === 412) throw objectChanged(bucket, input.key, version, error.message);
    throw error;
  }
}

/** A range's answer must be exactly the bytes asked for, of the same version. */
function checkAnswer(response: S3Response, version: ObjectVersion, start: number, end: number, bucket: string, key: string): void {
  const range = headerValue(response.headers, 'content-range');
  const etag = headerValue(response.headers, 'etag');
  if (response.statusCode === 206 && range === `bytes ${start}-${end}/${version.size}` && etag === version.etag) return;
  response.body.destroy();
  throw objectChanged(bucket, key, version, `asked for bytes ${start}-${end}, got ${response.statusCode} ${String(range)} of ${String(etag)}`);
}

/**
 * Bytes of one range's body queued behind a write in flight before the body is paused. The chunks
 * queued meanwhile go out in one positional writev: a handful of syscalls per MiB rather than one
 * per socket chunk (as download.ts's FILE_WRITE_BUFFER does for a single stream).
 */
const WRITE_BATCH = 1024 * 1024;

/**
 * Writes a body at `cursor.position`, advancing the cursor as bytes land, so a retry after a
 * failure continues right after them. Nothing past `end` is written. Chunks are taken from 'data'
 * events as the socket delivers them (an async iterator would join them into new buffers: a copy).
 */
export function writeBody(body: Readable, sink: ByteSink, cursor: { position: number }, end = Infinity): Promise<void> {
  return new Promise((resolve, reject) => {
    let queue: Buffer[] = [];
    let queued = 0;
    /** Bytes of the write in flight (0 when none): written at the cursor, not yet past it. */
    let writing = 0;
    let ended = false;
    let settled = false;
    /** A failure seen while a write was in flight: reported once that write has landed. */
    let failure: { error: unknown } | undefined;
    const settle = (error?: unknown): void => {
      if (settled) return;
      if (writing) {
        // The cursor must say what is on disk before the caller asks again from it: a retry sent
        // before the write in flight lands would ask for bytes the cursor then moves past.
        failure ??= { error };
        body.removeListener('data', onData);
        return;
      }
      settled = true;
      body.removeListener('data', onData);
      // Destroying an unfinished undici body emits RequestAbortedError: it is ours, not a failure.
      body.on('error', () => undefined);
      if (error === undefined) {
        // Whatever came past `end` is not wanted: the connection is released.
        if (!body.readableEnded) body.destroy();
        resolve();
        return;
      }
      body.destroy();
      // undici's body errors (reset, truncated, timed out) become S3NetworkError; file errors stay as they are.
      const code = (error as { code?: unknown }).code;
      reject(
        typeof code === 'string' && (code.startsWith('UND_ERR') || code === 'ECONNRESET' || code === 'EPIPE')
          ? S3NetworkError.from(error, { method: 'GET' })
          : error,
      );
    };
    const flush = (): void => {
      if (writing || settled) return;
      if (queue.length === 0 || cursor.position > end) {
        if (ended || cursor.position > end) settle();
        return;
      }
      const chunks = queue;
      const bytes = queued;
      queue = [];
      queued = 0;
      writing = bytes;
      Promise.resolve(sink(chunks, cursor.position)).then(
        () => {
          cursor.position += bytes;
          writing = 0;
          if (failure) return settle(failure.error);
          body.resume();
          flush();
        },
        (error: unknown) => {
          writing = 0;
          settle(error);
        },
      );
    };
    const onData = (chunk: Buffer): void => {
      const take = Math.min(chunk.byteLength, end - (cursor.position + writing + queued) + 1);
      if (take <= 0) return;
      queue.push(take < chunk.byteLength ? chunk.subarray(0, take) : chunk);
      queued += take;
      if (queued >= WRITE_BATCH) body.pause();
      flush();
    };
    body.on('data', onData);
    body.once('error', settle);
    // 'close' without 'end' (destroyed): the caller sees the bytes missing and asks again.
    for (const event of ['end', 'close']) {
      body.once(event, () => {
        ended = true;
        flush();
      });
    }
  });
}

/** Positional writes into an open file (a short write is continued), each byte counted once written. */
function fileSink(handle: FileHandle, onBytes: ((bytes: number) => void) | undefined): ByteSink {
  return async (chunks, position) => {
    let pending = chunks;
    let at = position;
    while (pending.length > 0) {
      const { bytesWritten } = await handle.writev(pending, at);
      at += bytesWritten;
      onBytes?.(bytesWritten);
      pending = dropBytes(pending, bytesWritten);
    }
  };
}

/** `chunks` less their first `bytes` bytes. */
function dropBytes(chunks: Buffer[], bytes: number): Buffer[] {
  let left = bytes;
  let index = 0;
  while (index < chunks.length && left >= chunks[index]!.byteLength) left -= chunks[index++]!.byteLength;
  const rest = chunks.slice(index);
  if (left > 0 && rest.length > 0) rest[0] = rest[0]!.subarray(left);
  return rest;
}

/**
 * The object as one ordered stream read over `concurrency` ranges at once: range k is delivered
 * whole after range k-1, while the next ones download. At most `concurrency` ranges are held (in
 * flight or waiting their turn), so memory stays at `concurrency x partSize`. `first` is the answer
 * to the first range, which `version` came from.
 */
export function orderedRangeStream(
  pipeline: RequestPipeline,
  bucket: string,
  input: GetInput,
  first: S3Response,
  version: ObjectVersion,
  options: RangedDownloadOptions,
): Readable {
  const { partSize, concurrency } = options;
  const ranges = Math.ceil(version.size / partSize);
  const stop = new AbortController();
  const signal = input.signal ? AbortSignal.any([input.signal, stop.signal]) : stop.signal;
  /** Ranges started, in order; each resolves with its bytes. */
  const window: Promise<Buffer>[] = [];
  let started = 0;
  const fetchRange = (index: number, answered?: S3Response): Promise<Buffer> => {
    const start = index * partSize;
    const end = Math.min(version.size, start + partSize) - 1;
    const bytes = Buffer.allocUnsafe(end - start + 1);
    const sink: ByteSink = (chunks, position) => {
      let at = position - start;
      for (const chunk of chunks) at += chunk.copy(bytes, at);
    };
    const done = readRangeWithRetries(pipeline, bucket, input, version, { start, end }, sink, signal, answered).then(() => bytes);
    // Failures surface when the range's turn comes; until then they must not count as unhandled.
    done.catch(() => undefined);
    return done;
  };
  const fill = (): void => {
    while (started < ranges && window.length < concurrency) window.push(fetchRange(started, started++ === 0 ? first : undefined));
  };
  let reading = false;
  const stream = new Readable({
    // One range at a time is handed on; the window holds the rest.
    highWaterMark: 0,
    read() {
      if (reading) return;
      reading = true;
      fill();
      const next = window.shift();
      if (next === undefined) {
        stream.push(null);
        return;
      }
      next.then(
        (bytes) => {
          // The window is refilled at the next read, once the consumer has taken these bytes.
          reading = false;
          stream.push(bytes);
        },
        (error: unknown) => stream.destroy(error instanceof Error ? error : new Error(String(error))),
      );
    },
    destroy(error, callback) {
      stop.abort(error ?? new Error('the stream was destroyed'));
      first.body.destroy();
      callback(error);
    },
  });
  return stream;
}

/** get() with `concurrency` > 1: the object over parallel ranges, as one ordered stream. */
export async function getInParallel(pipeline: RequestPipeline, bucket: string, input: GetInput): Promise<GetOutput> {
  const { concurrency, partSize } = rangedOptions(input);
  if (concurrency === 1 || input.range !== undefined) return getObject(pipeline, bucket, input);
  const first = await requestFirstRange(pipeline, bucket, input, partSize, input.signal);
  const version = versionOf(first);
  if (version === undefined) return getResult(first.headers, first.body, undefined);
  const body = version.size > partSize ? orderedRangeStream(pipeline, bucket, input, first, version, { concurrency, partSize }) : first.body;
  // The caller asked for the object, not a range: it gets the object's length and no Content-Range.
  return getResult({ ...first.headers, 'content-length': String(version.size) }, body, undefined);
}
