/**
 * Volume under faults, through the seeded fault proxy in front of the real server:
 * - 1,000 files through uploadFiles with ~10% of requests faulted: every file reported ok and
 *   stored byte-identical, no multipart upload left;
 * - 200 ranged GETs and 20 downloads whose bodies are cut halfway: exact bytes, by resumption;
 * - download({ resume: true }) continuing the partial file of a failed run, and starting over when
 *   the object changed; a get() body whose object changes mid-read fails with ObjectChanged;
 * - a deadline given as AbortSignal.timeout().
 * S3LANE_FAULT_SOAK=<n> repeats the volume cases n times with other seeds (a longer, opt-in soak).
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { S3Error, S3NetworkError, type S3Client } from '../../src/index.js';
import { describeWithServer, patternBytes, removeTestBucket, s3Server, testClient, uniqueBucketName } from '../integration/server.js';
import { faultedClient, PATIENT, type Pace } from './harness.js';
import { randomFaults, seededRandom, type Fault } from './proxy.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const ROUNDS = Math.max(1, Number(process.env['S3LANE_FAULT_SOAK'] ?? 1));
/** Many requests in flight on a loaded machine, some of them held back ('delay') past the timeout. */
const VOLUME: Pace = { timeoutMs: 3_000, delayMs: 6_500, deadlineMs: 60_000 };
/** Room for slow machines: each of these tests takes seconds on an idle 2-core one. */
const LONG_TEST_MS = 240_000;
const CUT_BODIES: readonly Fault[] = ['truncate-body'];

const md5 = (bytes: Uint8Array): string => `"${createHash('md5').update(bytes).digest('hex')}"`;
const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
const server = (): string => {
  if (!s3Server) throw new Error('no server');
  return s3Server.endpoint;
};

