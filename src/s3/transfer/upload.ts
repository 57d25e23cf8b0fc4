/**
 * upload(): one object from a file, bytes, a Blob or a stream of any length. Below the part size
 * it is a single PUT; above it, a multipart upload whose parts go out in parallel, each retried on
 * its own, and which is aborted on any failure so that no orphaned parts are left behind.
 *
 * Memory stays bounded: files and Blobs are read lazily, slice by slice, as each part is sent; only
 * a one-shot stream is buffered, at most `queueSize + 1` parts at a time.
 */
import { stat } from 'node:fs/promises';
import { blobBody, bytesBody, fileRangeBody, prepareBody, type BodyInput, type PreparedBody } from '../body.js';
import { S3ConfigError } from '../config-error.js';
import { objectHeaders, type ObjectHeaderOptions } from '../headers.js';
import { throwIfAborted, type CallOptions } from '../deadline.js';
import {
  MULTIPART_LIMITS,
  abortMultipartUpload,
  completeMultipartUpload,
  createMultipartUpload,
  sweepLostCreates,
  uploadPart,
  type CompletedPart,
  type MultipartTarget,
} from '../operations/multipart.js';
import { S3Error, S3NetworkError } from '../errors.js';
import { putBody } from '../operations/objects.js';
import type { RequestPipeline } from '../pipeline.js';
import { sendCounted, Throttle } from './progress.js';

export interface UploadProgress {
  key: string;
  bytesSent: number;
  /** Undefined while a stream of unknown length is still being read. */
  totalBytes: number | undefined;
}

export interface UploadInput extends ObjectHeaderOptions, CallOptions {
  bucket?: string;
  key: string;
  /** What to upload: a body, or `file` (a path), streamed from disk. */
  body?: BodyInput;
  file?: string;
  /** Length of a stream body, when known: part sizes then grow so that even a very long stream fits in 10,000 parts. */
  contentLength?: number;
  /** Part size in bytes (5 MiB .. 5 GiB). Default 8 MiB, grown so that no upload needs more than 10,000 parts. */
  partSize?: number;
  /** Parts in flight at once (default 4). */
  queueSize?: number;
  /** Called at most every 100 ms while bytes go out, and once at the end. */
  onProgress?: (progress: UploadProgress) => void;
  signal?: AbortSignal;
}

export interface UploadOutput {
  etag: string;
  versionId: string | undefined;
  /** Parts sent: 1 for a single PUT. */
  parts: number;
  multipart: boolean;
  bytes: number;
}

/** Runs a request when a connection slot is free (p-limit's call signature). */
export type Scheduler = <T>(task: () => Promise<T>) => Promise<T>;

/** How one upload takes part in something larger (a batch): its slot pool and its byte counter. */
export interface UploadContext {
  readonly schedule: Scheduler;
  /** Counts bytes as they go out; left out when nobody watches progress (counting has a cost). */
  readonly report: ((delta: number) => void) | undefined;
}

export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
export const DEFAULT_QUEUE_SIZE = 4;
const MiB = 1024 * 1024;

/** The part size for `size` bytes: the requested (or default) size, grown to fit in 10,000 parts. */
export function choosePartSize(requested: number | undefined, size: number | undefined): number {
  if (requested !== undefined) {
    if (!Number.isSafeInteger(requested) || requested < MULTIPART_LIMITS.minPartSize || requested > MULTIPART_LIMITS.maxPartSize) {
      throw new S3ConfigError('InvalidPartSize', `partSize must be an integer from 5 MiB to 5 GiB, got ${String(requested)}.`, {
        field: 'partSize',
      });
    }
  }
  const base = requested ?? DEFAULT_PART_SIZE;
  if (size === undefined) return base;
  if (size > MULTIPART_LIMITS.maxObjectSize) {
    throw new S3ConfigError('EntityTooLarge', `S3 objects are at most 5 TiB; this one is ${size} bytes.`, { field: 'file' });
  }
  const smallestFitting = Math.ceil(size / MULTIPART_LIMITS.maxParts / MiB) * MiB;
  return Math.max(base, smallestFitting);
}

