/**
 * aws-chunked framing read straight from a file (src/s3/chunked-file.ts): the same bytes as the
 * stream framing (whose output the signer's own suites pin), one buffer per frame, and failures that
 * end the stream rather than send a body that does not match its signed length.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsChunkedFileStream } from '../../src/s3/chunked-file.js';
import { awsChunkedTransform, chunkedContentLength } from '../../src/signer/index.js';
import { docExampleChunkSigner } from './signer/frames.js';

const chunkSigner = docExampleChunkSigner;
const CHUNK = 8192;

async function collect(stream: Readable): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const piece of stream) out.push(piece as Buffer);
  return out;
}

describe('awsChunkedFileStream', () => {
  let dir = '';
  let path = '';
  const data = randomBytes(5 * CHUNK + 123);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 's3lane-chunked-file-'));
    path = join(dir, 'data.bin');
    await writeFile(path, data);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each([
    ['one byte', 0, 1],
    ['exactly one chunk', 0, CHUNK],
    ['one chunk and one byte', 0, CHUNK + 1],
    ['several chunks from an offset', 77, 4 * CHUNK + 5],
    ['the whole file', 0, 5 * CHUNK + 123],
    ['nothing', 10, 0],
  ])('frames %s exactly as the stream framing does, one buffer per frame', async (_name, start, length) => {
    const expected = Buffer.concat(
      await collect(
        Readable.from([data.subarray(start, start + length)]).pipe(
          awsChunkedTransform(chunkSigner(), { chunkSize: CHUNK, decodedLength: length }),
        ),
      ),
    );
    const frames = await collect(awsChunkedFileStream(chunkSigner(), { path, start, length }, CHUNK));
    const bytes = Buffer.concat(frames);
    expect(bytes.byteLength).toBe(chunkedContentLength(length, CHUNK));
    expect(bytes.equals(expected)).toBe(true);
    // Every data chunk is one buffer; the last carries the closing 0-byte frame as well.
    expect(frames.length).toBe(Math.max(1, Math.ceil(length / CHUNK)));
  });

  it('fails the stream when the file is shorter than the signed length', async () => {
    const short = join(dir, 'short.bin');
    await writeFile(short, data);
    await truncate(short, 2 * CHUNK);
    const stream = awsChunkedFileStream(chunkSigner(), { path: short, start: 0, length: 3 * CHUNK }, CHUNK);
    await expect(collect(stream)).rejects.toThrow(/shrank/);
  });

  it('fails the stream when the file does not exist', async () => {
    const stream = awsChunkedFileStream(chunkSigner(), { path: join(dir, 'missing'), start: 0, length: 10 }, CHUNK);
    await expect(collect(stream)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('closes its file when destroyed mid-way', async () => {
    const stream = awsChunkedFileStream(chunkSigner(), { path, start: 0, length: data.byteLength }, CHUNK);
    const first = await new Promise<Buffer>((resolve) => stream.once('data', resolve));
    expect(first.byteLength).toBeGreaterThan(CHUNK);
    const closed = new Promise((resolve) => stream.once('close', resolve));
    stream.destroy();
    await closed;
    expect(stream.destroyed).toBe(true);
  });
});
