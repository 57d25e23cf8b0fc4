/**
 * download()'s file side, without a server:
 * - fs.WriteStream with download.ts's FILE_WRITE_BUFFER sends the chunks queued behind a write in
 *   flight as one writev, and takes sixteen 64 KiB socket chunks without asking the body to wait
 *   (what makes download() cheaper than a pipe into a default write stream; fails if Node changes it);
 * - the span arithmetic of a resumable partial file (part-file.ts).
 */
import { close, createWriteStream, open, write, writev } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FILE_WRITE_BUFFER } from '../../src/s3/transfer/download.js';
import { addSpan, missingPieces, spanBytes, type Spans } from '../../src/s3/transfer/part-file.js';

describe('the download file stream', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 's3lane-download-file-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('writes sixteen 64 KiB chunks in at most two calls, without backpressure until 1 MiB is queued', async () => {
    const calls = { write: 0, writev: 0 };
    const path = join(dir, 'batched.bin');
    const file = createWriteStream(path, {
      highWaterMark: FILE_WRITE_BUFFER,
      // Counting wrappers around the real calls (fs.WriteStream's documented `fs` option).
      fs: {
        open,
        close,
        write: (...args: Parameters<typeof write>) => (calls.write++, write(...args)),
        writev: (...args: Parameters<typeof writev>) => (calls.writev++, writev(...args)),
      },
    });
    const chunks = Array.from({ length: 16 }, (_, i) => Buffer.alloc(64 * 1024, i));
    const accepted = chunks.map((chunk) => file.write(chunk));
    // The last chunk fills the 1 MiB: only then does the body have to wait.
    expect(accepted.slice(0, 15).every(Boolean)).toBe(true);
    await new Promise<void>((resolve, reject) => file.end((error?: Error | null) => (error ? reject(error) : resolve())));
    expect(calls.write + calls.writev).toBeLessThanOrEqual(2);
    expect(await readFile(path)).toEqual(Buffer.concat(chunks));
  });
});

describe('spans of a partial file', () => {
  it.each<[string, Spans, number, number, Spans]>([
    ['into nothing', [], 0, 9, [[0, 9]]],
    ['after a gap', [[0, 9]], 20, 29, [[0, 9], [20, 29]]],
    ['adjacent: joined', [[0, 9]], 10, 19, [[0, 19]]],
    ['between two: all joined', [[0, 9], [20, 29]], 10, 19, [[0, 29]]],
    ['before', [[20, 29]], 0, 5, [[0, 5], [20, 29]]],
    ['overlapping', [[0, 9], [20, 29]], 5, 24, [[0, 29]]],
  ])('addSpan %s', (_name, spans, first, last, expected) => {
    expect(addSpan(spans, first, last)).toEqual(expected);
  });

  it.each<[string, Spans, number, [number, number][]]>([
    ['nothing written: all of it, in pieces', [], 4, [[0, 3], [4, 7], [8, 9]]],
    ['everything written: nothing', [[0, 9]], 4, []],
    ['holes, each cut to the piece size', [[2, 3], [9, 9]], 4, [[0, 1], [4, 7], [8, 8]]],
  ])('missingPieces of 0-9: %s', (_name, spans, pieceSize, expected) => {
    expect(missingPieces(spans, 0, 9, pieceSize)).toEqual(expected);
    expect(spanBytes(spans) + expected.reduce((sum, [a, b]) => sum + b - a + 1, 0)).toBe(10);
  });
});
