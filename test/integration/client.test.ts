/**
 * S3Client against each real S3 server (Ceph RGW or MinIO, and OpenStack Swift's s3api, started by
 * scripts/s3-server.sh), with default client settings: every operation, both addressing styles,
 * every body kind and payload-signing mode.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { S3Client, S3ConfigError, S3Error } from '../../src/index.js';
import { describeEachServer, patternBytes, removeTestBucket, testClient, uniqueBucketName } from './server.js';



async function expectS3Error(promise: Promise<unknown>, code: string, statusCode?: number): Promise<S3Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(S3Error);
  const s3Error = error as S3Error;
  expect(s3Error.code).toBe(code);
  if (statusCode !== undefined) expect(s3Error.statusCode).toBe(statusCode);
  return s3Error;
}

describeEachServer('S3Client on a real server', (server) => {
  const bucket = uniqueBucketName('client');
  const s3 = testClient({ bucket }, server);
  let tmp = '';

  beforeAll(async () => {
    await s3.createBucket();
    tmp = await mkdtemp(join(tmpdir(), 's3lane-client-'));
  });

  afterAll(async () => {
    await removeTestBucket(s3);
    await s3.close();
    await rm(tmp, { recursive: true, force: true });
  });

  it.each([
    ['empty', 'empty-object', new Uint8Array(0)],
    ['1 byte', 'one-byte', new Uint8Array([0x2a])],
    ['5 MiB', 'five-mib', patternBytes(5 * 1024 * 1024)],
    ['unicode key', 'dir/日本語 ünï+cødé = ~!$&\'()*,;@ %2F #?.txt', new TextEncoder().encode('héllo wörld')],
    ['key with dot segments and double slash', 'a/./b/../c//d', new Uint8Array([1, 2, 3])],
  ])('round-trips a %s object byte for byte', async (_name, key, data) => {
    const put = await s3.put({ key, body: data });
    expect(put.etag).toMatch(/^"[0-9a-f]{32}"$/);
    const object = await s3.get({ key });
    expect(object.contentLength).toBe(data.length);
    expect(object.etag).toBe(put.etag);
    expect(Buffer.from(await object.bytes()).equals(Buffer.from(data))).toBe(true);
  });

  it('reads closed, open and suffix ranges, and maps an unsatisfiable one to InvalidRange 416', async () => {
    const data = patternBytes(1000, 7);
    await s3.put({ key: 'ranges', body: data });
    const cases = [
      { range: { start: 0, end: 9 }, expected: data.subarray(0, 10), contentRange: 'bytes 0-9/1000' },
      { range: { start: 990 }, expected: data.subarray(990), contentRange: 'bytes 990-999/1000' },
      { range: { suffix: 5 }, expected: data.subarray(995), contentRange: 'bytes 995-999/1000' },
      { range: { start: 500, end: 5000 }, expected: data.subarray(500), contentRange: 'bytes 500-999/1000' },
    ];
    for (const { range, expected, contentRange } of cases) {
      const part = await s3.get({ key: 'ranges', range });
      expect(part.contentRange).toBe(contentRange);
      expect(part.contentLength).toBe(expected.length);
      expect(Buffer.from(await part.bytes()).equals(Buffer.from(expected))).toBe(true);
    }
    await expectS3Error(s3.get({ key: 'ranges', range: { start: 2000 } }), 'InvalidRange', 416);
  });

  it('streams a GET body as a web ReadableStream', async () => {
    const data = patternBytes(3 * 1024 * 1024, 3);
    await s3.put({ key: 'streamed', body: data });
    const object = await s3.get({ key: 'streamed' });
    const chunks: Uint8Array[] = [];
    for await (const chunk of object.body) chunks.push(chunk);
    expect(Buffer.concat(chunks).equals(Buffer.from(data))).toBe(true);
  });

  it('stores metadata and content headers, and returns them from head and get', async () => {
    await s3.put({
      key: 'with-metadata',
      body: '{"a":1}',
      contentType: 'application/json',
      cacheControl: 'max-age=60',
      contentDisposition: 'attachment; filename="a.json"',
      metadata: { Owner: 'team-a', 'trace-id': 'abc 123' },
    });
    const info = await s3.head({ key: 'with-metadata' });
    expect(info).toMatchObject({
      contentLength: 7,
      contentType: 'application/json',
      cacheControl: 'max-age=60',
      contentDisposition: 'attachment; filename="a.json"',
      metadata: { owner: 'team-a', 'trace-id': 'abc 123' },
    });
    expect(info.lastModified).toBeInstanceOf(Date);
    const object = await s3.get({ key: 'with-metadata' });
    expect(await object.json()).toEqual({ a: 1 });
    expect(object.metadata['owner']).toBe('team-a');
  });

  it('honours conditional requests: create-only PUT, If-None-Match 304, If-Match 412', async () => {
    if (!server.features.conditionalPut) {
      // Swift's s3api has no conditional PUT: the error must say so, and nothing is written.
      const refused = await expectS3Error(s3.put({ key: 'conditional', body: 'v1', ifNoneMatch: '*' }), 'NotImplemented', 501);
      expect(refused.message).toMatch(/conditional/i);
      expect(await s3.exists({ key: 'conditional' })).toBe(false);
      await s3.put({ key: 'conditional', body: 'v1' });
    }
    const first = server.features.conditionalPut
      ? await s3.put({ key: 'conditional', body: 'v1', ifNoneMatch: '*' })
      : await s3.head({ key: 'conditional' });
    if (server.features.conditionalPut) {
      await expectS3Error(s3.put({ key: 'conditional', body: 'v2', ifNoneMatch: '*' }), 'PreconditionFailed', 412);
    }
    await expectS3Error(s3.get({ key: 'conditional', ifNoneMatch: first.etag }), 'NotModified', 304);
    await expectS3Error(s3.get({ key: 'conditional', ifMatch: '"0123456789abcdef0123456789abcdef"' }), 'PreconditionFailed', 412);
    const matched = await s3.get({ key: 'conditional', ifMatch: first.etag });
    expect(await matched.text()).toBe('v1');
  });

  it('answers head, exists and get for a missing object with typed errors', async () => {
    await expectS3Error(s3.get({ key: 'no/such/key' }), 'NoSuchKey', 404);
    await expectS3Error(s3.head({ key: 'no/such/key' }), 'NotFound', 404);
    expect(await s3.exists({ key: 'no/such/key' })).toBe(false);
    await s3.put({ key: 'present', body: 'x' });
    expect(await s3.exists({ key: 'present' })).toBe(true);
    await s3.delete({ key: 'present' });
    expect(await s3.exists({ key: 'present' })).toBe(false);
    // Deleting what is not there succeeds, as in S3.
    await s3.delete({ key: 'present' });
  });

  // An external server that names no vhost domain (S3_VHOST_DOMAIN) cannot be tested in vhost style.
  it.skipIf(!server.vhostDomain)('uses virtual-hosted style through *.localhost and path style, with the same results', async () => {
    if (!server.vhostDomain) throw new Error('unreachable: skipped without a vhost domain');
    const port = new URL(server.endpoint).port;
    const vhost = testClient({ endpoint: `http://${server.vhostDomain}:${port}`, forcePathStyle: false, bucket }, server);
    const path = testClient({ endpoint: `http://localhost:${port}`, forcePathStyle: true, bucket }, server);
    try {
      await vhost.put({ key: 'styles/vhost one', body: 'via vhost' });
      expect(await (await path.get({ key: 'styles/vhost one' })).text()).toBe('via vhost');
      await path.put({ key: 'styles/path one', body: 'via path' });
      expect(await (await vhost.get({ key: 'styles/path one' })).text()).toBe('via path');
      const listed: string[] = [];
      for await (const object of vhost.list({ prefix: 'styles/' })) listed.push(object.key);
      expect(listed).toEqual(['styles/path one', 'styles/vhost one']);
    } finally {
      await vhost.close();
      await path.close();
    }
  });

  it('sends every body kind: string, Buffer, Blob, web stream, Node Readable, fs.ReadStream', async () => {
    const data = patternBytes(200_000, 11);
    const file = join(tmp, 'body.bin');
    await writeFile(file, data);
    const bodies = [
      ['string', { body: 'text body' }, Buffer.from('text body')],
      ['buffer', { body: Buffer.from(data) }, data],
      ['blob', { body: new Blob([data]) }, data],
      ['web stream', { body: new Blob([data]).stream(), contentLength: data.length }, data],
      ['node readable', { body: Readable.from([data.subarray(0, 1000), data.subarray(1000)]), contentLength: data.length }, data],
      ['fs.ReadStream (length from the file)', { body: createReadStream(file) }, data],
      ['fs.ReadStream range', { body: createReadStream(file, { start: 10, end: 19 }) }, data.subarray(10, 20)],
    ] as const;
    for (const [name, input, expected] of bodies) {
      await s3.put({ key: `bodies/${name}`, ...input });
      const back = await (await s3.get({ key: `bodies/${name}` })).bytes();
      expect(Buffer.from(back).equals(Buffer.from(expected)), name).toBe(true);
    }
  });

  it.each(['sha256', 'unsigned', 'streaming', 'auto'] as const)(
    "payloadSigning '%s' uploads bytes and streams that the server verifies",
    async (payloadSigning) => {
      const client = testClient({ bucket, payloadSigning }, server);
      try {
        const data = patternBytes(150_000, 5);
        await client.put({ key: `signing/${payloadSigning}/bytes`, body: data });
        const file = join(tmp, `signing-${payloadSigning}.bin`);
        await writeFile(file, data);
        // An fs.ReadStream nobody has read yet is sent as the file: hashable, replayable.
        await client.put({ key: `signing/${payloadSigning}/stream`, body: createReadStream(file) });
        if (payloadSigning === 'sha256') {
          // A one-shot stream cannot be hashed before it is sent: a clear error before any request.
          const oneShot = Readable.from([Buffer.from(data)]);
          await expect(client.put({ key: 'signing/sha256/one-shot', body: oneShot, contentLength: data.length })).rejects.toBeInstanceOf(
            S3ConfigError,
          );
        }
        for (const kind of ['bytes', 'stream']) {
          const back = await (await client.get({ key: `signing/${payloadSigning}/${kind}` })).bytes();
          expect(Buffer.from(back).equals(Buffer.from(data))).toBe(true);
        }
      } finally {
        await client.close();
      }
    },
  );

  it('sends one-shot streams and replayable bodies with default settings, falling back where aws-chunked is missing', async () => {
    const data = patternBytes(300_000, 21);
    const fallbackLogs: string[] = [];
    const fresh = testClient({ bucket, logger: { debug: (m) => void (m.includes('refuses aws-chunked') && fallbackLogs.push(m)) } }, server);
    const oneShot = (): Readable => Readable.from([data.subarray(0, 100_000), data.subarray(100_000)]);
    try {
      if (server.features.awsChunked) {
        await fresh.put({ key: 'fallback/stream', body: oneShot(), contentLength: data.length });
        expect(fallbackLogs).toEqual([]);
      } else {
        // The first one-shot stream was spent on the refused attempt: an error naming the fix, nothing stored.
        const refused = await expectS3Error(fresh.put({ key: 'fallback/stream', body: oneShot(), contentLength: data.length }), 'NotImplemented', 501);
        expect(refused.message).toContain("payloadSigning: 'unsigned'");
        expect(await fresh.exists({ key: 'fallback/stream' })).toBe(false);
        expect(fallbackLogs).toHaveLength(1);
        // Remembered for this endpoint: the next stream goes without aws-chunked at once.
        await fresh.put({ key: 'fallback/stream', body: oneShot(), contentLength: data.length });
        expect(fallbackLogs).toHaveLength(1);
      }
      expect(Buffer.from(await (await fresh.get({ key: 'fallback/stream' })).bytes()).equals(Buffer.from(data))).toBe(true);
    } finally {
      await fresh.close();
    }
    // A replayable body (a Blob) falls back transparently on a client that has not learnt it yet.
    const another = testClient({ bucket, logger: { debug: (m) => void (m.includes('refuses aws-chunked') && fallbackLogs.push(m)) } }, server);
    try {
      const before = fallbackLogs.length;
      await another.put({ key: 'fallback/blob', body: new Blob([data]) });
      expect(fallbackLogs.length - before).toBe(server.features.awsChunked ? 0 : 1);
      expect(Buffer.from(await (await another.get({ key: 'fallback/blob' })).bytes()).equals(Buffer.from(data))).toBe(true);
    } finally {
      await another.close();
    }
  });

  it('refuses a stream of unknown length before any request, pointing at upload()', async () => {
    const error = await s3.put({ key: 'unknown-length', body: Readable.from([Buffer.from('abc')]) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(S3ConfigError);
    expect((error as S3ConfigError).message).toMatch(/upload\(\)/);
    expect(await s3.exists({ key: 'unknown-length' })).toBe(false);
  });

  it('copies an object, keeping or replacing its metadata', async () => {
    await s3.put({ key: 'copy/source', body: 'copied bytes', contentType: 'text/plain', metadata: { a: '1' } });
    const kept = await s3.copy({ from: { key: 'copy/source' }, to: { key: 'copy/kept ü' } });
    expect(kept.etag).toMatch(/^"[0-9a-f]{32}"$/);
    const keptInfo = await s3.head({ key: 'copy/kept ü' });
    expect(keptInfo.metadata).toEqual({ a: '1' });
    expect(keptInfo.contentType).toBe('text/plain');
    await s3.copy({ from: { key: 'copy/source' }, to: { key: 'copy/replaced' }, metadata: { b: '2' }, contentType: 'text/x-copy' });
    const replaced = await s3.head({ key: 'copy/replaced' });
    expect(replaced.metadata).toEqual({ b: '2' });
    expect(replaced.contentType).toBe('text/x-copy');
    expect(await (await s3.get({ key: 'copy/replaced' })).text()).toBe('copied bytes');
    await expectS3Error(s3.copy({ from: { key: 'copy/missing' }, to: { key: 'copy/never' } }), 'NoSuchKey', 404);
  });

  it('lists keys across pages, with prefixes and delimiters, then bulk-deletes them', async () => {
    // 2,500 keys in 3 pages of 1,000 (S3's page size), scaled down on slower servers.
    const count = Math.round(2500 * server.workloadScale);
    const pageSize = Math.round(1000 * server.workloadScale);
    const keys = Array.from({ length: count }, (_, i) => `many/${String(i % 5)}/${String(i).padStart(5, '0')}`);
    const { default: pLimit } = await import('p-limit');
    const limit = pLimit(32);
    await Promise.all(keys.map((key) => limit(() => s3.put({ key, body: key }))));

    const listed: string[] = [];
    for await (const object of s3.list({ prefix: 'many/' })) listed.push(object.key);
    expect(listed).toEqual([...keys].sort());

    let pages = 0;
    for await (const page of s3.listPages({ prefix: 'many/', pageSize })) {
      pages++;
      expect(page.objects.length).toBeLessThanOrEqual(pageSize);
    }
    expect(pages).toBe(3);

    const folders: string[] = [];
    for await (const page of s3.listPages({ prefix: 'many/', delimiter: '/' })) folders.push(...page.commonPrefixes);
    expect(folders).toEqual(['many/0/', 'many/1/', 'many/2/', 'many/3/', 'many/4/']);

    const startAfter = `many/4/${String(Math.round(count * 0.8)).padStart(5, '0')}`;
    const after: string[] = [];
    for await (const object of s3.list({ prefix: 'many/4/', startAfter })) after.push(object.key);
    expect(after).toEqual(keys.filter((k) => k.startsWith('many/4/') && k > startAfter).sort());
    expect(after.length).toBeGreaterThan(0);

    const result = await s3.deleteMany({ keys: [...keys, 'many/never-existed'] });
    expect(result.errors).toEqual([]);
    expect(result.deleted.length).toBe(count + 1);
    const left: string[] = [];
    for await (const object of s3.list({ prefix: 'many/' })) left.push(object.key);
    expect(left).toEqual([]);
    // Bulk work on a 2-core machine that also runs the servers: room for a busy machine, no speed claim.
  }, 180_000);

  it('rejects a wrong secret with SignatureDoesNotMatch and an unknown key id with InvalidAccessKeyId', async () => {
    const wrongSecret = testClient({ bucket, credentials: { accessKeyId: server.accessKeyId, secretAccessKey: 'not-the-secret' } }, server);
    const unknownKey = testClient({ bucket, credentials: { accessKeyId: 'AKIDUNKNOWN000000000', secretAccessKey: 'whatever' } }, server);
    try {
      const error = await expectS3Error(wrongSecret.get({ key: 'ranges' }), 'SignatureDoesNotMatch', 403);
      expect(error.canonicalRequest).toContain('GET\n');
      expect(error.message).not.toContain('not-the-secret');
      expect(JSON.stringify(error)).not.toContain('not-the-secret');
      if (server.features.invalidAccessKeyId) {
        await expectS3Error(unknownKey.get({ key: 'ranges' }), 'InvalidAccessKeyId', 403);
      } else {
        // Swift's tempauth does not tell an unknown key from a wrong secret: the hint names both.
        const error = await expectS3Error(unknownKey.get({ key: 'ranges' }), 'SignatureDoesNotMatch', 403);
        expect(error.message).toMatch(/secret access key is wrong|access key id/i);
      }
    } finally {
      await wrongSecret.close();
      await unknownKey.close();
    }
  });

  it('bucketExists tells a present bucket from a missing one', async () => {
    expect(await s3.bucketExists()).toBe(true);
    expect(await s3.bucketExists({ bucket: uniqueBucketName('absent') })).toBe(false);
    await expectS3Error(s3.get({ bucket: uniqueBucketName('absent'), key: 'k' }), 'NoSuchBucket', 404);
  });

  it('gives the connection back when a caller drops or cancels a GET body', async () => {
    const single = testClient({ bucket, maxConnections: 1, timeoutMs: 5_000 }, server);
    try {
      await single.put({ key: 'big-drop', body: patternBytes(4 * 1024 * 1024, 9) });
      // Cancelled explicitly.
      for (let i = 0; i < 3; i++) await (await single.get({ key: 'big-drop' })).cancel();
      // Left unread and dropped: the finalizer releases it once it is collected.
      for (let i = 0; i < 3; i++) {
        await single.get({ key: 'big-drop' });
        await collectGarbage();
      }
      // With one connection, any leaked body would make this hang until the timeout.
      expect(await (await single.get({ key: 'ranges', range: { start: 0, end: 0 } })).bytes()).toHaveLength(1);
    } finally {
      await single.close();
    }
  });
});

async function collectGarbage(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run vitest with --expose-gc (vitest.config.ts sets it)');
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
}
