/**
 * aws-chunked framing beyond the documented example: the framed length formula against real
 * streamed output, re-chunking of arbitrary input, the chain of signatures, and zero-copy
 * pass-through of the data.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  SigningRangeError,
  awsChunkedStream,
  awsChunkedTransform,
  chunkedContentLength,
} from '../../../src/signer/index.js';
import { docExampleChunkSigner, parseFrames, pipeThrough } from './frames.js';

const chunkSigner = docExampleChunkSigner;

/** Cuts `data` into pieces of the given sizes, cycling through them. */
function cut(data: Uint8Array, sizes: readonly number[]): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  for (let offset = 0, i = 0; offset < data.byteLength; i++) {
    const size = sizes[i % sizes.length]!;
    pieces.push(data.subarray(offset, offset + size));
    offset += size;
  }
  return pieces;
}

describe('chunkedContentLength', () => {
  it.each([
    // [decoded length, chunk size, framed length]: frame = hex(size) + ';chunk-signature=' + 64 + CRLF + data + CRLF
    [0, 65_536, 86],
    [1, 8192, 1 + 83 + 1 + 2 + 86],
    [8192, 8192, 4 + 83 + 8192 + 2 + 86],
    [8193, 8192, 4 + 83 + 8192 + 2 + (1 + 83 + 1 + 2) + 86],
    [66_560, 65_536, 66_824],
    [5 * 1024 ** 3, 65_536, 5 * 1024 ** 3 + 81_920 * (5 + 83 + 2) + 86],
  ])('decodedLength %i, chunkSize %i -> %i', (decoded, chunkSize, framed) => {
    expect(chunkedContentLength(decoded, chunkSize)).toBe(framed);
  });
});

describe('awsChunkedStream', () => {
  it.each([
    [0, [1]],
    [1, [1]],
    [8191, [100, 7000]],
    [8192, [8192]],
    [8193, [1, 8191, 1]],
    [3 * 8192 + 17, [5000]],
    [50_000, [50_000]],
  ])('%i bytes in pieces of %j: length equals chunkedContentLength, frames are full chunks then one short', async (length, sizes) => {
    const data = randomBytes(length);
    const { bytes } = await pipeThrough(awsChunkedStream(chunkSigner(), { chunkSize: 8192, decodedLength: length }), cut(data, sizes));

    expect(bytes.byteLength).toBe(chunkedContentLength(length, 8192));
    const { frames, rest } = parseFrames(bytes);
    const sizesSeen = frames.map((f) => f.size);
    const full = Math.floor(length / 8192);
    expect(sizesSeen).toEqual([...Array<number>(full).fill(8192), ...(length % 8192 ? [length % 8192] : []), 0]);
    expect(Buffer.concat(frames.map((f) => f.data)).equals(data)).toBe(true);
    expect(Buffer.from(rest).toString()).toBe('\r\n');

    // The same chunks signed one by one give the same chain of signatures.
    const reference = chunkSigner();
    const expected = frames.slice(0, -1).map((f) => {
      reference.signChunk(f.data);
      return reference.previousSignature;
    });
    reference.finalChunk();
    expect(frames.map((f) => f.signature)).toEqual([...expected, reference.previousSignature]);
  });

  it('passes whole input chunks through as the same bytes (no copy)', async () => {
    const data = randomBytes(3 * 8192);
    const pieces = cut(data, [8192]);
    const { chunks } = await pipeThrough(awsChunkedStream(chunkSigner(), { chunkSize: 8192, decodedLength: data.byteLength }), pieces);
    for (const piece of pieces) expect(chunks).toContain(piece);
  });

  it('a chunk assembled from many tiny writes is emitted as one buffer', async () => {
    const data = randomBytes(8192);
    const { chunks } = await pipeThrough(awsChunkedStream(chunkSigner(), { chunkSize: 8192, decodedLength: 8192 }), cut(data, [16]));
    // header, data, CRLF, final frame
    expect(chunks).toHaveLength(4);
    expect(Buffer.from(chunks[1]!).equals(data)).toBe(true);
  });
});

/** Runs `pieces` through a Node Transform and collects its output. */
async function throughNodeTransform(transform: NodeJS.ReadWriteStream, pieces: readonly Uint8Array[]): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const chunk of Readable.from(pieces).pipe(transform)) out.push(chunk as Buffer);
  return Buffer.concat(out);
}

describe('awsChunkedTransform (Node stream flavour)', () => {
  it.each([
    [0, [1]],
    [8193, [1, 8191, 1]],
    [3 * 8192 + 17, [5000]],
    [50_000, [16, 50_000]],
  ])('%i bytes in pieces of %j: byte for byte what awsChunkedStream emits', async (length, sizes) => {
    const data = randomBytes(length);
    const pieces = cut(data, sizes);
    const options = { chunkSize: 8192, decodedLength: length };
    const web = await pipeThrough(awsChunkedStream(chunkSigner(), options), pieces);
    const node = await throughNodeTransform(awsChunkedTransform(chunkSigner(), options), pieces);
    expect(node.equals(Buffer.from(web.bytes))).toBe(true);
    expect(node.byteLength).toBe(chunkedContentLength(length, 8192));
  });

  it.each([
    ['shorter', 99],
    ['longer', 101],
  ])('a body %s than decodedLength fails the stream', async (_name, actual) => {
    const transform = awsChunkedTransform(chunkSigner(), { chunkSize: 8192, decodedLength: 100 });
    const failure = await throughNodeTransform(transform, [new Uint8Array(actual)]).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SigningRangeError);
    expect((failure as SigningRangeError).code).toBe('BodyLengthMismatch');
  });
});
