/**
 * aws-chunked uploads (x-amz-content-sha256: STREAMING-AWS4-HMAC-SHA256-PAYLOAD): the body is
 * sent as frames `hex(size);chunk-signature=<sig>\r\n<data>\r\n`, each signature chaining the
 * previous one (the first chains the request's "seed" signature), ending with a 0-byte frame.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html
 * Trailers: https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming-trailers.html
 */
import { createHash, type KeyObject } from 'node:crypto';
import { Transform } from 'node:stream';
import { SigningError, SigningRangeError, quote } from './errors.js';
import { EMPTY_SHA256, hmacHex, sha256Hex } from './hash.js';
import { compareStrings } from './sort.js';

/** S3 rejects aws-chunked frames smaller than 8 KiB (except the last). */
export const MIN_CHUNK_SIZE = 8 * 1024;
export const DEFAULT_CHUNK_SIZE = 64 * 1024;

// ';chunk-signature=' + 64 hex digits + CRLF, after the hex size.
const FRAME_HEADER_FIXED = ';chunk-signature='.length + 64 + 2;
const HEX_SIGNATURE = /^[0-9a-f]{64}$/;
const encoder = new TextEncoder();

function checkChunkSize(chunkSize: number): void {
  if (!Number.isSafeInteger(chunkSize) || chunkSize < MIN_CHUNK_SIZE) {
    throw new SigningRangeError(
      'InvalidChunkSize',
      `chunkSize must be a whole number of bytes >= ${MIN_CHUNK_SIZE}, got ${quote(chunkSize)}`,
    );
  }
}

function checkLength(decodedLength: number): void {
  if (!Number.isSafeInteger(decodedLength) || decodedLength < 0) {
    throw new SigningRangeError('InvalidContentLength', `decodedLength must be a whole number of bytes >= 0, got ${quote(decodedLength)}`);
  }
}

function frameLength(size: number): number {
  return size.toString(16).length + FRAME_HEADER_FIXED + size + 2;
}

/**
 * The Content-Length of an aws-chunked body: every full chunk, the shorter last one, and the
 * final 0-byte frame. (x-amz-decoded-content-length carries `decodedLength` itself.)
 *
 * @example chunkedContentLength(66560, 65536) === 66824
 */
export function chunkedContentLength(decodedLength: number, chunkSize: number): number {
  checkLength(decodedLength);
  checkChunkSize(chunkSize);
  const full = Math.floor(decodedLength / chunkSize);
  const rest = decodedLength % chunkSize;
  return full * frameLength(chunkSize) + (rest > 0 ? frameLength(rest) : 0) + frameLength(0);
}

/**
 * Signs the frames of one aws-chunked body, in order. It holds the signature chain, so it serves
 * exactly one upload; create it with `SigV4Signer#chunkSigner`.
 */
export class ChunkSigner {
  readonly #key: KeyObject | Uint8Array;
  // 'AWS4-HMAC-SHA256-PAYLOAD\n<amzDate>\n<scope>\n': the fixed start of every chunk's string to sign.
  readonly #chunkPrefix: string;
  readonly #trailerPrefix: string;
  #previous: string;
  #done = false;

  constructor(signingKey: KeyObject | Uint8Array, amzDate: string, scope: string, seedSignature: string) {
    if (!HEX_SIGNATURE.test(seedSignature)) {
      throw new SigningError('InvalidSignature', 'seedSignature must be 64 lower-case hex digits');
    }
    this.#key = signingKey;
    this.#chunkPrefix = `AWS4-HMAC-SHA256-PAYLOAD\n${amzDate}\n${scope}\n`;
    this.#trailerPrefix = `AWS4-HMAC-SHA256-TRAILER\n${amzDate}\n${scope}\n`;
    this.#previous = seedSignature;
  }

  /** The last signature in the chain (the seed before any chunk). */
  get previousSignature(): string {
    return this.#previous;
  }

