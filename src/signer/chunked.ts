/**
 * aws-chunked uploads (x-amz-content-sha256: STREAMING-AWS4-HMAC-SHA256-PAYLOAD): the body is
 * sent as frames `hex(size);chunk-signature=<sig>\r\n<data>\r\n`, each signature chaining the
 * previous one (the first chains the request's "seed" signature), ending with a 0-byte frame.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html
 * Trailers: https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming-trailers.html
 */
import { createHash, type KeyObject } from 'node:crypto';
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
      'INVALID_CHUNK_SIZE',
      `chunkSize must be a whole number of bytes >= ${MIN_CHUNK_SIZE}, got ${quote(chunkSize)}`,
    );
  }
}

function checkLength(decodedLength: number): void {
  if (!Number.isSafeInteger(decodedLength) || decodedLength < 0) {
    throw new SigningRangeError('INVALID_LENGTH', `decodedLength must be a whole number of bytes >= 0, got ${quote(decodedLength)}`);
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
      throw new SigningError('INVALID_SIGNATURE', 'seedSignature must be 64 lower-case hex digits');
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
      throw new SigningError('INVALID_CHUNK', 'a 0-byte chunk ends the body: call finalChunk()');
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
    if (this.#done) throw new SigningError('INVALID_CHUNK', 'the body was already finished with finalChunk()');
    const signature = hmacHex(this.#key, `${this.#chunkPrefix}${this.#previous}\n${EMPTY_SHA256}\n${sha256OfData}`);
    this.#previous = signature;
    return signature;
  }
}

function trailerLines(trailers: Readonly<Record<string, string>>): string[] {
  const names = Object.keys(trailers);
  if (names.length === 0) throw new SigningError('INVALID_CHUNK', 'trailers must have at least one header');
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

/** Above this many input pieces per chunk, they are copied into one buffer rather than enqueued one by one. */
const MAX_PIECES_PER_CHUNK = 4;

/**
 * Frames and signs a body as aws-chunked. Input of any piece size is cut into `chunkSize` chunks
 * (only the last shorter), so the output length is exactly `chunkedContentLength(decodedLength,
 * chunkSize)`. A body longer or shorter than `decodedLength` errors the stream rather than
 * sending a body that does not match its signed length.
 *
 * Data is passed through as views of the input (no copy); the input must not be modified after
 * it is written, as with any stream. Each chunk is hashed incrementally as it arrives.
 */
export function awsChunkedStream(
  chunkSigner: ChunkSigner,
  options: AwsChunkedOptions,
): TransformStream<Uint8Array, Uint8Array> {
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const { decodedLength } = options;
  checkChunkSize(chunkSize);
  checkLength(decodedLength);

  let pieces: Uint8Array[] = [];
  let pending = 0;
  let hash = createHash('sha256');
  let seen = 0;

  const emit = (controller: TransformStreamDefaultController<Uint8Array>): void => {
    controller.enqueue(chunkSigner.signChunkDigest(pending, hash.digest('hex')));
    if (pieces.length <= MAX_PIECES_PER_CHUNK) {
      for (const piece of pieces) controller.enqueue(piece);
    } else {
      const joined = new Uint8Array(pending);
      let offset = 0;
      for (const piece of pieces) {
        joined.set(piece, offset);
        offset += piece.byteLength;
      }
      controller.enqueue(joined);
    }
    controller.enqueue(new Uint8Array([0x0d, 0x0a]));
    pieces = [];
    pending = 0;
    hash = createHash('sha256');
  };

  return new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      if (!(chunk instanceof Uint8Array)) {
        throw new SigningError('INVALID_CHUNK', 'aws-chunked input must be Uint8Array chunks');
      }
      seen += chunk.byteLength;
      if (seen > decodedLength) {
        throw new SigningRangeError(
          'BODY_LENGTH_MISMATCH',
          `the body is longer than its declared decodedLength ${decodedLength} (at least ${seen} bytes)`,
        );
      }
      let offset = 0;
      while (offset < chunk.byteLength) {
        const take = Math.min(chunkSize - pending, chunk.byteLength - offset);
        const piece = offset === 0 && take === chunk.byteLength ? chunk : chunk.subarray(offset, offset + take);
        hash.update(piece);
        pieces.push(piece);
        pending += take;
        offset += take;
        if (pending === chunkSize) emit(controller);
      }
    },
    flush(controller) {
      if (seen !== decodedLength) {
        throw new SigningRangeError(
          'BODY_LENGTH_MISMATCH',
          `the body ended after ${seen} bytes but its declared decodedLength is ${decodedLength}`,
        );
      }
      if (pending > 0) emit(controller);
      controller.enqueue(chunkSigner.finalChunk());
    },
  });
}
