/**
 * The public multipart calls, listBuckets and bucketRegion against the real server: an upload
 * assembled from parts a "browser" (plain fetch, no SDK) sends to presigned part URLs.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { S3ConfigError, S3Error } from '../../src/index.js';
import { describeWithServer, removeTestBucket, patternBytes, s3Server, testClient, uniqueBucketName } from './server.js';

const MiB = 1024 * 1024;

describeWithServer('public multipart calls, listBuckets and bucketRegion on a real server', () => {
  const bucket = uniqueBucketName('mpu-api');
  const s3 = testClient({ bucket });

  beforeAll(async () => {
    await s3.createBucket();
  });

  afterAll(async () => {
    await removeTestBucket(s3);
    await s3.close();
  });

  it('assembles an object from parts PUT by plain fetch to presigned part URLs', async () => {
    const key = 'browser/upload.bin';
    const data = patternBytes(11 * MiB, 7);
    const { uploadId } = await s3.createMultipartUpload({ key, contentType: 'application/x-test', metadata: { origin: 'browser' } });
    const slices = [data.subarray(0, 5 * MiB), data.subarray(5 * MiB, 10 * MiB), data.subarray(10 * MiB)];
    const etags: string[] = [];
    for (const [index, slice] of slices.entries()) {
      const url = await s3.presign({ method: 'PUT', key, uploadId, partNumber: index + 1, expiresIn: 300 });
      expect(url).toContain(`partNumber=${index + 1}`);
      const response = await fetch(url, { method: 'PUT', body: slice });
      expect(response.status).toBe(200);
      etags.push(response.headers.get('etag') ?? '');
    }

    const listed = await s3.listParts({ key, uploadId });
    expect(listed.map((p) => [p.partNumber, p.size])).toEqual([
      [1, 5 * MiB],
      [2, 5 * MiB],
      [3, 1 * MiB],
    ]);
    expect(listed.map((p) => p.etag.replaceAll('"', ''))).toEqual(etags.map((e) => e.replaceAll('"', '')));

    // Given in reverse: complete sorts them.
    const parts = etags.map((etag, i) => ({ partNumber: i + 1, etag })).reverse();
    const done = await s3.completeMultipartUpload({ key, uploadId, parts });
    expect(done.etag).toMatch(/^"[0-9a-f]{32}-3"$/);
    const object = await s3.get({ key });
    expect(object.contentType).toBe('application/x-test');
    expect(object.metadata).toEqual({ origin: 'browser' });
    expect(Buffer.from(await object.bytes()).equals(Buffer.from(data))).toBe(true);
  });

  it('uploadPart sends parts from bytes and streams; listParts pages through more parts than one page', async () => {
    const key = 'server/parts.bin';
    const { uploadId } = await s3.createMultipartUpload({ key });
    // 1,001 parts would take minutes; ListParts pages at 1,000 on S3 and RGW. Three parts prove the
    // paging loop only where the server honours max-parts, so the loop is unit-tested separately.
    const first = await s3.uploadPart({ key, uploadId, partNumber: 1, body: patternBytes(5 * MiB, 1) });
    const second = await s3.uploadPart({
      key,
      uploadId,
      partNumber: 2,
      body: new Blob([patternBytes(1000, 2)]).stream(),
      contentLength: 1000,
    });
    expect(first).toEqual({ partNumber: 1, etag: expect.stringMatching(/^"?[0-9a-f]{32}"?$/) });
    expect((await s3.listParts({ key, uploadId })).map((p) => p.partNumber)).toEqual([1, 2]);
    const done = await s3.completeMultipartUpload({ key, uploadId, parts: [first, second] });
    expect((await s3.head({ key })).contentLength).toBe(5 * MiB + 1000);
    expect(done.etag).toMatch(/-2"$/);
  });

  it('abortMultipartUpload frees the upload: it is no longer listed and its parts are gone', async () => {
    const key = 'server/aborted.bin';
    const { uploadId } = await s3.createMultipartUpload({ key });
    await s3.uploadPart({ key, uploadId, partNumber: 1, body: 'part one' });
    expect((await s3.listMultipartUploads({ prefix: key })).map((u) => u.uploadId)).toEqual([uploadId]);
    await s3.abortMultipartUpload({ key, uploadId });
    expect(await s3.listMultipartUploads({ prefix: key })).toEqual([]);
    const error = await s3.listParts({ key, uploadId }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(S3Error);
    // AWS answers NoSuchUpload; Ceph RGW 16 answers NoSuchKey (the upload's meta object is gone).
    expect(['NoSuchUpload', 'NoSuchKey']).toContain((error as S3Error).code);
    expect((error as S3Error).statusCode).toBe(404);
    // A second abort of the same upload is not an error.
    await s3.abortMultipartUpload({ key, uploadId });
  });

  it('completing with a wrong ETag is the server error InvalidPart', async () => {
    const key = 'server/bad-etag.bin';
    const { uploadId } = await s3.createMultipartUpload({ key });
    await s3.uploadPart({ key, uploadId, partNumber: 1, body: 'x' });
    const error = await s3
      .completeMultipartUpload({ key, uploadId, parts: [{ partNumber: 1, etag: '"00000000000000000000000000000000"' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(S3Error);
    expect((error as S3Error).code).toBe('InvalidPart');
    await s3.abortMultipartUpload({ key, uploadId });
  });

  it.each([
    ['partNumber 0', { partNumber: 0 }, 'InvalidPartNumber'],
    ['partNumber 10001', { partNumber: 10_001 }, 'InvalidPartNumber'],
    ['an empty uploadId', { uploadId: '' }, 'InvalidUploadId'],
  ])('uploadPart rejects %s before sending', async (_name, change, code) => {
    const error = await s3.uploadPart({ key: 'k', uploadId: 'u', partNumber: 1, body: 'x', ...change }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(S3ConfigError);
    expect((error as S3ConfigError).code).toBe(code);
  });

  it.each([
    ['no parts', []],
    ['a part listed twice', [{ partNumber: 1, etag: '"a"' }, { partNumber: 1, etag: '"b"' }]],
    ['a part without an ETag', [{ partNumber: 1, etag: '' }]],
  ])('completeMultipartUpload rejects %s before sending', async (_name, parts) => {
    const error = await s3.completeMultipartUpload({ key: 'k', uploadId: 'u', parts }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(S3ConfigError);
    expect((error as S3ConfigError).code).toBe('InvalidParts');
  });

  it('listBuckets lists every bucket, with its creation date, and filters by prefix', async () => {
    const extra = [uniqueBucketName('listb-a'), uniqueBucketName('listb-b')];
    for (const name of extra) await s3.createBucket({ bucket: name });
    try {
      const all = await s3.listBuckets();
      const names = all.map((b) => b.name);
      expect(names).toEqual(expect.arrayContaining([bucket, ...extra]));
      const mine = all.find((b) => b.name === bucket);
      expect(mine?.creationDate).toBeInstanceOf(Date);
      expect(Math.abs((mine?.creationDate.getTime() ?? 0) - Date.now())).toBeLessThan(10 * 60_000);
      const filtered = await s3.listBuckets({ prefix: 'listb-a' });
      expect(filtered.map((b) => b.name)).toContain(extra[0]);
      expect(filtered.every((b) => b.name.startsWith('listb-a'))).toBe(true);
    } finally {
      for (const name of extra) await s3.deleteBucket({ bucket: name });
    }
  });

  it("bucketRegion answers the bucket's region", async () => {
    const region = await s3.bucketRegion();
    // Ceph RGW answers HEAD without x-amz-bucket-region, so this went on to GetBucketLocation, which
    // RGW answers with its zonegroup's api_name: 'default' for the test server's single zonegroup.
    expect(region).toBe(s3Server?.kind === 'ceph-rgw' ? 'default' : s3Server?.region);
  });
});
