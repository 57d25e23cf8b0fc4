/**
 * A byte range of a file as request-body chunks, read into two buffers that are reused, and, for
 * aws-chunked, framed in place: one buffer, so one socket write, per frame, with no copy of the data.
 *
 * Why reuse: a fresh buffer per 256 KiB chunk (what fs.createReadStream does) is 4,096 allocations
 * per GiB that only the garbage collector frees; tens of MiB of dead buffers pile up between
 * collections, and the allocator pays page faults for each. Two buffers per body do the same work.
 *
 * Why this is safe with the client's own connections: the body is an async iterable, which undici sends with `for await` (client-h1
 * writeIterable), asking for the next chunk only after the previous one was taken by the socket, or,
 * when the socket pushed back (always, for a chunk at least its highWaterMark of 64 KiB, as our 256
 * KiB chunks are), after 'drain', once the kernel has it. So a buffer is refilled only after the
 * chunk in it has gone: test/unit/file-chunks-undici.test.ts fails if undici ever reads ahead.
 * A dispatcher the caller brings may not: a larger socket highWaterMark, a mock that keeps the chunks,
 * an interceptor that buffers them. Its bodies get a fresh buffer per chunk (`reuseBuffers: false`).
 *
 * The next chunk is read (libuv's thread pool) into the other buffer while this one is sent and, for
 * aws-chunked, hashed and signed (this thread).
 */
import { close, open, read } from 'node:fs';
import { sha256Hex, type ChunkSigner } from '../signer/index.js';

export interface FileRange {
  readonly path: string;
  readonly start: number;
  readonly length: number;
  /** Told of the bytes as they go out: upload progress (transfer/progress.ts). */
  readonly counter?: ByteCounter | undefined;
}

/** Counts the bytes of one body as they are handed on, attempt by attempt. */
export interface ByteCounter {
  /**
   * Starts counting an attempt, taking back what the one before counted; returns what to tell of
   * each chunk. A released attempt's reader may still hand on a chunk: the counter ignores it.
   */
  start(): (bytes: number) => void;
}

// ';chunk-signature=' + 64 hex digits + CRLF, after the hex size.
const HEADER_FIXED = ';chunk-signature='.length + 64 + 2;
const CR = 0x0d;
const LF = 0x0a;

function headerLength(size: number): number {
  return size.toString(16).length + HEADER_FIXED;
}

/**
 * The chunks of `file`: its bytes, or with `signer` its aws-chunked body
 * (`chunkedContentLength(file.length, chunkSize)` bytes). The file is opened on the first `next()`
 * and closed when the iteration ends, fails or is returned early; a file that turns out shorter than
 * `file.length` fails it. Each chunk is valid only until the next `next()`.
 *
 * The two buffers come from a pool shared by all bodies, and go back to it only when the iteration
 * ran to its end: every full chunk (256 KiB) is larger than the socket's highWaterMark, so undici
 * waited for 'drain' before asking for the next; a shorter last chunk, which undici may leave in
 * flight, has a buffer of its own. An iteration that fails or is cut short (a released attempt,
 * whose socket may still hold a chunk) leaves its buffers to the garbage collector.
 */
