/**
 * Request bodies: every accepted input becomes a `PreparedBody` that knows its exact length, whether
 * it can be read again (so a retry may resend it), and, for in-memory data, its bytes (so the full
 * SHA-256 can be signed without a second pass).
 */
import { createHash } from 'node:crypto';
import { createReadStream, ReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { S3ConfigError } from './endpoint.js';

export type BodyInput = string | Uint8Array | ArrayBuffer | Blob | ReadableStream<Uint8Array> | Readable;

export interface PreparedBody {
  /** Exact length in bytes: S3 needs Content-Length for every PUT. */
  readonly length: number;
  /** The bytes, when the body is in memory. */
  readonly bytes: Uint8Array | undefined;
  /** True when `open()` may be called again, so a failed attempt can be retried. */
  readonly replayable: boolean;
  /** A fresh stream of the body. A one-shot body throws when opened twice. */
  open(): ReadableStream<Uint8Array>;
}

const encoder = new TextEncoder();

/** A stream that yields `bytes` as one chunk. */
export function streamOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      if (bytes.length) controller.enqueue(bytes);
      controller.close();
    },
  });
}

export function bytesBody(bytes: Uint8Array): PreparedBody {
  return {
    length: bytes.byteLength,
    bytes,
    replayable: true,
    open: () => streamOf(bytes),
  };
}

/** A byte range of a file on disk, read lazily: the way large files are sent without buffering them. */
export function fileBody(path: string, start: number, length: number): PreparedBody {
  return {
    length,
    bytes: undefined,
    replayable: true,
    open: () =>
      length === 0
        ? streamOf(new Uint8Array(0))
        : (Readable.toWeb(
            // 1 MiB reads: fewer syscalls and promise hops than the 64 KiB default, still bounded memory.
            createReadStream(path, { start, end: start + length - 1, highWaterMark: 1024 * 1024 }),
          ) as ReadableStream<Uint8Array>),
  };
}

/** A slice of a Blob (or File), read lazily and as often as needed. */
export function blobBody(blob: Blob): PreparedBody {
  return { length: blob.size, bytes: undefined, replayable: true, open: () => blob.stream() };
}

function oneShotBody(stream: ReadableStream<Uint8Array>, length: number): PreparedBody {
  let opened = false;
  return {
    length,
    bytes: undefined,
    replayable: false,
    open() {
      if (opened) throw new Error('A stream body can be sent only once; pass bytes, a Blob or a file to allow retries.');
      opened = true;
      return stream;
    },
  };
}

/**
 * Turns any accepted body into a PreparedBody. A stream's length must be known: given as
 * `contentLength`, or read from the file behind an `fs.ReadStream`. Otherwise the caller is pointed
 * at `upload()`, which sends unknown-length streams as a multipart upload.
 */
export async function prepareBody(body: BodyInput | undefined, contentLength?: number): Promise<PreparedBody> {
  if (body === undefined) return bytesBody(new Uint8Array(0));
  if (typeof body === 'string') return bytesBody(encoder.encode(body));
  if (body instanceof Uint8Array) return bytesBody(body);
  if (body instanceof ArrayBuffer) return bytesBody(new Uint8Array(body));
  if (body instanceof Blob) return blobBody(body);
  const length = contentLength ?? (body instanceof ReadStream ? await readStreamLength(body) : undefined);
  if (length === undefined) {
    throw new S3ConfigError(
      'UnknownContentLength',
      'A stream body needs its length: pass `contentLength`, or use `upload()`, which sends streams of unknown length as a multipart upload.',
    );
  }
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new S3ConfigError('InvalidContentLength', `contentLength must be a non-negative integer, got ${String(length)}.`);
  }
  const stream = body instanceof ReadableStream ? body : (Readable.toWeb(body) as ReadableStream<Uint8Array>);
  return oneShotBody(stream, length);
}

async function readStreamLength(stream: ReadStream): Promise<number | undefined> {
  if (typeof stream.path !== 'string') return undefined;
  const { size } = await stat(stream.path);
  // fs.ReadStream's `start`/`end` are public options but not typed on the instance.
  const { start, end } = stream as ReadStream & { start?: number; end?: number };
  const from = start ?? 0;
  const to = end === undefined || end === Infinity ? size - 1 : Math.min(end, size - 1);
  return Math.max(0, to - from + 1);
}

/** SHA-256 of a replayable body in one streaming pass (for 'sha256' signing of files and Blobs). */
export async function sha256OfBody(body: PreparedBody): Promise<string> {
  const hash = createHash('sha256');
  if (body.bytes) return hash.update(body.bytes).digest('hex');
  for await (const chunk of body.open()) hash.update(chunk);
  return hash.digest('hex');
}
