/**
 * Fault injection for uploads, bulk deletes and GET bodies: each case pins a failure path that once
 * went wrong (found in review). undici's MockAgent plays the server and checks no signatures; the
 * happy paths run against the real server in test/integration.
 */
import { Readable } from 'node:stream';
import { MockAgent } from 'undici';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { S3Client, S3Error, type S3ClientOptions } from '../../src/index.js';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const ORIGIN = 'http://store.test';
const MiB = 1024 * 1024;
let agent: MockAgent | undefined;

afterEach(async () => {
  await agent?.close();
  agent = undefined;
  vi.restoreAllMocks();
});

function mockClient(options: S3ClientOptions = {}): S3Client {
  const mock = new MockAgent();
  mock.disableNetConnect();
  agent = mock;
  return new S3Client({
    endpoint: ORIGIN,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials,
    retries: { retries: 2, baseDelayMs: 0, maxDelayMs: 0 },
    dispatcher: mock,
    ...options,
  });
}

const xml = (body: string): string => `<?xml version="1.0" encoding="UTF-8"?>${body}`;
const errorXml = (code: string): string => xml(`<Error><Code>${code}</Code><Message>${code}</Message></Error>`);
type Reply = { status: number; body?: string; headers?: Record<string, string> };

/** Answers requests whose method and path match, in order, and counts them. */
function on(method: string, test: (path: string) => boolean, replies: Reply[]): { count: () => number } {
  let count = 0;
  const mock = agent;
  if (!mock) throw new Error('create the client first');
  for (const reply of replies) {
    mock
      .get(ORIGIN)
      .intercept({ method, path: (path) => test(path) })
      .reply(() => {
        count++;
        return { statusCode: reply.status, data: reply.body ?? '', responseOptions: { headers: reply.headers ?? {} } };
      });
  }
  return { count: () => count };
}

const initiate = xml('<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><UploadId>UP1</UploadId></InitiateMultipartUploadResult>');
const completed = xml('<CompleteMultipartUploadResult><ETag>"abc-2"</ETag></CompleteMultipartUploadResult>');