export async function* fileChunks(
  file: FileRange,
  chunkSize: number,
  signer?: ChunkSigner,
  reuseBuffers = true,
): AsyncGenerator<Uint8Array, void, undefined> {
  const counted = file.counter?.start();
  if (file.length === 0) {
    // Nothing to read: an aws-chunked body is the closing frame alone.
    if (signer) yield signer.finalChunk();
    return;
  }
  const fd = await openFile(file.path);
  // Room for the largest frame: header, data, CRLF, and the closing frame the last chunk carries.
  const capacity = signer ? headerLength(chunkSize) + chunkSize + 2 + headerLength(0) + 2 : chunkSize;
  const buffers = reuseBuffers ? [take(capacity), take(capacity)] : [];
  let ended = false;
  let requested = 0;
  let turn = 0;

  /** Starts reading the next chunk into the next buffer, at the offset its header will need. */
  const readNext = (): Promise<Chunk> => {
    const size = Math.min(chunkSize, file.length - requested);
    const position = file.start + requested;
    requested += size;
    const offset = signer ? headerLength(size) : 0;
    // A short last chunk may be left in flight (see above): it gets a buffer of its own.
    const shortLast = requested === file.length && size < chunkSize;
    let buffer: Buffer;
    if (shortLast) buffer = Buffer.allocUnsafeSlow(signer ? offset + size + 2 + headerLength(0) + 2 : size);
    else if (!reuseBuffers) buffer = Buffer.allocUnsafe(capacity);
    else {
      buffer = buffers[turn]!;
      turn ^= 1;
    }
    const reading = readFully(fd, buffer, offset, size, position, file.path).then(() => ({ buffer, size }));
    // Seen when awaited, or in `finally`; until then it is not an unhandled rejection.
    reading.catch(() => undefined);
    return reading;
  };

  let reading: Promise<Chunk> | undefined = readNext();
  try {
    while (reading) {
      const chunk = await reading;
      const last = requested === file.length;
      // The other buffer is free: undici asked for this chunk, so it is done with the one before.
      reading = last ? undefined : readNext();
      counted?.(chunk.size);
      yield signer ? seal(signer, chunk, last) : chunk.buffer.subarray(0, chunk.size);
    }
    ended = true;
  } finally {
    // A read still in flight must land before its descriptor is closed (and reused by another open).
    await reading?.catch(() => undefined);
    await new Promise<void>((resolve) => close(fd, () => resolve()));
    if (ended) give(buffers);
  }
}

/**
 * Free chunk buffers, by size. Without it, each body's two buffers (512 KiB per 8 MiB part) would
 * be garbage that V8 collects only once tens of MiB of it have piled up; with it, a 1 GiB upload
 * allocates about as many buffers as it has parts in flight.
 */
const pool = new Map<number, Buffer[]>();
/** Enough for the parts in flight of a few uploads; what a burst leaves beyond is collected. */
const POOL_LIMIT = 16;

function take(capacity: number): Buffer {
  return pool.get(capacity)?.pop() ?? Buffer.allocUnsafeSlow(capacity);
}

function give(buffers: readonly Buffer[]): void {
  for (const buffer of buffers) {
    const free = pool.get(buffer.byteLength) ?? [];
    if (free.length < POOL_LIMIT) free.push(buffer);
    pool.set(buffer.byteLength, free);
  }
}

/** Read size of passes over a file that only hash it. */
const DIGEST_CHUNK_SIZE = 256 * 1024;

/** Feeds `update` the bytes of `file`, for a hash or checksum ('sha256' signing, x-amz-checksum-*). */
export async function digestFileRange(file: FileRange, update: (chunk: Uint8Array) => void): Promise<void> {
  // Not the body's progress counter: hashing is not sending.
  for await (const chunk of fileChunks({ path: file.path, start: file.start, length: file.length }, DIGEST_CHUNK_SIZE)) update(chunk);
}

interface Chunk {
  /** Room for the header, the chunk's data, CRLF, and for the last chunk the closing frame. */
  readonly buffer: Buffer;
  /** The chunk's data bytes. */
  readonly size: number;
}

/** Signs a chunk in place: its header before the data, CRLF (and on the last, the closing frame) after. */
function seal(signer: ChunkSigner, { buffer, size }: Chunk, last: boolean): Uint8Array {
  const offset = headerLength(size);
  buffer.set(signer.signChunkDigest(size, sha256Hex(buffer.subarray(offset, offset + size))), 0);
  let end = offset + size;
  buffer[end++] = CR;
  buffer[end++] = LF;
  if (!last) return buffer.subarray(0, end);
  const closing = signer.finalChunk();
  buffer.set(closing, end);
  return buffer.subarray(0, end + closing.byteLength);
}

function openFile(path: string): Promise<number> {
  return new Promise((resolve, reject) => open(path, 'r', (error, fd) => (error ? reject(error) : resolve(fd))));
}

/** Reads exactly `size` bytes at `position` into `buffer` at `offset`. */
function readFully(fd: number, buffer: Buffer, offset: number, size: number, position: number, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let filled = 0;
    const next = (): void =>
      read(fd, buffer, offset + filled, size - filled, position + filled, (error, bytesRead) => {
        if (error) return reject(error);
        if (bytesRead === 0) return reject(new Error(`${path} ended ${size - filled} bytes early: the file shrank while being sent.`));
        filled += bytesRead;
        if (filled < size) next();
        else resolve();
      });
    next();
  });
}
