/**
 * aws-chunked framing of a file range with one buffer, and so one socket write, per frame.
 *
 * Framing a stream (awsChunkedTransform) passes each frame on as three pieces: header, data, CRLF,
 * which undici writes to the socket one by one (three writes per 256 KiB), and joining them would
 * copy every byte. A file can do better: each chunk is read straight into a buffer that leaves room
 * for its header in front and the CRLF behind (the header's length depends only on the chunk's
 * size), so the signed header is written into place and the whole frame goes out as one buffer,
 * with no copy of the data. The next read is started before the current chunk is hashed, so the
 * disk read (libuv's thread pool) overlaps the hashing (this thread).
 *
 * Each frame gets a fresh buffer: undici hands it to the socket, which may still hold it after
 * the stream has moved on, so a buffer is never reused.
 */
import { close, open, read } from 'node:fs';
import { Readable } from 'node:stream';
import { sha256Hex, type ChunkSigner } from '../signer/index.js';

export interface FileRange {
  readonly path: string;
  readonly start: number;
  readonly length: number;
}

// ';chunk-signature=' + 64 hex digits + CRLF, after the hex size.
const HEADER_FIXED = ';chunk-signature='.length + 64 + 2;
const CR = 0x0d;
const LF = 0x0a;

function headerLength(size: number): number {
  return size.toString(16).length + HEADER_FIXED;
}

/**
 * The aws-chunked body of `file` (`chunkedContentLength(file.length, chunkSize)` bytes). The file
 * is opened on the first read and closed when the stream ends or is destroyed; a file that turns
 * out shorter than `file.length` errors the stream.
 */
export function awsChunkedFileStream(signer: ChunkSigner, file: FileRange, chunkSize: number): Readable {
  let fd: number | undefined;
  /** Bytes of the range read so far, or being read. */
  let requested = 0;
  /** The read in flight: frames are pushed in the order they were read. */
  let inFlight: Promise<Frame> | undefined;
  let pumping = false;
  let done = false;

  /** Reads the next chunk into a new frame buffer, at the offset its header will need. */
  const readFrame = (handle: number): Promise<Frame> => {
    const size = Math.min(chunkSize, file.length - requested);
    const position = file.start + requested;
    requested += size;
    const offset = headerLength(size);
    // The last frame carries the closing 0-byte frame too: one write fewer.
    const closing = requested === file.length ? headerLength(0) + 2 : 0;
    const buffer = Buffer.allocUnsafeSlow(offset + size + 2 + closing);
    return new Promise((resolve, reject) => {
      let filled = 0;
      const next = (): void =>
        read(handle, buffer, offset + filled, size - filled, position + filled, (error, bytesRead) => {
          if (error) return reject(error);
          if (bytesRead === 0) {
            return reject(new Error(`${file.path} ended ${size - filled} bytes early: the file shrank while being sent.`));
          }
          filled += bytesRead;
          if (filled < size) next();
          else resolve({ buffer, size });
        });
      next();
    });
  };

  /**
   * A read started ahead of its consumer. Its failure is seen when the pump awaits it, or by
   * destroy(); until then it must not count as an unhandled rejection.
   */
  const readAhead = (handle: number): Promise<Frame> => {
    const reading = readFrame(handle);
    reading.catch(() => undefined);
    return reading;
  };

  /** Signs a chunk in place: its header before the data, CRLF (and the closing frame) after. */
  const seal = ({ buffer, size }: Frame): Buffer => {
    const offset = headerLength(size);
    buffer.set(signer.signChunkDigest(size, sha256Hex(buffer.subarray(offset, offset + size))), 0);
    let end = offset + size;
    buffer[end++] = CR;
    buffer[end++] = LF;
    if (end < buffer.byteLength) buffer.set(signer.finalChunk(), end);
    return buffer;
  };

  /** Pushes frames while the consumer wants more, one read ahead. */
  const pump = async (handle: number): Promise<void> => {
    if (pumping) return;
    pumping = true;
    try {
      for (;;) {
        inFlight ??= readAhead(handle);
        const frame = await inFlight;
        // Destroyed while that read was landing: its descriptor is about to close, start no other.
        if (done) return;
        // Start the next read now, so the disk works while this chunk is hashed and signed.
        inFlight = requested < file.length ? readAhead(handle) : undefined;
        const wantsMore = stream.push(seal(frame));
        if (inFlight === undefined) {
          done = true;
          stream.push(null);
          return;
        }
        if (!wantsMore) return;
      }
    } catch (error) {
      stream.destroy(error as Error);
    } finally {
      pumping = false;
    }
  };

  const stream = new Readable({
    highWaterMark: chunkSize,
    read() {
      if (fd !== undefined) return void pump(fd);
      if (file.length === 0) {
        // Nothing to read: the body is the closing frame alone.
        done = true;
        this.push(signer.finalChunk());
        this.push(null);
        return;
      }
      open(file.path, 'r', (error, opened) => {
        if (error) return stream.destroy(error);
        if (done || stream.destroyed) return close(opened, () => undefined);
        fd = opened;
        void pump(opened);
      });
    },
    destroy(error, callback) {
      done = true;
      const handle = fd;
      fd = undefined;
      // A read still in flight must land before its descriptor is closed.
      const pending = inFlight ?? Promise.resolve();
      inFlight = undefined;
      void pending.then(
        () => undefined,
        () => undefined,
      ).then(() => {
        if (handle === undefined) return callback(error);
        close(handle, (closeError) => callback(error ?? closeError));
      });
    },
  });
  return stream;
}

interface Frame {
  /** Room for the header, the chunk's data, CRLF, and for the last chunk the closing frame. */
  readonly buffer: Buffer;
  /** The chunk's data bytes. */
  readonly size: number;
}
