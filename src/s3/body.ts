/**
 * Request bodies: every accepted input becomes a `PreparedBody` that knows its exact length, whether
 * it can be read again (so a retry may resend it), and, for in-memory data, its bytes (so the full
 * SHA-256 can be signed without a second pass).
 */
import { createHash } from 'node:crypto';
import { ReadStream } from 'node:fs';
import { open as openFile, stat, type FileHandle } from 'node:fs/promises';
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
  return { length, bytes: undefined, replayable: true, open: () => fileRangeStream(path, start, length) };
}

/** Reads of 256 KiB: few syscalls and promise hops per MiB, yet little memory per open file. */
const FILE_READ_SIZE = 256 * 1024;

/**
 * A pull-based stream over a file range: it reads only when the consumer (undici writing to the
 * socket) asks for more, so memory stays at about one read per open file. Node 20's
 * `Readable.toWeb(createReadStream())` reads ahead far beyond that on a fast disk, and a 1 GiB
 * upload then holds hundreds of MiB. The file is opened on the first read, so a batch of
 * thousands of files holds only the descriptors of those being sent.
 */
export function fileRangeStream(path: string, start: number, length: number): ReadableStream<Uint8Array> {
  let handle: FileHandle | undefined;
  let position = start;
  let remaining = length;
  const close = async (): Promise<void> => {
    const open = handle;
    handle = undefined;
    await open?.close();
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          if (remaining === 0) {
            await close();
            controller.close();
            return;
          }
          handle ??= await openFile(path, 'r');
          const size = Math.min(FILE_READ_SIZE, remaining);
          const buffer = new Uint8Array(size);
          const { bytesRead } = await handle.read(buffer, 0, size, position);
          if (bytesRead === 0) throw new Error(`${path} ended ${remaining} bytes early: the file shrank while being sent.`);
          position += bytesRead;
          remaining -= bytesRead;
          controller.enqueue(bytesRead === size ? buffer : buffer.subarray(0, bytesRead));
        } catch (error) {
          await close().catch(() => undefined);
          controller.error(error);
        }
      },
      cancel: close,
    },
    { highWaterMark: 0 },
  );
}

/** A slice of a Blob (or File), read lazily and as often as needed. */
export function blobBody(blob: Blob): PreparedBody {
  return { length: blob.size, bytes: undefined, replayable: true, open: () => blob.stream() };
}

/**
 * A Node stream as a web stream that pulls one chunk at a time. (Node 20's `Readable.toWeb` reads
 * ahead without bound on fast sources, so a large file would pile up in memory.) Cancelling the
 * web stream destroys the Node stream, releasing its file descriptor or socket.
 */
export function webStreamOf(readable: Readable): ReadableStream<Uint8Array> {
  const iterator = readable[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { value, done } = (await iterator.next()) as IteratorResult<Uint8Array | string>;
        if (done) controller.close();
        else controller.enqueue(typeof value === 'string' ? encoder.encode(value) : value);
      },
      cancel(reason) {
        readable.destroy(reason instanceof Error ? reason : undefined);
      },
    },
    { highWaterMark: 0 },
  );
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
  if (length === 0) {
    // Nothing to read: release the stream now and send an empty body, which can be retried.
    if (body instanceof ReadableStream) await body.cancel();
    else body.destroy();
    return bytesBody(new Uint8Array(0));
  }
  const stream = body instanceof ReadableStream ? body : webStreamOf(body);
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
