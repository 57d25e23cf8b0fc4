/**
 * Checksums against the real server. What Ceph RGW 16 (Pacific) can prove: it predates S3's
 * flexible checksums (Reef, 18), so it neither verifies nor stores x-amz-checksum-* values, and
 * answers none on GET. Here it proves that the headers are sent as signed (RGW checks the
 * signature, which covers them), that a store ignoring them still accepts the uploads (parts,
 * Complete with per-part checksums), and, through a proxy in front of it that plays a store which
 * stores checksums, that get() and download() verify what they read and fail on a mismatch.
 * What it cannot prove: that a real store accepts our values. The values themselves are pinned by
 * the unit tests (published vectors, and agreement with the AWS SDK's implementations).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { S3Error, type ChecksumAlgorithm, type Logger } from '../../src/index.js';
import { checksumOf, multipartChecksum } from '../../src/s3/checksum/index.js';
import { describeWithServer, patternBytes, removeTestBucket, s3Server, testClient, uniqueBucketName } from './server.js';

const MiB = 1024 * 1024;

/**
 * A proxy in front of the real server that adds `x-amz-checksum-crc32c` (of the real bytes) to
 * GET answers, as a store with flexible checksums does, and with `corrupt` flips one byte of the
 * body on the way. Requests pass unchanged, Host included, so RGW still checks every signature.
 */
function checksumProxy(target: URL): { server: Server; corrupt: { on: boolean } } {
  const corrupt = { on: false };
  const server = createServer((incoming, outgoing) => {
    const upstream = request(
      { host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers: incoming.headers },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const body = Buffer.concat(chunks);
          const headers = { ...answer.headers };
          if (incoming.method === 'GET' && answer.statusCode === 200 && incoming.headers['x-amz-checksum-mode'] === 'ENABLED') {
            headers['x-amz-checksum-crc32c'] = checksumOf('CRC32C', body);
            headers['x-amz-checksum-type'] = 'FULL_OBJECT';
            if (corrupt.on && body.length > 0) body[body.length >> 1] = (body[body.length >> 1] ?? 0) ^ 0x01;
          }
          outgoing.writeHead(answer.statusCode ?? 502, headers);
          outgoing.end(body);
        });
      },
    );
    incoming.pipe(upstream);
  });
  return { server, corrupt };
}

