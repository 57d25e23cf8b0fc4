/**
 * Large objects and batches on a real server: aws-chunked PUTs of awkward sizes, multipart uploads
 * (parallel parts, a part that fails then succeeds, aborts that leave nothing behind), uploadFiles
 * with missing files among hundreds of good ones, and downloads to disk.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, open, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { S3Client, S3Error } from '../../src/index.js';
import { observedDispatcher } from './dispatchers.js';
import { describeEachServer, patternBytes, removeTestBucket, testClient, uniqueBucketName } from './server.js';

const MiB = 1024 * 1024;



/** Writes a file of `size` pattern bytes in 8 MiB pieces (never the whole file in memory). */
async function writePatternFile(path: string, size: number, seed: number): Promise<string> {
  const handle = await open(path, 'w');
  const hash = createHash('sha256');
  try {
    for (let offset = 0; offset < size; offset += 8 * MiB) {
      const piece = patternBytes(Math.min(8 * MiB, size - offset), seed + offset);
      hash.update(piece);
      await handle.write(piece);
    }
  } finally {
    await handle.close();
  }
  return hash.digest('hex');
}

async function sha256OfObject(s3: S3Client, key: string): Promise<string> {
  const object = await s3.get({ key });
  const hash = createHash('sha256');
  for await (const chunk of object.body) hash.update(chunk);
  return hash.digest('hex');
}