/** Where the bytes come from: random access (file, bytes, Blob) or a stream read once, in order. */
type Source =
  | { kind: 'sized'; size: number; slice: (offset: number, length: number) => PreparedBody | Promise<PreparedBody> }
  | { kind: 'stream'; stream: AsyncIterable<Uint8Array> };

async function openSource(input: UploadInput): Promise<Source> {
  if ((input.file === undefined) === (input.body === undefined)) {
    throw new S3ConfigError('InvalidUploadSource', 'upload() takes exactly one of `body` or `file`.');
  }
  if (input.file !== undefined) {
    const path = input.file;
    const info = await stat(path);
    if (!info.isFile()) throw new S3ConfigError('InvalidUploadSource', `${path} is not a regular file.`);
    return { kind: 'sized', size: info.size, slice: (offset, length) => fileRangeBody(path, offset, length) };
  }
  const body = input.body;
  if (typeof body === 'string' || body instanceof Uint8Array || body instanceof ArrayBuffer) {
    const prepared = await prepareBody(body);
    const bytes = prepared.bytes ?? new Uint8Array(0);
    return { kind: 'sized', size: bytes.length, slice: (offset, length) => bytesBody(bytes.subarray(offset, offset + length)) };
  }
  if (body instanceof Blob) {
    return { kind: 'sized', size: body.size, slice: (offset, length) => blobBody(body.slice(offset, offset + length)) };
  }
  // Node and web streams are both async iterables of chunks, read here one part at a time.
  return { kind: 'stream', stream: body as AsyncIterable<Uint8Array> };
}

/** Standalone upload(): its own pool of `queueSize` slots and its own progress callback. */
export async function upload(pipeline: RequestPipeline, bucket: string, input: UploadInput): Promise<UploadOutput> {
  const queueSize = input.queueSize ?? DEFAULT_QUEUE_SIZE;
  let bytesSent = 0;
  let totalBytes: number | undefined;
  const { onProgress } = input;
  const throttle = onProgress ? new Throttle(() => onProgress({ key: input.key, bytesSent, totalBytes })) : undefined;
  const { default: pLimit } = await import('p-limit');
  const context: UploadContext = {
    schedule: pLimit(queueSize),
    report: throttle
      ? (delta) => {
          bytesSent += delta;
          throttle.changed();
        }
      : undefined,
  };
  const result = await uploadWith(pipeline, bucket, input, context, (size) => (totalBytes = size));
  throttle?.flush();
  return result;
}

/**
 * The upload itself, drawing every request from `context.schedule`: a batch passes its shared pool,
 * so the parts of large files and the small files compete for the same connections.
 */