describeWithServer('checksums on a real server (Ceph RGW 16: sent and accepted, not verified there)', () => {
  const bucket = uniqueBucketName('checksums');
  const lines: string[] = [];
  const logger: Logger = { debug: (message) => lines.push(message) };
  const s3 = testClient({ bucket, logger });
  const proxy = checksumProxy(new URL(s3Server?.endpoint ?? 'http://127.0.0.1'));
  let viaProxy = s3;
  let dir = '';

  beforeAll(async () => {
    await s3.createBucket();
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    const address = proxy.server.address();
    if (address === null || typeof address === 'string') throw new Error('proxy has no port');
    viaProxy = testClient({ bucket, endpoint: `http://127.0.0.1:${address.port}` });
    dir = await mkdtemp(join(tmpdir(), 's3lane-checksum-'));
  });

  afterAll(async () => {
    await removeTestBucket(s3);
    await Promise.all([s3.close(), viaProxy.close()]);
    proxy.server.closeAllConnections();
    await new Promise((resolve) => proxy.server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  const signedHeader = (method: string, path: string, name: string): string | undefined => {
    const line = lines.find((l) => l.startsWith(`s3lane: ${method} `) && l.includes(path));
    return line?.split('\n').find((h) => h.startsWith(`${name}:`))?.slice(name.length + 1);
  };

  it.each(['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as const)('put with %s signs and sends x-amz-checksum-<algorithm> of the body', async (algorithm) => {
    const data = patternBytes(100_000, 9);
    lines.length = 0;
    await s3.put({ key: `put/${algorithm}`, body: data, checksum: algorithm });
    const sent = signedHeader('PUT', `put/${algorithm}`, `x-amz-checksum-${algorithm.toLowerCase()}`);
    expect(sent).toBe(checksumOf(algorithm, data));
    if (algorithm === 'SHA256') expect(sent).toBe(createHash('sha256').update(data).digest('base64'));
    // The bytes arrived whole (RGW checked the payload's SHA-256 as well).
    expect(Buffer.from(await (await s3.get({ key: `put/${algorithm}` })).bytes()).equals(Buffer.from(data))).toBe(true);
  });

  it('Ceph RGW 16 keeps no checksum: a wrong one is accepted, and get({ checksum: true }) reports none', async () => {
    if (s3Server?.kind !== 'ceph-rgw') return;
    const url = await s3.presign({ method: 'PUT', key: 'wrong-crc', headers: { 'x-amz-checksum-crc32': 'AAAAAA==' } });
    const answer = await fetch(url, { method: 'PUT', body: 'bytes', headers: { 'x-amz-checksum-crc32': 'AAAAAA==' } });
    // AWS would answer 400 BadDigest; Pacific stores the object without looking at the header.
    expect(answer.status).toBe(200);
    const object = await s3.get({ key: 'wrong-crc', checksum: true });
    expect(object.checksum).toBeUndefined();
    expect(await object.text()).toBe('bytes');
  });

  it.each([
    ['CRC32', 'FULL_OBJECT'],
    ['CRC64NVME', 'FULL_OBJECT'],
    ['SHA256', 'COMPOSITE'],
  ] as const)('a multipart upload with %s: %s type on Create, a checksum per part, the whole object\'s on Complete', async (algorithm: ChecksumAlgorithm, type) => {
    const data = patternBytes(11 * MiB, 4);
    lines.length = 0;
    const key = `multipart/${algorithm}`;
    await s3.upload({ key, body: data, checksum: algorithm, partSize: 5 * MiB });
    const name = `x-amz-checksum-${algorithm.toLowerCase()}`;
    expect(signedHeader('POST', `${key}?uploads`, 'x-amz-checksum-algorithm')).toBe(algorithm);
    expect(signedHeader('POST', `${key}?uploads`, 'x-amz-checksum-type')).toBe(type);
    const parts = [data.subarray(0, 5 * MiB), data.subarray(5 * MiB, 10 * MiB), data.subarray(10 * MiB)];
    parts.forEach((part, i) => expect(signedHeader('PUT', `partNumber=${i + 1}&`, name)).toBe(checksumOf(algorithm, part)));
    const whole = signedHeader('POST', `${key}?uploadId=`, name);
    if (type === 'FULL_OBJECT') {
      expect(whole).toBe(checksumOf(algorithm, data));
      expect(whole).toBe(multipartChecksum(algorithm, parts.map((p) => ({ value: checksumOf(algorithm, p), size: p.length }))));
    } else {
      // A COMPOSITE checksum is S3's to compute; the parts' checksums go in the Complete body.
      expect(whole).toBeUndefined();
    }
    expect(createHash('sha256').update(await (await s3.get({ key })).bytes()).digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
  });

  it('get({ checksum: true }) reports and verifies a stored checksum', async () => {
    const data = patternBytes(300_000, 2);
    await s3.put({ key: 'verified', body: data });
    const object = await viaProxy.get({ key: 'verified', checksum: true });
    expect(object.checksum).toEqual({ algorithm: 'CRC32C', value: checksumOf('CRC32C', data), type: 'FULL_OBJECT' });
    expect(Buffer.from(await object.bytes()).equals(Buffer.from(data))).toBe(true);
    // Without checksum: true nothing is asked for, and nothing is checked.
    const unchecked = await viaProxy.get({ key: 'verified' });
    expect(unchecked.checksum).toBeUndefined();
    await unchecked.cancel();
  });

  it('a corrupted body fails every way of reading it with ChecksumMismatch, and download() keeps no file', async () => {
    await s3.put({ key: 'corrupted', body: patternBytes(300_000, 3) });
    proxy.corrupt.on = true;
    try {
      for (const read of ['bytes', 'text', 'body', 'nodeStream'] as const) {
        const object = await viaProxy.get({ key: 'corrupted', checksum: true });
        const reading =
          read === 'body' || read === 'nodeStream'
            ? (async () => {
                for await (const chunk of object[read]) void chunk;
              })()
            : object[read]();
        const error = await reading.then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error, read).toBeInstanceOf(S3Error);
        expect((error as S3Error).code).toBe('ChecksumMismatch');
      }
      const file = join(dir, 'corrupted.bin');
      const error = await viaProxy.download({ key: 'corrupted', file, checksum: true }).catch((e: unknown) => e);
      expect((error as S3Error).code).toBe('ChecksumMismatch');
      expect(existsSync(file)).toBe(false);
      expect(await readdir(dir)).toEqual([]);
      // resume: true keeps a failed run's bytes for the next, but not bytes that failed their
      // checksum: a next run would continue from them without being able to check them.
      const resumed = await viaProxy.download({ key: 'corrupted', file, checksum: true, resume: true }).catch((e: unknown) => e);
      expect((resumed as S3Error).code).toBe('ChecksumMismatch');
      expect(await readdir(dir)).toEqual([]);
      // Unasked, the corrupt bytes are not checked: verification is opt-in like the checksums.
      const unchecked = await viaProxy.get({ key: 'corrupted' });
      expect(unchecked.checksum).toBeUndefined();
      expect((await unchecked.bytes()).length).toBe(300_000);
    } finally {
      proxy.corrupt.on = false;
    }
  });
});
