/**
 * The request headers and XML of the object options and the new operations, pinned exactly, and
 * the paging loops of listBuckets and listParts (undici's MockAgent plays a store that pages:
 * Ceph RGW 16, the integration server, answers these in one page).
 */
import { createHash } from 'node:crypto';
import { MockAgent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { S3Client } from '../../src/index.js';
import { encryptionHeaders, sseCustomerHeaders } from '../../src/s3/sse.js';
import { taggingHeaders } from '../../src/s3/operations/tagging.js';
import {
  buildCompleteMultipartUpload,
  buildTagging,
  parseListObjectVersions,
  parseTagging,
  parseVersioningConfiguration,
} from '../../src/s3/xml.js';

describe('encryption headers', () => {
  it('SSE-C: algorithm, base64 key and the base64 MD5 of the raw key', () => {
    const key = new Uint8Array(32).map((_, i) => i);
    const headers = sseCustomerHeaders(key);
    expect(headers).toEqual({
      'x-amz-server-side-encryption-customer-algorithm': 'AES256',
      'x-amz-server-side-encryption-customer-key': Buffer.from(key).toString('base64'),
      'x-amz-server-side-encryption-customer-key-md5': createHash('md5').update(key).digest('base64'),
    });
    expect(sseCustomerHeaders(Buffer.from(key).toString('base64'))).toEqual(headers);
  });

  it('SSE-KMS: key id, base64 JSON context and bucket key', () => {
    expect(encryptionHeaders({ sse: 'aws:kms', sseKmsKeyId: 'alias/app', sseKmsContext: { tenant: 't1' }, bucketKeyEnabled: true })).toEqual({
      'x-amz-server-side-encryption': 'aws:kms',
      'x-amz-server-side-encryption-aws-kms-key-id': 'alias/app',
      'x-amz-server-side-encryption-context': Buffer.from('{"tenant":"t1"}').toString('base64'),
      'x-amz-server-side-encryption-bucket-key-enabled': 'true',
    });
  });
});

describe('tags', () => {
  it('x-amz-tagging is the tags as an RFC 3986-encoded query', () => {
    expect(taggingHeaders({ a: '1', 'b c': 'x&y=z', ü: '/+' })).toEqual({ 'x-amz-tagging': 'a=1&b%20c=x%26y%3Dz&%C3%BC=%2F%2B' });
  });

  it('tagging XML round-trips keys and values with markup characters', () => {
    const tags = { '<k>': 'a & b', empty: '' };
    expect(parseTagging(buildTagging(tags))).toEqual(tags);
  });
});

describe('versioning XML', () => {
  it.each([
    ['<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>', undefined],
    ['<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>', 'Enabled'],
    ['<VersioningConfiguration><Status>Suspended</Status><MfaDelete>Disabled</MfaDelete></VersioningConfiguration>', 'Suspended'],
  ])('GetBucketVersioning %s', (xml, status) => {
    expect(parseVersioningConfiguration(xml)).toBe(status);
  });

  it('ListObjectVersions: versions and delete markers back in listing order, keys URL-decoded', () => {
    const xml = `<ListVersionsResult><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>
      <NextKeyMarker>b%20key</NextKeyMarker><NextVersionIdMarker>v9</NextVersionIdMarker>
      <Version><Key>a</Key><VersionId>v2</VersionId><IsLatest>false</IsLatest><LastModified>2024-01-02T00:00:00.000Z</LastModified><ETag>"e2"</ETag><Size>2</Size></Version>
      <Version><Key>b%20key</Key><VersionId>null</VersionId><IsLatest>true</IsLatest><LastModified>2024-01-01T00:00:00.000Z</LastModified><ETag>"e0"</ETag><Size>7</Size></Version>
      <Version><Key>a</Key><VersionId>v1</VersionId><IsLatest>false</IsLatest><LastModified>2024-01-01T00:00:00.000Z</LastModified><ETag>"e1"</ETag><Size>1</Size></Version>
      <DeleteMarker><Key>a</Key><VersionId>v3</VersionId><IsLatest>true</IsLatest><LastModified>2024-01-03T00:00:00.000Z</LastModified></DeleteMarker>
    </ListVersionsResult>`;
    const result = parseListObjectVersions(xml);
    expect(result.versions.map((v) => [v.key, v.versionId, v.deleteMarker, v.size])).toEqual([
      ['a', 'v3', true, 0],
      ['a', 'v2', false, 2],
      ['a', 'v1', false, 1],
      ['b key', 'null', false, 7],
    ]);
    expect(result).toMatchObject({ isTruncated: true, nextKeyMarker: 'b key', nextVersionIdMarker: 'v9' });
  });
});

describe('CompleteMultipartUpload with checksums', () => {
  it('lists each part\'s checksum under the algorithm\'s element, parts sorted', () => {
    const xml = buildCompleteMultipartUpload(
      [
        { partNumber: 2, etag: '"b"', checksum: 'BBBB' },
        { partNumber: 1, etag: '"a"', checksum: 'AAAA' },
      ],
      'CRC32C',
    );
    expect(xml).toContain(
      '<Part><PartNumber>1</PartNumber><ETag>&quot;a&quot;</ETag><ChecksumCRC32C>AAAA</ChecksumCRC32C></Part>' +
        '<Part><PartNumber>2</PartNumber><ETag>&quot;b&quot;</ETag><ChecksumCRC32C>BBBB</ChecksumCRC32C></Part>',
    );
  });
});

describe('paging', () => {
  let agent: MockAgent;
  afterEach(async () => {
    await agent.close();
  });

  function pagedClient(pages: string[], seen: string[]): S3Client {
    agent = new MockAgent();
    agent.disableNetConnect();
    const pool = agent.get('http://store.test');
    for (const page of pages) {
      pool.intercept({ path: () => true, method: 'GET' }).reply((request) => {
        seen.push(request.path);
        return { statusCode: 200, data: page };
      });
    }
    return new S3Client({
      endpoint: 'http://store.test',
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'AKID', secretAccessKey: 'SECRET' },
      dispatcher: agent,
    });
  }

  const bucketXml = (name: string): string => `<Bucket><Name>${name}</Name><CreationDate>2024-01-01T00:00:00.000Z</CreationDate></Bucket>`;

  it('listBuckets follows continuation tokens and filters by prefix where the store does not', async () => {
    const seen: string[] = [];
    const s3 = pagedClient(
      [
        `<ListAllMyBucketsResult><Buckets>${bucketXml('logs-a')}${bucketXml('other')}</Buckets><ContinuationToken>t/1+</ContinuationToken></ListAllMyBucketsResult>`,
        `<ListAllMyBucketsResult><Buckets>${bucketXml('logs-b')}</Buckets></ListAllMyBucketsResult>`,
      ],
      seen,
    );
    expect((await s3.listBuckets({ prefix: 'logs-' })).map((b) => b.name)).toEqual(['logs-a', 'logs-b']);
    expect(seen).toEqual(['/?prefix=logs-', '/?prefix=logs-&continuation-token=t%2F1%2B']);
  });

  const partXml = (n: number): string =>
    `<Part><PartNumber>${n}</PartNumber><ETag>"e${n}"</ETag><Size>5</Size><LastModified>2024-01-01T00:00:00.000Z</LastModified></Part>`;

  it('listParts follows NextPartNumberMarker until the last page', async () => {
    const seen: string[] = [];
    const s3 = pagedClient(
      [
        `<ListPartsResult><IsTruncated>true</IsTruncated><NextPartNumberMarker>2</NextPartNumberMarker>${partXml(1)}${partXml(2)}</ListPartsResult>`,
        `<ListPartsResult><IsTruncated>false</IsTruncated>${partXml(3)}</ListPartsResult>`,
      ],
      seen,
    );
    const parts = await s3.listParts({ bucket: 'bkt', key: 'k', uploadId: 'u1' });
    expect(parts.map((p) => [p.partNumber, p.etag, p.size])).toEqual([
      [1, '"e1"', 5],
      [2, '"e2"', 5],
      [3, '"e3"', 5],
    ]);
    expect(seen).toEqual(['/bkt/k?uploadId=u1', '/bkt/k?uploadId=u1&part-number-marker=2']);
  });
});
