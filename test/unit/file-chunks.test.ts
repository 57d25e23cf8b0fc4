/**
 * File ranges read into two reused buffers (src/s3/file-chunks.ts): the file's bytes, or with a
 * signer the same aws-chunked bytes as the stream framing (whose output the signer's own suites pin),
 * one buffer per frame; failures that end the iteration rather than send a body that does not match
 * its signed length; and the file closed however the iteration ends.
 */
import { createHash, randomBytes } from 'node:crypto';
import { fstatSync } from 'node:fs';
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestFileRange, fileChunks, type ByteCounter } from '../../src/s3/file-chunks.js';
import { awsChunkedTransform, chunkedContentLength } from '../../src/signer/index.js';
import { docExampleChunkSigner } from './signer/frames.js';

const chunkSigner = docExampleChunkSigner;
const CHUNK = 8192;

/** Copies each chunk before asking for the next, as the socket does: a chunk lives until then. */
async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const piece of chunks) out.push(Buffer.from(piece));
  return out;
}

async function collectStream(stream: Readable): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const piece of stream) out.push(piece as Buffer);
  return out;
}

/** Open descriptors of this process, to see that a file was closed. */
function isOpen(fd: number): boolean {
  try {
    fstatSync(fd);
    return true;
  } catch {
    return false;
  }
}

describe('fileChunks', () => {
  let dir = '';
  let path = '';
  const data = randomBytes(5 * CHUNK + 123);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 's3lane-file-chunks-'));
    path = join(dir, 'data.bin');
    await writeFile(path, data);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const ranges = [
    ['one byte', 0, 1],
    ['exactly one chunk', 0, CHUNK],
    ['one chunk and one byte', 0, CHUNK + 1],
    ['several chunks from an offset', 77, 4 * CHUNK + 5],
    ['the whole file', 0, 5 * CHUNK + 123],
    ['nothing', 10, 0],
  ] as const;

  it.each(ranges)('frames %s exactly as the stream framing does, one buffer per frame', async (_name, start, length) => {
    const expected = Buffer.concat(
      await collectStream(
        Readable.from([data.subarray(start, start + length)]).pipe(
          awsChunkedTransform(chunkSigner(), { chunkSize: CHUNK, decodedLength: length }),
        ),
      ),
    );
    const frames = await collect(fileChunks({ path, start, length }, CHUNK, chunkSigner()));
    const bytes = Buffer.concat(frames);
    expect(bytes.byteLength).toBe(chunkedContentLength(length, CHUNK));
    expect(bytes.equals(expected)).toBe(true);
    // Every data chunk is one buffer; the last carries the closing 0-byte frame as well.
    expect(frames.length).toBe(Math.max(1, Math.ceil(length / CHUNK)));
  });

  it.each(ranges)('reads %s as the plain bytes of the range', async (_name, start, length) => {
    const chunks = await collect(fileChunks({ path, start, length }, CHUNK));
    expect(Buffer.concat(chunks).equals(data.subarray(start, start + length))).toBe(true);
    expect(chunks.length).toBe(Math.ceil(length / CHUNK));
  });

  it('reads into two alternating buffers, a short last chunk into one of its own, and a finished body\'s two serve the next', async () => {
    const buffersOf = async (): Promise<ArrayBufferLike[]> => {
      const seen: ArrayBufferLike[] = [];
      const copies: Buffer[] = [];
      for await (const chunk of fileChunks({ path, start: 0, length: data.byteLength }, CHUNK)) {
        seen.push(chunk.buffer);
        copies.push(Buffer.from(chunk));
      }
      expect(Buffer.concat(copies).equals(data)).toBe(true);
      return seen;
    };
    const first = await buffersOf();
    expect(first).toHaveLength(6);
    expect(new Set(first.slice(0, 5)).size).toBe(2);
    expect(first[0]).toBe(first[2]);
    // A short last chunk may still be in flight when the iteration ends: it is never reused.
    expect(first.slice(0, 5)).not.toContain(first[5]);
    const second = await buffersOf();
    expect(new Set(second.slice(0, 5))).toEqual(new Set(first.slice(0, 5)));
    expect(second).not.toContain(first[5]);
  });

  it('gives every chunk a buffer of its own for a dispatcher the caller brought (reuseBuffers: false)', async () => {
    const seen: ArrayBufferLike[] = [];
    const copies: Buffer[] = [];
    for await (const chunk of fileChunks({ path, start: 0, length: data.byteLength }, CHUNK, chunkSigner(), false)) {
      seen.push(chunk.buffer);
      copies.push(Buffer.from(chunk));
    }
    expect(new Set(seen).size).toBe(seen.length);
    const reused = await collect(fileChunks({ path, start: 0, length: data.byteLength }, CHUNK, chunkSigner()));
    // The same frames either way.
    expect(Buffer.concat(copies).equals(Buffer.concat(reused))).toBe(true);
  });

  it('leaves the buffers of an iteration cut short to the garbage collector', async () => {
    const cut = fileChunks({ path, start: 0, length: data.byteLength }, CHUNK);
    const held = (await cut.next()).value?.buffer;
    await cut.return(undefined);
    const next: ArrayBufferLike[] = [];
    for await (const chunk of fileChunks({ path, start: 0, length: data.byteLength }, CHUNK)) next.push(chunk.buffer);
    expect(next).not.toContain(held);
  });

  it('tells a counter of each chunk, starting the count anew each time the range is read', async () => {
    const events: (number | 'start')[] = [];
    const counter: ByteCounter = {
      start() {
        events.push('start');
        return (bytes) => events.push(bytes);
      },
    };
    const file = { path, start: 0, length: 2 * CHUNK + 1, counter };
    await collect(fileChunks(file, CHUNK));
    await collect(fileChunks(file, CHUNK));
    expect(events).toEqual(['start', CHUNK, CHUNK, 1, 'start', CHUNK, CHUNK, 1]);
  });

  it('hashes a range', async () => {
    const hash = createHash('sha256');
    await digestFileRange({ path, start: 3, length: data.byteLength - 3 }, (chunk) => hash.update(chunk));
    expect(hash.digest('hex')).toBe(createHash('sha256').update(data.subarray(3)).digest('hex'));
  });

  it('fails when the file is shorter than the signed length', async () => {
    const short = join(dir, 'short.bin');
    await writeFile(short, data);
    await truncate(short, 2 * CHUNK);
    await expect(collect(fileChunks({ path: short, start: 0, length: 3 * CHUNK }, CHUNK, chunkSigner()))).rejects.toThrow(/shrank/);
  });

  it('fails when the file does not exist', async () => {
    await expect(collect(fileChunks({ path: join(dir, 'missing'), start: 0, length: 10 }, CHUNK))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('opens nothing until the first chunk is asked for, and closes its file when returned mid-way', async () => {
    const chunks = fileChunks({ path, start: 0, length: data.byteLength }, CHUNK, chunkSigner());
    const before = openDescriptors();
    const first = await chunks.next();
    expect(first.value?.byteLength).toBeGreaterThan(CHUNK);
    const opened = openDescriptors().filter((fd) => !before.includes(fd));
    expect(opened).toHaveLength(1);
    // A read of the next chunk is in flight: it lands before the descriptor closes.
    await chunks.return(undefined);
    expect(isOpen(opened[0]!)).toBe(false);
    expect((await chunks.next()).done).toBe(true);
  });
});

function openDescriptors(): number[] {
  const out: number[] = [];
  for (let fd = 0; fd < 1024; fd++) if (isOpen(fd)) out.push(fd);
  return out;
}