describeEachServer('upload, multipart, uploadFiles and download on a real server', (server) => {
  const bucket = uniqueBucketName('upload');
  const s3 = testClient({ bucket }, server);
  let dir = '';
  let bigFile = '';
  let bigSha = '';
  const bigSize = 64 * MiB + 12_345;

  beforeAll(async () => {
    await s3.createBucket();
    dir = await mkdtemp(join(tmpdir(), 's3lane-upload-'));
    bigFile = join(dir, 'big.bin');
    bigSha = await writePatternFile(bigFile, bigSize, 42);
  });

  afterAll(async () => {
    await removeTestBucket(s3);
    await s3.close();
    await rm(dir, { recursive: true, force: true });
  });

  // 0 bytes: streaming mode signs the empty payload's SHA-256 instead (no chunk to sign; RGW
  // rejects an empty aws-chunked body), so the size still round-trips in streaming mode.
  it.each([0, 1, 64 * 1024 - 1, 64 * 1024, 64 * 1024 + 1, 5 * MiB + 3])(
    'streaming mode sends a %i-byte body with every chunk signed, from bytes and from a file',
    async (size) => {
      const streaming = testClient({ bucket, payloadSigning: 'streaming' }, server);
      try {
        const data = patternBytes(size, size + 1);
        const file = join(dir, `chunked-${size}.bin`);
        await writeFile(file, data);
        await streaming.put({ key: `chunked/${size}/bytes`, body: data });
        await streaming.put({ key: `chunked/${size}/file`, body: createReadStream(file) });
        for (const kind of ['bytes', 'file']) {
          const back = await (await streaming.get({ key: `chunked/${size}/${kind}` })).bytes();
          expect(back.length).toBe(size);
          expect(Buffer.from(back).equals(Buffer.from(data))).toBe(true);
        }
      } finally {
        await streaming.close();
      }
    },
  );

  it('streaming mode sends multipart parts aws-chunked and the control requests with their SHA-256', async () => {
    const streaming = testClient({ bucket, payloadSigning: 'streaming' }, server);
    try {
      const data = patternBytes(11 * MiB, 77);
      const result = await streaming.upload({ key: 'chunked/multipart', body: data, partSize: 5 * MiB });
      expect(result).toMatchObject({ multipart: true, parts: 3 });
      expect(Buffer.from(await (await s3.get({ key: 'chunked/multipart' })).bytes()).equals(Buffer.from(data))).toBe(true);
      const deleted = await streaming.deleteMany({ keys: ['chunked/multipart'] });
      expect(deleted.deleted).toEqual(['chunked/multipart']);
    } finally {
      await streaming.close();
    }
  });

  it('uploads a 64 MiB file as a parallel multipart upload and reads back the same bytes', async () => {
    const result = await s3.upload({ key: 'multipart/big.bin', file: bigFile, partSize: 5 * MiB, queueSize: 4 });
    expect(result.multipart).toBe(true);
    expect(result.parts).toBe(Math.ceil(bigSize / (5 * MiB)));
    expect(result.bytes).toBe(bigSize);
    // Ceph answers Complete with an empty ETag; the client then takes it from a HEAD.
    expect(result.etag).toMatch(/^"[0-9a-f]{32}-\d+"$/);
    expect((await s3.head({ key: 'multipart/big.bin' })).contentLength).toBe(bigSize);
    expect(await sha256OfObject(s3, 'multipart/big.bin')).toBe(bigSha);
  });

  it('sends a small file as one PUT and reports progress up to its size', async () => {
    const file = join(dir, 'small.txt');
    await writeFile(file, 'small file');
    const seen: number[] = [];
    const result = await s3.upload({ key: 'single/small.txt', file, onProgress: (p) => seen.push(p.bytesSent) });
    expect(result).toMatchObject({ multipart: false, parts: 1, bytes: 10 });
    expect(seen.at(-1)).toBe(10);
  });

  it("reports progress once per byte sent, not for the 'sha256' hashing pass", async () => {
    const hashing = testClient({ bucket, payloadSigning: 'sha256' }, server);
    try {
      const seen: number[] = [];
      const data = patternBytes(3 * MiB, 5);
      await hashing.upload({ key: 'progress/sha256', body: new Blob([data]), onProgress: (p) => seen.push(p.bytesSent) });
      expect(Math.max(...seen)).toBe(data.length);
      expect(seen.at(-1)).toBe(data.length);
      // Never back down: the hashing pass, had it counted, would have to be taken back.
      for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1] ?? 0);
    } finally {
      await hashing.close();
    }
  });

  it('uploads streams of unknown length: short ones as one PUT, long ones as multipart', async () => {
    const short = await s3.upload({ key: 'stream/short', body: Readable.from([Buffer.from('abc'), Buffer.from('def')]) });
    expect(short).toMatchObject({ multipart: false, bytes: 6 });
    expect(await (await s3.get({ key: 'stream/short' })).text()).toBe('abcdef');

    const data = patternBytes(12 * MiB + 7, 9);
    const pieces = function* (): Generator<Uint8Array> {
      for (let offset = 0; offset < data.length; offset += 300_000) yield data.subarray(offset, offset + 300_000);
    };
    const long = await s3.upload({ key: 'stream/long', body: Readable.from(pieces()), partSize: 5 * MiB });
    expect(long).toMatchObject({ multipart: true, parts: 3, bytes: data.length });
    expect(Buffer.from(await (await s3.get({ key: 'stream/long' })).bytes()).equals(Buffer.from(data))).toBe(true);
  });

  it('retries a part whose connection fails, then completes the upload intact', async () => {
    const observed = observedDispatcher([{ match: (o) => o.method === 'PUT' && o.path.includes('partNumber=2&'), times: 2 }]);
    const flaky = testClient({ bucket, dispatcher: observed.dispatcher, retries: { retries: 3, baseDelayMs: 10, maxDelayMs: 50 } }, server);
    try {
      // On a store without aws-chunked, the client learns that first, so that part 2's attempts
      // below are only the two failed connections and the one that succeeds.
      await flaky.put({ key: 'multipart/flaky-warm-up', body: new Blob(['warm-up']) });
      const result = await flaky.upload({ key: 'multipart/flaky.bin', file: bigFile, partSize: 16 * MiB });
      expect(result.multipart).toBe(true);
      const part2Attempts = observed.requests().filter((r) => r.method === 'PUT' && r.path.includes('partNumber=2&'));
      expect(part2Attempts.length).toBe(3);
      expect(await sha256OfObject(s3, 'multipart/flaky.bin')).toBe(bigSha);
    } finally {
      await observed.close();
    }
  });

  it('aborts the multipart upload when a part fails for good, leaving no parts and no object', async () => {
    const observed = observedDispatcher([{ match: (o) => o.method === 'PUT' && o.path.includes('partNumber=3&'), times: 100 }]);
    const failing = testClient({ bucket, dispatcher: observed.dispatcher, retries: 1 }, server);
    try {
      await expect(failing.upload({ key: 'multipart/doomed.bin', file: bigFile, partSize: 8 * MiB })).rejects.toThrow();
      expect(await s3.listMultipartUploads({ prefix: 'multipart/doomed' })).toEqual([]);
      expect(await s3.exists({ key: 'multipart/doomed.bin' })).toBe(false);
    } finally {
      await observed.close();
    }
  });

  it('aborts mid-upload on signal: the promise rejects and ListMultipartUploads is empty', async () => {
    const controller = new AbortController();
    const pending = s3.upload({
      key: 'multipart/aborted.bin',
      file: bigFile,
      partSize: 5 * MiB,
      queueSize: 2,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.bytesSent > 12 * MiB) controller.abort(new Error('user cancelled'));
      },
    });
    await expect(pending).rejects.toThrow('user cancelled');
    expect(await s3.listMultipartUploads({ prefix: 'multipart/aborted' })).toEqual([]);
    expect(await s3.exists({ key: 'multipart/aborted.bin' })).toBe(false);
  });

  it('uploadFiles: hundreds of small files and 3 large ones in one bounded pool, failures reported per file', async () => {
    const batchDir = join(dir, 'batch');
    await mkdir(batchDir, { recursive: true });
    const files = new Map<string, string>();
    const expected = new Map<string, Uint8Array>();
    const smallFiles = Math.round(500 * server.workloadScale);
    const missing: string[] = [];
    for (let i = 0; i < smallFiles; i++) {
      const data = patternBytes(100 + ((i * 7919) % 5000), i);
      const path = join(batchDir, `small-${i}.bin`);
      await writeFile(path, data);
      files.set(`batch/small/${i}`, path);
      expected.set(`batch/small/${i}`, data);
      // Every 100th file is missing (one at least, however few files there are).
      const every = Math.min(100, smallFiles);
      if (i % every === every / 2) {
        files.set(`batch/missing/${i}`, join(batchDir, `does-not-exist-${i}.bin`));
        missing.push(`batch/missing/${i}`);
      }
    }
    for (let i = 0; i < 3; i++) {
      const path = join(batchDir, `large-${i}.bin`);
      const data = patternBytes(11 * MiB + i, 1000 + i);
      await writeFile(path, data);
      files.set(`batch/large/${i}`, path);
      expected.set(`batch/large/${i}`, data);
    }
    files.set('batch/a-directory', batchDir);

    const observed = observedDispatcher();
    const batchClient = testClient({ bucket, dispatcher: observed.dispatcher }, server);
    const progress: { bytesSent: number; filesDone: number }[] = [];
    try {
      const results = await batchClient.uploadFiles(files, {
        concurrency: 8,
        partSize: 5 * MiB,
        onProgress: (p) => progress.push({ bytesSent: p.bytesSent, filesDone: p.filesDone }),
      });
      expect(results.map((r) => r.key)).toEqual([...files.keys()]);
      const failed = results.filter((r) => !r.ok).map((r) => r.key);
      // The message names why each file failed, so an unexpected failure can be read from the report.
      const why = results.flatMap((r) => (r.ok ? [] : [`${r.key}: ${r.error.message}`])).join('\n');
      expect(failed.sort(), why).toEqual(['batch/a-directory', ...missing].sort());
      for (const result of results) {
        if (result.ok) expect(result.bytes).toBe(expected.get(result.key)?.length);
        else expect(result.error).toBeInstanceOf(Error);
      }
      expect(observed.maxInFlight()).toBeLessThanOrEqual(8);
      const last = progress.at(-1);
      const totalBytes = [...expected.values()].reduce((sum, d) => sum + d.length, 0);
      expect(last).toEqual({ bytesSent: totalBytes, filesDone: files.size });
    } finally {
      await observed.close();
    }
    // Every uploaded object holds exactly its file's bytes.
    const { default: pLimit } = await import('p-limit');
    const limit = pLimit(16);
    await Promise.all(
      [...expected].map(([key, data]) =>
        limit(async () => {
          const back = await (await s3.get({ key })).bytes();
          expect(Buffer.from(back).equals(Buffer.from(data)), key).toBe(true);
        }),
      ),
    );
    expect(await s3.listMultipartUploads({ prefix: 'batch/' })).toEqual([]);
    // Bulk work on a 2-core machine that also runs the servers: room for a busy machine, no speed claim.
  }, 180_000);

  it('uploadFiles stops on signal: unfinished files fail with the abort reason, no upload is left open', async () => {
    const files = new Map<string, string>();
    for (let i = 0; i < 6; i++) files.set(`cancelled/${i}`, bigFile);
    const controller = new AbortController();
    const results = await s3.uploadFiles(files, {
      concurrency: 4,
      partSize: 8 * MiB,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.bytesSent > 40 * MiB) controller.abort(new Error('batch cancelled'));
      },
    });
    expect(results).toHaveLength(6);
    const failed = results.filter((r) => !r.ok);
    expect(failed.length).toBeGreaterThan(0);
    for (const result of failed) if (!result.ok) expect(result.error.message).toContain('batch cancelled');
    expect(await s3.listMultipartUploads({ prefix: 'cancelled/' })).toEqual([]);
  });

  it('downloads an object and a range to disk, and leaves no file behind when the object is missing', async () => {
    const target = join(dir, 'downloaded.bin');
    const whole = await s3.download({ key: 'multipart/big.bin', file: target });
    expect(whole.bytes).toBe(bigSize);
    expect((await stat(target)).size).toBe(bigSize);
    expect(createHash('sha256').update(await readFile(target)).digest('hex')).toBe(bigSha);

    const rangeTarget = join(dir, 'range.bin');
    await s3.download({ key: 'multipart/big.bin', file: rangeTarget, range: { start: 5 * MiB - 3, end: 5 * MiB + 2 } });
    const expectedRange = Buffer.from(await readFile(bigFile)).subarray(5 * MiB - 3, 5 * MiB + 3);
    expect(Buffer.from(await readFile(rangeTarget)).equals(expectedRange)).toBe(true);

    const before = await readdir(dir);
    const missing = await s3.download({ key: 'nope', file: join(dir, 'nope.bin') }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(S3Error);
    expect(await readdir(dir)).toEqual(before);
  });
});