describe('multipart upload failures', () => {
  it('retries a CompleteMultipartUpload that answered 200 with an <Error> body', async () => {
    const s3 = mockClient();
    on('POST', (p) => p.includes('?uploads'), [{ status: 200, body: initiate }]);
    on('PUT', (p) => p.includes('partNumber='), [{ status: 200, headers: { etag: '"p1"' } }, { status: 200, headers: { etag: '"p2"' } }]);
    const complete = on('POST', (p) => p.includes('uploadId=UP1'), [
      { status: 200, body: errorXml('InternalError') },
      { status: 200, body: completed },
    ]);
    const result = await s3.upload({ bucket: 'bucket', key: 'k', body: new Uint8Array(6 * MiB), partSize: 5 * MiB });
    expect(result).toMatchObject({ etag: '"abc-2"', parts: 2, multipart: true });
    expect(complete.count()).toBe(2);
  });

  it('rethrows the caller abort reason unchanged when even the abort request fails', async () => {
    const s3 = mockClient({ retries: 0 });
    on('POST', (p) => p.includes('?uploads'), [{ status: 200, body: initiate }]);
    on('PUT', (p) => p.includes('partNumber='), [{ status: 200, headers: { etag: '"p1"' } }, { status: 200, headers: { etag: '"p2"' } }]);
    on('DELETE', (p) => p.includes('uploadId=UP1'), [{ status: 500, body: errorXml('InternalError') }]);
    const controller = new AbortController();
    const upload = s3.upload({
      bucket: 'bucket',
      key: 'k',
      body: new Uint8Array(11 * MiB),
      partSize: 5 * MiB,
      queueSize: 1,
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    const error = await upload.catch((e: unknown) => e);
    expect(error).toBe(controller.signal.reason);
    expect((error as Error).name).toBe('AbortError');
  });

  it('releases a stream source when the upload fails', async () => {
    const s3 = mockClient({ retries: 0 });
    on('POST', (p) => p.includes('?uploads'), [{ status: 403, body: errorXml('AccessDenied') }]);
    const source = Readable.from((function* () {
      for (let i = 0; i < 20; i++) yield Buffer.alloc(MiB);
    })());
    await expect(s3.upload({ bucket: 'bucket', key: 'k', body: source, partSize: 5 * MiB })).rejects.toMatchObject({ code: 'AccessDenied' });
    expect(source.destroyed).toBe(true);
  });

  it('keeps uploading when the onProgress callback throws, and warns', async () => {
    const s3 = mockClient();
    on('PUT', () => true, [{ status: 200, headers: { etag: '"e"' } }]);
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const result = await s3.upload({
      bucket: 'bucket',
      key: 'k',
      body: 'hello',
      onProgress: () => {
        throw new Error('bug in callback');
      },
    });
    expect(result.etag).toBe('"e"');
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('bug in callback'));
  });
});

describe('listMultipartUploads', () => {
  it('stops when a truncated page does not move its markers on', async () => {
    const s3 = mockClient();
    const page = xml(
      '<ListMultipartUploadsResult><IsTruncated>true</IsTruncated><NextKeyMarker>k</NextKeyMarker><NextUploadIdMarker>U</NextUploadIdMarker>' +
        '<Upload><Key>k</Key><UploadId>U</UploadId><Initiated>2024-01-01T00:00:00.000Z</Initiated></Upload></ListMultipartUploadsResult>',
    );
    const listing = on('GET', (p) => p.includes('uploads'), [{ status: 200, body: page }, { status: 200, body: page }, { status: 200, body: page }]);
    const uploads = await s3.listMultipartUploads({ bucket: 'bucket' });
    expect(listing.count()).toBe(2);
    expect(uploads).toHaveLength(2);
  });
});

describe('deleteMany', () => {
  it('reports the keys of a failed batch as errors and still returns what the other batches deleted', async () => {
    const s3 = mockClient({ retries: 0 });
    const keys = Array.from({ length: 1500 }, (_, i) => `key-${i}`);
    on('POST', (p) => p.includes('?delete'), [
      { status: 200, body: xml('<DeleteResult></DeleteResult>') },
      { status: 403, body: errorXml('AccessDenied') },
    ]);
    const result = await s3.deleteMany({ bucket: 'bucket', keys });
    expect(result.deleted.length + result.errors.length).toBe(1500);
    expect(new Set(result.errors.map((e) => e.code))).toEqual(new Set(['AccessDenied']));
    expect([1000, 500]).toContain(result.deleted.length);
  });
});

describe('GET bodies', () => {
  it('cancel() releases a body whose web stream is held by a reader', async () => {
    const s3 = mockClient();
    on('GET', () => true, [{ status: 200, body: 'x'.repeat(100_000) }]);
    const object = await s3.get({ bucket: 'bucket', key: 'k' });
    const reader = object.body.getReader();
    await reader.read();
    await expect(object.cancel()).resolves.toBeUndefined();
  });
});

describe('credentials', () => {
  it('refreshes after ExpiredTokenException too', async () => {
    let calls = 0;
    const s3 = mockClient({
      credentials: async () => ({ ...credentials, accessKeyId: `AKID${++calls}`, expiration: new Date(Date.now() + 3600_000) }),
    });
    on('GET', () => true, [{ status: 400, body: errorXml('ExpiredTokenException') }, { status: 200, body: 'ok' }]);
    expect(await (await s3.get({ bucket: 'bucket', key: 'k' })).text()).toBe('ok');
    expect(calls).toBe(2);
  });

  it('rejects empty static keys in the constructor, with or without a region (no unhandled rejection)', () => {
    const before = process.env['AWS_REGION'];
    delete process.env['AWS_REGION'];
    try {
      for (const region of ['us-east-1', undefined]) {
        expect(() => new S3Client({ region, credentials: { accessKeyId: '', secretAccessKey: '' } })).toThrow(/.+/);
      }
    } finally {
      if (before !== undefined) process.env['AWS_REGION'] = before;
    }
  });
});

it('S3Error stays the error type for embedded errors that are not retryable', async () => {
  const s3 = mockClient();
  on('PUT', () => true, [{ status: 200, body: errorXml('AccessDenied') }]);
  const error = await s3.copy({ from: { bucket: 'bucket', key: 'a' }, to: { bucket: 'bucket', key: 'b' } }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(S3Error);
  expect((error as S3Error).code).toBe('AccessDenied');
});
