/**
 * download({ concurrency, partSize }) against the real server: parallel ranges pinned to the first
 * answer's ETag, written at their offsets. Faults come from an HTTP proxy on 127.0.0.1:0 in front of
 * the server, which passes every request through unchanged (the server still checks each signature)
 * and cuts chosen answers short or runs a hook before forwarding one.
 */
import { createHash } from 'node:crypto';
import { readFile, readdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer, request as httpRequest, Agent as HttpAgent, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { S3ConfigError, S3Error, type S3Client } from '../../src/index.js';
import { describeWithServer, patternBytes, removeTestBucket, s3Server, testClient, uniqueBucketName } from './server.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const PART = 64 * KiB;

interface Proxy {
  endpoint: string;
  /** Ranges asked for, as `start-end`, in arrival order. */
  readonly ranges: string[];
  /** Decides what happens to a request: pass it, cut its answer after `cutAfter` bytes, or run a hook first. */
  plan: (request: IncomingMessage) => { cutAfter?: number; before?: () => Promise<void> } | undefined;
  close(): Promise<void>;
}

async function startProxy(target: string): Promise<Proxy> {
  const upstream = new URL(target);
  const agent = new HttpAgent({ keepAlive: true });
  const proxy: Proxy = {
    endpoint: '',
    ranges: [],
    plan: () => undefined,
    close: () =>
      new Promise((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = createServer((req, res) => {
    const range = /^bytes=(\d+-\d*)$/.exec(req.headers.range ?? '')?.[1];
    if (range !== undefined) proxy.ranges.push(range);
    const plan = proxy.plan(req);
    void (async () => {
      await plan?.before?.();
      // The Host header goes through as sent: it is part of what the client signed.
      const forward = httpRequest(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers, agent },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          const cutAfter = plan?.cutAfter;
          if (cutAfter === undefined) {
            answer.pipe(res);
            return;
          }
          let sent = 0;
          answer.on('data', (chunk: Buffer) => {
            if (sent + chunk.byteLength < cutAfter) {
              sent += chunk.byteLength;
              res.write(chunk);
              return;
            }
            res.write(chunk.subarray(0, cutAfter - sent), () => res.socket?.destroy());
            answer.destroy();
          });
        },
      );
      forward.on('error', () => res.socket?.destroy());
      req.pipe(forward);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

describeWithServer('download() over parallel ranges', () => {
  const bucket = uniqueBucketName('ranged');
  let s3: S3Client;
  let proxy: Proxy;
  let viaProxy: S3Client;
  let tmp = '';

  beforeAll(async () => {
    s3 = testClient({ bucket });
    await s3.createBucket();
    proxy = await startProxy(s3Server!.endpoint);
    viaProxy = testClient({ bucket, endpoint: proxy.endpoint, retries: { retries: 3, baseDelayMs: 5, maxDelayMs: 20 } });
    tmp = await mkdtemp(join(tmpdir(), 's3lane-ranged-'));
  });

  afterAll(async () => {
    await removeTestBucket(s3);
    await Promise.all([s3.close(), viaProxy.close(), proxy.close()]);
    await rm(tmp, { recursive: true, force: true });
  });

  /** Files left in the download directory other than the expected ones (no .part may remain). */
  const leftovers = async (expected: string[]): Promise<string[]> => (await readdir(tmp)).filter((name) => !expected.includes(name));

  it.each([
    ['empty', 0, PART],
    ['one byte', 1, PART],
    ['exactly one part', PART, PART],
    ['one part and one byte', PART + 1, PART],
    ['many parts with a short last one', 10 * PART + 17, PART],
    ['100 MiB in 8 MiB parts', 100 * MiB, 8 * MiB],
  ])('downloads an object of %s byte for byte', async (name, size, partSize) => {
    const key = `sizes/${name}`;
    const data = patternBytes(size, size + 3);
    await s3.put({ key, body: data });
    const file = join(tmp, `${name}.bin`);
    proxy.ranges.length = 0;
    const result = await viaProxy.download({ key, file, partSize, concurrency: 4 });
    expect(result.bytes).toBe(size);
    expect((await stat(file)).size).toBe(size);
    expect(sha256(await readFile(file))).toBe(sha256(data));
    // One request per part (an empty object: one range asked for, then the whole object).
    expect(proxy.ranges.length).toBe(Math.max(1, Math.ceil(size / partSize)));
    await rm(file);
  });

  it('retries a range whose body breaks twice, from the byte it reached, and the file is exact', async () => {
    const key = 'faults/cut-twice';
    const data = patternBytes(8 * PART, 11);
    await s3.put({ key, body: data });
    const third = `${2 * PART}-${3 * PART - 1}`;
    let cuts = 0;
    proxy.ranges.length = 0;
    proxy.plan = (req) => {
      const range = req.headers.range ?? '';
      if (range.endsWith(`-${3 * PART - 1}`) && cuts < 2) {
        cuts++;
        return { cutAfter: 1000 * cuts };
      }
      return undefined;
    };
    try {
      const file = join(tmp, 'cut-twice.bin');
      await viaProxy.download({ key, file, partSize: PART, concurrency: 3 });
      expect(sha256(await readFile(file))).toBe(sha256(data));
      // The third range: asked for whole, then from byte 1000 of it, then from byte 3000 (1000 + 2000).
      expect(proxy.ranges.filter((range) => range.endsWith(`-${3 * PART - 1}`))).toEqual([
        third,
        `${2 * PART + 1000}-${3 * PART - 1}`,
        `${2 * PART + 3000}-${3 * PART - 1}`,
      ]);
      await rm(file);
    } finally {
      proxy.plan = () => undefined;
    }
  });

  /** Puts `key` (16 parts), and has the proxy replace it just before the first pinned (If-Match) request. */
  async function replacedMidRead(key: string, seed: number): Promise<void> {
    await s3.put({ key, body: patternBytes(16 * PART, seed) });
    let replaced = false;
    proxy.plan = (req) =>
      req.headers['if-match'] !== undefined && !replaced
        ? {
            before: async () => {
              replaced = true;
              await s3.put({ key, body: patternBytes(16 * PART, seed + 1) });
            },
          }
        : undefined;
  }

  it('fails with ObjectChanged, leaving no file and no partial file, when the object is replaced mid-download', async () => {
    const key = 'faults/overwritten';
    await replacedMidRead(key, 21);
    try {
      const file = join(tmp, 'overwritten.bin');
      const error = await viaProxy.download({ key, file, partSize: PART, concurrency: 2 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(S3Error);
      expect((error as S3Error).code).toBe('ObjectChanged');
      expect(await leftovers([])).toEqual([]);
    } finally {
      proxy.plan = () => undefined;
    }
  });

  it('fails with the last error, leaving nothing behind, when a range keeps breaking', async () => {
    const key = 'faults/always-cut';
    await s3.put({ key, body: patternBytes(4 * PART, 31) });
    proxy.plan = (req) => ((req.headers.range ?? '').endsWith(`-${2 * PART - 1}`) ? { cutAfter: 10 } : undefined);
    try {
      const error = await viaProxy.download({ key, file: join(tmp, 'always-cut.bin'), partSize: PART, concurrency: 2 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((error as Error).name, String(error)).toBe('S3NetworkError');
      expect(await leftovers([])).toEqual([]);
    } finally {
      proxy.plan = () => undefined;
    }
  });

  it.each([
    ['one byte', 1],
    ['one part and one byte', PART + 1],
    ['many parts with a short last one', 10 * PART + 17],
  ])('get({ concurrency }) streams an object of %s in order, byte for byte', async (name, size) => {
    const key = `get/${name}`;
    const data = patternBytes(size, size + 5);
    await s3.put({ key, body: data });
    proxy.ranges.length = 0;
    const object = await viaProxy.get({ key, concurrency: 3, partSize: PART });
    expect(object.contentLength).toBe(size);
    expect(object.contentRange).toBeUndefined();
    expect(sha256(await object.bytes())).toBe(sha256(data));
    expect(proxy.ranges.length).toBe(Math.ceil(size / PART));
  });

  it('get({ concurrency }) fails its stream with ObjectChanged when the object is replaced mid-read', async () => {
    const key = 'get/overwritten';
    await replacedMidRead(key, 41);
    try {
      const object = await viaProxy.get({ key, concurrency: 2, partSize: PART });
      const error = await object.bytes().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(S3Error);
      expect((error as S3Error).code).toBe('ObjectChanged');
    } finally {
      proxy.plan = () => undefined;
    }
  });

  /** The ranges a run asked for, as inclusive [first, last] pairs. */
  const askedSpans = (): [number, number][] =>
    proxy.ranges.map((range) => {
      const [first = '0', last = '0'] = range.split('-');
      return [Number(first), Number(last)];
    });
  const bytesOf = (spans: readonly (readonly [number, number])[]): number => spans.reduce((sum, [a, b]) => sum + b - a + 1, 0);

  /** A resumable parallel download of `key` aborted when the proxy sees its `abortAt`-th range request. */
  async function abortedRun(key: string, file: string, abortAt: number): Promise<{ written: [number, number][]; etag: string }> {
    const controller = new AbortController();
    let seen = 0;
    proxy.plan = () => (++seen === abortAt ? { before: async () => controller.abort(new Error('stopped by the test')) } : undefined);
    try {
      const error = await viaProxy
        .download({ key, file, partSize: PART, concurrency: 3, resume: true, signal: controller.signal })
        .then(() => undefined, (e: unknown) => e);
      expect((error as Error).message).toBe('stopped by the test');
    } finally {
      proxy.plan = () => undefined;
    }
    const name = file.split('/').pop() ?? '';
    expect(await leftovers([])).toEqual([`.${name}.s3lane-part`, `.${name}.s3lane-part.json`].sort());
    const record = JSON.parse(await readFile(join(tmp, `.${name}.s3lane-part.json`), 'utf8')) as { written: [number, number][]; span: { etag: string } };
    return { written: record.written, etag: record.span.etag };
  }

  it('download({ concurrency, resume }) aborted mid-way continues in the next run, asking only for the missing bytes', async () => {
    const key = 'resume/parallel';
    const size = 16 * PART + 100;
    const data = patternBytes(size, 51);
    await s3.put({ key, body: data });
    const file = join(tmp, 'resume-parallel.bin');
    const { written } = await abortedRun(key, file, 6);
    const onDisk = bytesOf(written);
    expect(onDisk).toBeGreaterThan(0);
    expect(onDisk).toBeLessThan(size);

    proxy.ranges.length = 0;
    const reports: { bytesReceived: number; totalBytes: number | undefined }[] = [];
    const result = await viaProxy.download({ key, file, partSize: PART, concurrency: 3, resume: true, onProgress: (p) => reports.push(p) });
    expect(result.resumedBytes).toBe(onDisk);
    expect(result.bytes).toBe(size);
    expect(sha256(await readFile(file))).toBe(sha256(data));
    // Only what the record said was missing was asked for, none of it twice.
    const asked = askedSpans();
    expect(bytesOf(asked)).toBe(size - onDisk);
    for (const [a, b] of asked) for (const [c, d] of written) expect(b < c || a > d, `asked ${a}-${b}, on disk ${c}-${d}`).toBe(true);
    expect(reports[0]!.bytesReceived).toBeGreaterThanOrEqual(onDisk);
    expect(reports.at(-1)).toEqual({ key, bytesReceived: size, totalBytes: size });
    expect(await leftovers(['resume-parallel.bin'])).toEqual([]);
    await rm(file);
  });

  it('download({ concurrency, resume }) starts over, never splicing, when the object changed since the aborted run', async () => {
    const key = 'resume/changed';
    await s3.put({ key, body: patternBytes(16 * PART, 61) });
    const file = join(tmp, 'resume-changed.bin');
    const { etag } = await abortedRun(key, file, 5);
    const replaced = patternBytes(12 * PART + 5, 62);
    await s3.put({ key, body: replaced });

    proxy.ranges.length = 0;
    const result = await viaProxy.download({ key, file, partSize: PART, concurrency: 3, resume: true });
    expect(result.resumedBytes).toBe(0);
    expect(result.etag).not.toBe(etag);
    expect(sha256(await readFile(file))).toBe(sha256(replaced));
    // The whole new object was read, after the refused continuation(s).
    expect(proxy.ranges).toContain(`0-${PART - 1}`);
    expect(await leftovers(['resume-changed.bin'])).toEqual([]);
    await rm(file);
  });

  it('download({ resume }) continues the partial file of a parallel run on a single connection, and the other way round', async () => {
    const key = 'resume/mixed';
    const size = 16 * PART;
    const data = patternBytes(size, 71);
    await s3.put({ key, body: data });
    const file = join(tmp, 'resume-mixed.bin');
    const { written } = await abortedRun(key, file, 6);
    const [first] = written;
    // One connection appends: it keeps only the stretch written from byte 0.
    const single = await viaProxy.download({ key, file, resume: true });
    expect(single.resumedBytes).toBe(first && first[0] === 0 ? first[1] + 1 : 0);
    expect(sha256(await readFile(file))).toBe(sha256(data));
    expect(await leftovers(['resume-mixed.bin'])).toEqual([]);
    await rm(file);
  });

  it('download({ concurrency }) reports onProgress up to the object size, never going back', async () => {
    const key = 'progress/parallel';
    const size = 20 * PART + 3;
    await s3.put({ key, body: patternBytes(size, 81) });
    const file = join(tmp, 'progress.bin');
    const reports: { bytesReceived: number; totalBytes: number | undefined }[] = [];
    await viaProxy.download({ key, file, partSize: PART, concurrency: 4, onProgress: (p) => reports.push(p) });
    expect(reports.length).toBeGreaterThan(0);
    for (let i = 1; i < reports.length; i++) expect(reports[i]!.bytesReceived).toBeGreaterThanOrEqual(reports[i - 1]!.bytesReceived);
    expect(reports.at(-1)).toEqual({ key, bytesReceived: size, totalBytes: size });
    await rm(file);
  });

  it('get({ concurrency }) never holds more than concurrency x partSize bytes the reader has not taken', async () => {
    const key = 'get/bounded';
    const size = 12 * PART;
    const data = patternBytes(size, 91);
    await s3.put({ key, body: data });
    proxy.ranges.length = 0;
    const concurrency = 3;
    const object = await viaProxy.get({ key, concurrency, partSize: PART });
    const reader = object.body.getReader();
    const chunks: Uint8Array[] = [];
    let taken = 0;
    for (;;) {
      // A slow reader: the download has all the time it wants to run ahead, and must not.
      await new Promise((resolve) => setTimeout(resolve, 40));
      const requested = bytesOf(askedSpans());
      expect(requested - taken, `after ${taken} bytes taken`).toBeLessThanOrEqual(concurrency * PART);
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      taken += value.byteLength;
    }
    expect(sha256(Buffer.concat(chunks))).toBe(sha256(data));
  });

  it('rejects a bad concurrency or partSize before any request', async () => {
    proxy.ranges.length = 0;
    await expect(viaProxy.download({ key: 'k', file: join(tmp, 'x'), concurrency: 0 })).rejects.toBeInstanceOf(S3ConfigError);
    await expect(viaProxy.download({ key: 'k', file: join(tmp, 'x'), concurrency: 2, partSize: 100 })).rejects.toBeInstanceOf(
      S3ConfigError,
    );
    await expect(viaProxy.get({ key: 'k', concurrency: 1.5 })).rejects.toBeInstanceOf(S3ConfigError);
    expect(proxy.ranges).toEqual([]);
  });
});