  /** The frame header `hex(size);chunk-signature=<sig>\r\n` for `data`; send it, then data, then CRLF. */
  signChunk(data: Uint8Array): Uint8Array {
    return this.signChunkDigest(data.byteLength, sha256Hex(data));
  }

  /** As signChunk, for a chunk whose SHA-256 was computed while it streamed by. */
  signChunkDigest(byteLength: number, sha256OfData: string): Uint8Array {
    if (byteLength === 0) {
      throw new SigningError('InvalidChunk', 'a 0-byte chunk ends the body: call finalChunk()');
    }
    return encoder.encode(`${byteLength.toString(16)};chunk-signature=${this.#next(sha256OfData)}\r\n`);
  }

  /**
   * The closing 0-byte frame. Without trailers: `0;chunk-signature=<sig>\r\n\r\n`. With trailers
   * (for STREAMING_PAYLOAD_TRAILER), the frame is followed by each `name:value\r\n` and
   * `x-amz-trailer-signature:<sig>\r\n\r\n`.
   */
  finalChunk(trailers?: Readonly<Record<string, string>>): Uint8Array {
    const frame = `0;chunk-signature=${this.#next(EMPTY_SHA256)}\r\n`;
    this.#done = true;
    if (trailers === undefined) return encoder.encode(`${frame}\r\n`);
    const lines = trailerLines(trailers);
    const signature = this.signTrailer(trailers);
    return encoder.encode(`${frame}${lines.join('\r\n')}\r\nx-amz-trailer-signature:${signature}\r\n\r\n`);
  }