export async function uploadWith(
  pipeline: RequestPipeline,
  bucket: string,
  input: UploadInput,
  context: UploadContext,
  onSize: (size: number) => void = () => undefined,
): Promise<UploadOutput> {
  const headers = objectHeaders(input);
  const source = await openSource(input);
  const size = source.kind === 'sized' ? source.size : input.contentLength;
  const partSize = choosePartSize(input.partSize, size);
  const signal = input.signal;
  if (size !== undefined) onSize(size);
  // The body is read inside the slot: a batch of thousands of small files holds only
  // `concurrency` of them in memory (or open) at a time.
  const putWhole = async (load: () => PreparedBody | Promise<PreparedBody>, bytes: number): Promise<UploadOutput> => {
    const put = await context.schedule(async () =>
      sendCounted(await load(), context.report, (counted) => putBody(pipeline, bucket, input.key, headers, counted, input.checksum, signal)),
    );
    return { ...put, parts: 1, multipart: false, bytes };
  };
  const multipart = (sendParts: SendParts): Promise<UploadOutput> => uploadMultipart(pipeline, bucket, input, context, sendParts);

  if (source.kind === 'sized') {
    if (source.size <= partSize) return putWhole(() => source.slice(0, source.size), source.size);
    return multipart(async (sendPart, inFlight) => {
      const pending = Array.from({ length: Math.ceil(source.size / partSize) }, (_, i) => {
        const offset = i * partSize;
        const part = sendPart(i + 1, () => source.slice(offset, Math.min(partSize, source.size - offset)));
        inFlight.add(part);
        return part;
      });
      return { parts: await Promise.all(pending), bytes: source.size };
    });
  }

  const parts = readParts(source.stream, partSize);
  try {
    // Read the first part before deciding, so a short stream is one PUT, not a multipart upload.
    const first = await untilAborted(parts.next(), signal);
    const firstPart = first.done ? new Uint8Array(0) : first.value;
    if (firstPart.length < partSize) {
      onSize(firstPart.length);
      return await putWhole(() => bytesBody(firstPart), firstPart.length);
    }
    const result = await multipart((sendPart, inFlight) =>
      uploadStreamParts(firstPart, parts, sendPart, inFlight, partSize, input.queueSize ?? DEFAULT_QUEUE_SIZE, signal),
    );
    onSize(result.bytes);
    return result;
  } finally {
    // Whatever happened, the source is released: a failed upload must not keep its file or socket open.
    // After an abort, a read may still be pending on a stream that never ends (a terminal's stdin):
    // return() would wait for it, so it is left to finish in the background.
    const closing = parts.return(undefined);
    if (signal?.aborted) closing.catch(() => undefined);
    else await closing;
  }
}

type SendPart = (partNumber: number, body: () => PreparedBody | Promise<PreparedBody>) => Promise<CompletedPart>;
type SendParts = (
  sendPart: SendPart,
  inFlight: Set<Promise<CompletedPart>>,
) => Promise<{ parts: CompletedPart[]; bytes: number }>;

/**
 * One multipart upload: Create, the parts `sendParts` schedules, Complete. On any failure the parts
 * still queued never start, those in flight are awaited, and the upload is aborted, so no parts are
 * left behind to be billed.
 */
async function uploadMultipart(
  pipeline: RequestPipeline,
  bucket: string,
  input: UploadInput,
  context: UploadContext,
  sendParts: SendParts,
): Promise<UploadOutput> {
  const signal = input.signal;
  const target = await context.schedule(() => createMultipartUpload(pipeline, bucket, input));
  try {
    return await sendAndComplete(pipeline, target, input, context, sendParts);
  } finally {
    if (target.mayHaveOrphans) await pipeline.cleanUp((cleanUpSignal) => sweepLostCreates(pipeline, target, cleanUpSignal), signal);
  }
}

/** The parts and the Complete of an upload already created; aborted on any failure. */
async function sendAndComplete(
  pipeline: RequestPipeline,
  target: MultipartTarget,
  input: UploadInput,
  context: UploadContext,
  sendParts: SendParts,
): Promise<UploadOutput> {
  const signal = input.signal;
  const stop = new AbortController();
  const partSignal = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
  const sendPart: SendPart = (partNumber, body) =>
    context.schedule(async () => {
      // Queued parts of a failed upload must not start.
      throwIfAborted(partSignal, { method: 'PUT', bucket: target.bucket, key: target.key });
      return sendCounted(await body(), context.report, (counted) => uploadPart(pipeline, target, partNumber, counted, partSignal));
    });
  const inFlight = new Set<Promise<CompletedPart>>();
  try {
    const { parts, bytes } = await sendParts(sendPart, inFlight);
    const done = await context.schedule(() => completeMultipartUpload(pipeline, target, parts, signal));
    return { ...done, parts: parts.length, multipart: true, bytes };
  } catch (error) {
    stop.abort(error);
    await pipeline.cleanUp(async (cleanUpSignal) => {
      // Parts still in flight could land after an abort and be kept: wait for them to settle first.
      await Promise.allSettled(inFlight);
      await abortQuietly(pipeline, target, error, cleanUpSignal);
    }, signal);
    throw error;
  }
}

