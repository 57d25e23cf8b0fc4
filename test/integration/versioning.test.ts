/**
 * Versioning on the real server: turned on, two puts of one key, a delete that leaves a delete
 * marker, listVersions, and reads, heads, tags and deletes of one version by its id.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { S3Error } from '../../src/index.js';
import { describeWithServer, testClient, uniqueBucketName } from './server.js';

describeWithServer('versioning on a real server', () => {
  const bucket = uniqueBucketName('versions');
  const s3 = testClient({ bucket });

  beforeAll(async () => {
    await s3.createBucket();
  });

  afterAll(async () => {
    // Every version and marker must go before the bucket can.
    for await (const v of s3.listVersions()) await s3.delete({ key: v.key, versionId: v.versionId });
    await s3.deleteBucket();
    await s3.close();
  });

  it('a new bucket has never had versioning: getBucketVersioning is undefined', async () => {
    expect(await s3.getBucketVersioning()).toBeUndefined();
  });

  it('keeps every version, lists them with a delete marker, and reads each by its id', async () => {
    await s3.setBucketVersioning({ enabled: true });
    expect(await s3.getBucketVersioning()).toBe('Enabled');

    const first = await s3.put({ key: 'doc.txt', body: 'first', tags: { n: '1' } });
    const second = await s3.put({ key: 'doc.txt', body: 'second, longer' });
    await s3.put({ key: 'other.txt', body: 'other' });
    expect(first.versionId).toBeTruthy();
    expect(second.versionId).toBeTruthy();
    expect(second.versionId).not.toBe(first.versionId);

    const removed = await s3.delete({ key: 'doc.txt' });
    expect(removed.deleteMarker).toBe(true);
    expect(removed.versionId).toBeTruthy();

    const versions = [];
    for await (const v of s3.listVersions({ prefix: 'doc' })) versions.push(v);
    expect(versions.map((v) => [v.key, v.versionId, v.deleteMarker, v.isLatest, v.size])).toEqual([
      ['doc.txt', removed.versionId, true, true, 0],
      ['doc.txt', second.versionId, false, false, 14],
      ['doc.txt', first.versionId, false, false, 5],
    ]);
    expect(versions[1]?.etag).toMatch(/^"?[0-9a-f]{32}"?$/);
    expect(versions.every((v) => v.lastModified instanceof Date)).toBe(true);

    // The key is "deleted", yet each version is still there by id.
    const gone = await s3.get({ key: 'doc.txt' }).catch((e: unknown) => e);
    expect((gone as S3Error).code).toBe('NoSuchKey');
    expect(await (await s3.get({ key: 'doc.txt', versionId: first.versionId })).text()).toBe('first');
    expect((await s3.head({ key: 'doc.txt', versionId: second.versionId })).contentLength).toBe(14);
    expect(await s3.getObjectTags({ key: 'doc.txt', versionId: first.versionId })).toEqual({ n: '1' });
    await s3.putObjectTags({ key: 'doc.txt', versionId: second.versionId, tags: { n: '2' } });
    expect(await s3.getObjectTags({ key: 'doc.txt', versionId: second.versionId })).toEqual({ n: '2' });
    expect(await s3.getObjectTags({ key: 'doc.txt', versionId: first.versionId })).toEqual({ n: '1' });

    // Deleting the marker brings the second version back as the current one.
    await s3.delete({ key: 'doc.txt', versionId: removed.versionId });
    expect(await (await s3.get({ key: 'doc.txt' })).text()).toBe('second, longer');
  });

  it('listVersions lists every key under no prefix, each key\'s newest first', async () => {
    const all = [];
    for await (const v of s3.listVersions()) all.push(`${v.key}:${v.isLatest}`);
    expect(all).toEqual(['doc.txt:true', 'doc.txt:false', 'other.txt:true']);
  });

  it('suspending versioning is reported as Suspended', async () => {
    await s3.setBucketVersioning({ enabled: false });
    expect(await s3.getBucketVersioning()).toBe('Suspended');
  });
});