describeWithServer('volume under faults (seeded proxy, real server)', () => {
  const bucket = uniqueBucketName('s3lane-volume');
  let direct: S3Client;
  let dir: string;
  const source = patternBytes(2 * MiB + 123, 5);

  beforeAll(async () => {
    direct = testClient({ bucket });
    await direct.createBucket();
    await direct.put({ key: 'source.bin', body: source });
    dir = await mkdtemp(join(tmpdir(), 's3lane-faults-'));
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    if (!direct) return;
    await removeTestBucket(direct);
    await direct.close();
  });

  for (let round = 1; round <= ROUNDS; round++) {
    it(`uploadFiles: 1,000 files (2 multipart) with ~10% of requests faulted, every object verified (seed ${round})`, async () => {
      const random = seededRandom(1000 + round);
      const files = new Map<string, string>();
      const contents = new Map<string, Uint8Array>();
      const folder = join(dir, `batch-${round}`);
      await rm(folder, { recursive: true, force: true });
      await mkdir(folder, { recursive: true });
      for (let i = 0; i < 1000; i++) {
        const size = i < 2 ? 5 * MiB + 1000 * i + 7 : Math.floor(random() * 24 * KiB);
        const bytes = patternBytes(size, round * 10_000 + i);
        const path = join(folder, `f${i}`);
        await writeFile(path, bytes);
        const key = `batch-${round}/f${i}`;
        files.set(key, path);
        contents.set(key, bytes);
      }
      const client = await faultedClient(server(), bucket, randomFaults(round, 0.1), VOLUME, {
        retries: { retries: 6, baseDelayMs: 10, throttleBaseDelayMs: 25, maxDelayMs: 200 },
      });
      try {
        const results = await client.s3.uploadFiles(files, { concurrency: 16, partSize: 5 * MiB });
        const failed = results.filter((r) => !r.ok);
        expect(failed).toEqual([]);
        expect(client.proxy.faulted()).toBeGreaterThan(50);
      } finally {
        await client.close();
      }
      const stored = new Map<string, string>();
      for await (const object of direct.list({ prefix: `batch-${round}/` })) stored.set(object.key, object.etag);
      expect(stored.size).toBe(1000);
      for (const [key, bytes] of contents) {
        const etag = stored.get(key) ?? '';
        if (etag.endsWith('-2"')) expect(same(await (await direct.get({ key })).bytes(), bytes), key).toBe(true);
        else expect(etag.startsWith('"') ? etag : `"${etag}"`, key).toBe(md5(bytes));
      }
      expect(await direct.listMultipartUploads({ prefix: `batch-${round}/` })).toEqual([]);
    }, LONG_TEST_MS);

    it(`200 ranged GETs whose bodies are cut halfway return exact bytes through resumption (seed ${round})`, async () => {
      const random = seededRandom(2000 + round);
      const client = await faultedClient(server(), bucket, randomFaults(round, 0.3, CUT_BODIES), PATIENT, {
        retries: { retries: 8, baseDelayMs: 5, maxDelayMs: 50 },
      });
      try {
        const reads = Array.from({ length: 200 }, (_, i) => {
          const start = Math.floor(random() * source.length);
          const end = Math.min(source.length - 1, start + Math.floor(random() * 256 * KiB));
          return { i, start, end };
        });
        // Ten at a time, each read a different way: bytes(), the web stream, the Node stream.
        for (let at = 0; at < reads.length; at += 10) {
          await Promise.all(
            reads.slice(at, at + 10).map(async ({ i, start, end }) => {
              const object = await client.s3.get({ key: 'source.bin', range: { start, end } });
              let bytes: Uint8Array;
              if (i % 3 === 0) bytes = await object.bytes();
              else {
                const chunks: Uint8Array[] = [];
                for await (const chunk of i % 3 === 1 ? object.body : object.nodeStream) chunks.push(chunk as Uint8Array);
                bytes = Buffer.concat(chunks);
              }
              expect(same(bytes, source.subarray(start, end + 1)), `range ${start}-${end}`).toBe(true);
            }),
          );
        }
        expect(client.proxy.faulted('GetObject')).toBeGreaterThan(20);
      } finally {
        await client.close();
      }
    }, LONG_TEST_MS);

    it(`20 downloads whose bodies are cut halfway write exact files through resumption (seed ${round})`, async () => {
      const client = await faultedClient(server(), bucket, randomFaults(round + 7, 0.5, CUT_BODIES), PATIENT, {
        retries: { retries: 10, baseDelayMs: 5, maxDelayMs: 50 },
      });
      try {
        await Promise.all(
          Array.from({ length: 20 }, async (_, i) => {
            const file = join(dir, `download-${round}-${i}.bin`);
            const range = i % 4 === 3 ? { start: 1000 * i, end: 1000 * i + 300 * KiB } : undefined;
            const result = await client.s3.download({ key: 'source.bin', file, range });
            const expected = range ? source.subarray(range.start, range.end + 1) : source;
            expect(result.bytes).toBe(expected.length);
            expect(same(await readFile(file), expected), file).toBe(true);
          }),
        );
        expect(client.proxy.faulted('GetObject')).toBeGreaterThan(5);
        expect((await readdir(dir)).filter((name) => name.endsWith('.part'))).toEqual([]);
      } finally {
        await client.close();
      }
    }, LONG_TEST_MS);
  }

  it('download({ resume: true }) keeps the bytes of a failed run and the next run asks only for the rest', async () => {
    const file = join(dir, 'resumed.bin');
    const failing = await faultedClient(server(), bucket, ({ operation }) => (operation === 'GetObject' ? 'truncate-body' : undefined), PATIENT, { retries: 0 });
    const error = await failing.s3.download({ key: 'source.bin', file, resume: true }).catch((e: unknown) => e);
    await failing.close();
    expect(error).toBeInstanceOf(S3NetworkError);
    const left = await readdir(dir);
    expect(left).toContain('.resumed.bin.s3lane-part');
    expect(left).not.toContain('resumed.bin');

    const healthy = await faultedClient(server(), bucket, () => undefined, PATIENT);
    const result = await healthy.s3.download({ key: 'source.bin', file, resume: true });
    await healthy.close();
    expect(result.resumedBytes).toBeGreaterThan(0);
    expect(result.bytes).toBe(source.length);
    expect(same(await readFile(file), source)).toBe(true);
    expect((await readdir(dir)).filter((name) => name.startsWith('.resumed.bin'))).toEqual([]);
  });

  it('download({ resume: true }) starts over when the object changed since the failed run', async () => {
    await direct.put({ key: 'changing.bin', body: source });
    const file = join(dir, 'changing.bin');
    const failing = await faultedClient(server(), bucket, ({ operation }) => (operation === 'GetObject' ? 'truncate-body' : undefined), PATIENT, { retries: 0 });
    await expect(failing.s3.download({ key: 'changing.bin', file, resume: true })).rejects.toBeInstanceOf(S3NetworkError);
    await failing.close();
    const replaced = patternBytes(300 * KiB, 99);
    await direct.put({ key: 'changing.bin', body: replaced });
    const result = await direct.download({ key: 'changing.bin', file, resume: true });
    expect(result.resumedBytes).toBe(0);
    expect(same(await readFile(file), replaced)).toBe(true);
  });

  it('a get() body whose object is replaced mid-read fails with ObjectChanged, never splicing two versions', async () => {
    await direct.put({ key: 'replaced.bin', body: source });
    const client = await faultedClient(
      server(),
      bucket,
      ({ operation, index }) => (operation === 'GetObject' && index === 0 ? 'stall-body' : undefined),
      { timeoutMs: 1_000, delayMs: 1_500, deadlineMs: 10_000 },
    );
    try {
      const object = await client.s3.get({ key: 'replaced.bin' });
      await direct.put({ key: 'replaced.bin', body: patternBytes(source.length, 77) });
      const error = await object.bytes().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(S3Error);
      expect((error as S3Error).code).toBe('ObjectChanged');
    } finally {
      await client.close();
    }
  });

  it('parts of uploads refused with 501 fail with that S3Error, never with the abort that stopped their sibling parts', async () => {
    const body = patternBytes(20 * MiB + 1, 3);
    const client = await faultedClient(server(), bucket, ({ operation }) => (operation === 'UploadPart' ? 'not-implemented' : undefined), PATIENT);
    try {
      const outcomes = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => client.s3.upload({ key: `refused/${i}`, body, partSize: 5 * MiB, queueSize: 4 })),
      );
      for (const outcome of outcomes) {
        expect(outcome.status).toBe('rejected');
        const reason: unknown = outcome.status === 'rejected' ? outcome.reason : undefined;
        expect(reason).toBeInstanceOf(S3Error);
        expect((reason as S3Error).code).toBe('NotImplemented');
      }
    } finally {
      await client.close();
    }
    expect(await direct.listMultipartUploads({ prefix: 'refused/' })).toEqual([]);
  }, LONG_TEST_MS);

  it('a signal from AbortSignal.timeout() is a deadline: the call ends with DeadlineExceeded and its last failure as cause', async () => {
    const client = await faultedClient(server(), bucket, ({ operation }) => (operation === 'PutObject' ? 'delay' : undefined), {
      timeoutMs: 200,
      delayMs: 5_000,
      deadlineMs: 0,
    }, { retries: { retries: 50, baseDelayMs: 10, maxDelayMs: 50 } });
    try {
      const error = await client.s3.put({ key: 'late', body: 'x', signal: AbortSignal.timeout(2_000) }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(S3NetworkError);
      expect((error as S3NetworkError).code).toBe('DeadlineExceeded');
      expect((error as S3NetworkError).message).toMatch(/deadline/);
      expect(((error as S3NetworkError).cause as S3NetworkError).code).toBe('UND_ERR_HEADERS_TIMEOUT');
    } finally {
      await client.close();
    }
  });
});