/**
 * Parts of a one-shot stream: read one part ahead of the uploads, never more than `queueSize` in
 * flight, so memory stays at about (queueSize + 1) × partSize.
 */
async function uploadStreamParts(
  first: Uint8Array,
  rest: AsyncGenerator<Uint8Array>,
  sendPart: SendPart,
  inFlight: Set<Promise<CompletedPart>>,
  partSize: number,
  queueSize: number,
  signal: AbortSignal | undefined,
): Promise<{ parts: CompletedPart[]; bytes: number }> {
  const parts: CompletedPart[] = [];
  let bytes = 0;
  let partNumber = 0;
  let data: Uint8Array | undefined = first;
  while (data !== undefined) {
    partNumber++;
    if (partNumber > MULTIPART_LIMITS.maxParts) {
      throw new S3ConfigError(
        'TooManyParts',
        `The stream is longer than 10,000 parts of ${partSize} bytes: pass a larger partSize (or contentLength, to size parts automatically).`,
        { field: 'partSize' },
      );
    }
    bytes += data.length;
    const body = bytesBody(data);
    const part = sendPart(partNumber, () => body);
    inFlight.add(part);
    void part.then(
      (done) => {
        parts.push(done);
        inFlight.delete(part);
      },
      () => undefined,
    );
    // Backpressure: wait for a slot before reading the next part into memory.
    while (inFlight.size >= queueSize) await Promise.race(inFlight);
    const next = await untilAborted(rest.next(), signal);
    data = next.done ? undefined : next.value;
  }
  await Promise.all(inFlight);
  return { parts, bytes };
}

/** The stream's next read, or the abort: a stream that waits for more input must not hold an aborted upload. */
function untilAborted<T>(read: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return read;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    read.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Reads a stream into parts of exactly `partSize` bytes (the last may be shorter). */
export async function* readParts(stream: AsyncIterable<Uint8Array>, partSize: number): AsyncGenerator<Uint8Array> {
  let buffer = new Uint8Array(partSize);
  let filled = 0;
  let yielded = false;
  for await (const piece of stream as AsyncIterable<Uint8Array | string>) {
    // Node streams in object mode (e.g. Readable.from(['text'])) yield strings.
    const chunk = typeof piece === 'string' ? Buffer.from(piece) : piece;
    let offset = 0;
    while (offset < chunk.length) {
      const n = Math.min(partSize - filled, chunk.length - offset);
      buffer.set(chunk.subarray(offset, offset + n), filled);
      filled += n;
      offset += n;
      if (filled === partSize) {
        yield buffer;
        yielded = true;
        buffer = new Uint8Array(partSize);
        filled = 0;
      }
    }
  }
  if (filled > 0 || !yielded) yield buffer.subarray(0, filled);
}

/**
 * Aborts the multipart upload after a failure. If even that fails, the parts stay until a lifecycle
 * rule or a later abort removes them: our own errors carry that note (with the uploadId); an error
 * that is not ours, such as the caller's abort reason, is never changed, and the note goes to the
 * logger instead.
 */
async function abortQuietly(pipeline: RequestPipeline, target: MultipartTarget, cause: unknown, signal: AbortSignal): Promise<void> {
  try {
    await abortMultipartUpload(pipeline, target, signal);
  } catch (abortError) {
    const note = `aborting multipart upload ${target.uploadId} of ${target.key} failed too (${String(abortError)}): abort it later (listMultipartUploads, abortMultipartUpload) or let a lifecycle rule do it`;
    if (cause instanceof S3Error || cause instanceof S3NetworkError) cause.message += `; ${note}`;
    else pipeline.settings.logger?.debug(`s3lane: ${note}`);
  }
}