  /**
   * Signs trailing headers, chaining the final chunk's signature: the string to sign ends with
   * the SHA-256 of the `name:value\n` lines (names lower-cased and sorted).
   */
  signTrailer(trailers: Readonly<Record<string, string>>): string {
    const lines = trailerLines(trailers);
    const signature = hmacHex(this.#key, `${this.#trailerPrefix}${this.#previous}\n${sha256Hex(`${lines.join('\n')}\n`)}`);
    this.#previous = signature;
    this.#done = true;
    return signature;
  }

  #next(sha256OfData: string): string {
    if (this.#done) throw new SigningError('InvalidChunk', 'the body was already finished with finalChunk()');
    const signature = hmacHex(this.#key, `${this.#chunkPrefix}${this.#previous}\n${EMPTY_SHA256}\n${sha256OfData}`);
    this.#previous = signature;
    return signature;
  }
}

function trailerLines(trailers: Readonly<Record<string, string>>): string[] {
  const names = Object.keys(trailers);
  if (names.length === 0) throw new SigningError('InvalidChunk', 'trailers must have at least one header');
  return names
    .map((name) => [name.toLowerCase(), trailers[name]!.trim()] as const)
    .sort((a, b) => compareStrings(a[0], b[0]))
    .map(([name, value]) => `${name}:${value}`);
}

export interface AwsChunkedOptions {
  /** Bytes per frame (the last may be shorter); default 64 KiB, at least 8 KiB. */
  readonly chunkSize?: number;
  /** The body's length before framing (x-amz-decoded-content-length). */
  readonly decodedLength: number;
}

/**
 * The framing state of one aws-chunked body: cuts input of any piece size into `chunkSize` chunks
 * (only the last shorter), hashes each as it arrives, and hands out each frame as
 * [header, data..., CRLF]. Both stream flavours below drive it, so framing is written once.
 */
class ChunkFramer {
  readonly #signer: ChunkSigner;
  readonly #chunkSize: number;
  readonly #decodedLength: number;
  #pieces: Uint8Array[] = [];
  #pending = 0;
  #hash = createHash('sha256');
  #seen = 0;

  constructor(signer: ChunkSigner, options: AwsChunkedOptions) {
    this.#chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
    this.#decodedLength = options.decodedLength;
    checkChunkSize(this.#chunkSize);
    checkLength(this.#decodedLength);
    this.#signer = signer;
  }

  /** Takes the next piece of the body; calls `emit` with each frame it completes. */
  push(chunk: Uint8Array, emit: (frame: Uint8Array[]) => void): void {
    if (!(chunk instanceof Uint8Array)) {
      throw new SigningError('InvalidChunk', 'aws-chunked input must be Uint8Array chunks');
    }
    this.#seen += chunk.byteLength;
    if (this.#seen > this.#decodedLength) {
      throw new SigningRangeError(
        'BodyLengthMismatch',
        `the body is longer than its declared decodedLength ${this.#decodedLength} (at least ${this.#seen} bytes)`,
      );
    }
    let offset = 0;
    while (offset < chunk.byteLength) {
      const take = Math.min(this.#chunkSize - this.#pending, chunk.byteLength - offset);
      const piece = offset === 0 && take === chunk.byteLength ? chunk : chunk.subarray(offset, offset + take);
      this.#hash.update(piece);
      this.#pieces.push(piece);
      this.#pending += take;
      offset += take;
      if (this.#pending === this.#chunkSize) emit(this.#frame());
    }
  }

  /** Ends the body: the last short frame, if any, and the final 0-byte frame. */
  end(emit: (frame: Uint8Array[]) => void): void {
    if (this.#seen !== this.#decodedLength) {
      throw new SigningRangeError(
        'BodyLengthMismatch',
        `the body ended after ${this.#seen} bytes but its declared decodedLength is ${this.#decodedLength}`,
      );
    }
    if (this.#pending > 0) emit(this.#frame());
    emit([this.#signer.finalChunk()]);
  }

  #frame(): Uint8Array[] {
    const header = this.#signer.signChunkDigest(this.#pending, this.#hash.digest('hex'));
    // Many tiny input pieces are joined, so a frame never becomes hundreds of tiny writes.
    const data = this.#pieces.length <= MAX_PIECES_PER_CHUNK ? this.#pieces : [Buffer.concat(this.#pieces, this.#pending)];
    const frame = [header, ...data, CRLF];
    this.#pieces = [];
    this.#pending = 0;
    this.#hash = createHash('sha256');
    return frame;
  }
}

const CRLF = new Uint8Array([0x0d, 0x0a]);
/** Above this many input pieces per chunk, they are copied into one buffer rather than passed on one by one. */
const MAX_PIECES_PER_CHUNK = 4;

/**
 * Frames and signs a body as aws-chunked, as a web TransformStream. Input of any piece size is cut
 * into `chunkSize` chunks (only the last shorter), so the output length is exactly
 * `chunkedContentLength(decodedLength, chunkSize)`. A body longer or shorter than `decodedLength`
 * errors the stream rather than sending a body that does not match its signed length.
 *
 * Data is passed through as views of the input (no copy); the input must not be modified after
 * it is written, as with any stream. Each chunk is hashed incrementally as it arrives.
 */
export function awsChunkedStream(
  chunkSigner: ChunkSigner,
  options: AwsChunkedOptions,
): TransformStream<Uint8Array, Uint8Array> {
  const framer = new ChunkFramer(chunkSigner, options);
  return new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      framer.push(chunk, (frame) => {
        for (const part of frame) controller.enqueue(part);
      });
    },
    flush(controller) {
      framer.end((frame) => {
        for (const part of frame) controller.enqueue(part);
      });
    },
  });
}

/**
 * The same framing as a Node Transform, for Node stream pipelines (undici sends a Node stream
 * body with less overhead per chunk than a web stream). Data passes through as views, never
 * copied: joining header, data and CRLF into one buffer cost more (a copy of every byte, and
 * fresh memory for it) than the two small extra writes per frame it saves.
 */
export function awsChunkedTransform(chunkSigner: ChunkSigner, options: AwsChunkedOptions): Transform {
  const framer = new ChunkFramer(chunkSigner, options);
  return new Transform({
    transform(chunk: Uint8Array, _encoding, callback) {
      try {
        framer.push(chunk, (frame) => {
          for (const part of frame) this.push(part);
        });
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
    flush(callback) {
      try {
        framer.end((frame) => {
          for (const part of frame) this.push(part);
        });
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
  });
}
