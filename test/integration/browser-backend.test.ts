/**
 * The browser example's backend refuses what it must not sign, over HTTP as a page (or an attacker)
 * would call it, with the real S3 server behind it: a backend that signs whatever it is asked is a
 * signing oracle for the whole bucket.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { S3Client } from '../../src/index.js';
import { UploadBackend } from '../../examples/browser/backend.js';
import { startUploadServer, type UploadServer } from '../../examples/browser/server.js';
import { describeWithServer, patternBytes, removeTestBucket, s3Server, testClient, uniqueBucketName } from './server.js';

const MiB = 1024 * 1024;

describeWithServer('the browser example backend signs only by its own rules', () => {
  const bucket = uniqueBucketName('browser-backend');
  let s3: S3Client;
  let server: UploadServer;

  beforeAll(async () => {
    if (!s3Server) return;
    s3 = testClient({ bucket });
    await s3.createBucket();
    server = await startUploadServer(new UploadBackend(s3, { keyPrefix: 'uploads/', partSize: 5 * MiB, postMaxBytes: MiB }), {
      s3Origin: new URL(s3Server.endpoint).origin,
    });
  });

  afterAll(async () => {
    await server?.close();
    if (!s3Server) return;
    await removeTestBucket(s3);
    await s3.close();
  });

  async function call(path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
    const response = await fetch(`${server.url}/api/uploads${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }

  /** A multipart upload of `size` bytes started through the backend. */
  async function startUpload(size: number): Promise<{ key: string; uploadId: string; partCount: number }> {
    const { status, json } = await call('/multipart', { filename: 'big.bin', contentType: 'application/octet-stream', size });
    expect(status).toBe(200);
    return json as { key: string; uploadId: string; partCount: number };
  }

  const refusal = (status: number, code: string) => ({ status, json: { error: expect.objectContaining({ code }) as unknown } });

  it('chooses every key itself, under its prefix, whatever file name it is given', async () => {
    for (const filename of ['../../etc/passwd', '/abs/path.txt', 'C:\\Users\\x\\photo.jpg', '..', 'ok name (1).png']) {
      const { status, json } = await call('/post', { filename, contentType: 'text/plain' });
      expect(status).toBe(200);
      expect(json['key']).toMatch(/^uploads\/[0-9a-f-]{36}\/[\w.-]+$/);
      expect(json['key']).not.toContain('..');
    }
  });

  it('refuses a part URL, a complete and an abort for a key outside its prefix, even with a real upload id', async () => {
    const { uploadId } = await startUpload(6 * MiB);
    for (const key of ['other/big.bin', 'uploadsX/big.bin', '../uploads/big.bin']) {
      expect(await call('/multipart/part', { key, uploadId, partNumber: 1 })).toMatchObject(refusal(403, 'KeyOutsidePrefix'));
      expect(await call('/multipart/complete', { key, uploadId, parts: [] })).toMatchObject(refusal(403, 'KeyOutsidePrefix'));
      expect(await call('/multipart/abort', { key, uploadId })).toMatchObject(refusal(403, 'KeyOutsidePrefix'));
    }
  });

  it('refuses part numbers outside 1..10000, and beyond the parts of the declared size', async () => {
    const { key, uploadId, partCount } = await startUpload(6 * MiB);
    expect(partCount).toBe(2);
    for (const partNumber of [0, -1, 10_001, 1.5, '1', null]) {
      expect(await call('/multipart/part', { key, uploadId, partNumber })).toMatchObject(refusal(400, 'InvalidPartNumber'));
    }
    expect(await call('/multipart/part', { key, uploadId, partNumber: 3 })).toMatchObject(refusal(400, 'InvalidPartNumber'));
    expect(await call('/multipart/part', { key, uploadId, partNumber: 2 })).toMatchObject({ status: 200 });
  });

  it('refuses complete, abort and part URLs for an upload it did not create, and leaves that upload alone', async () => {
    // Someone else's upload under the very prefix: a real upload id, but not one this backend made.
    const foreign = await s3.createMultipartUpload({ key: 'uploads/someone-else/x.bin' });
    const ref = { key: foreign.key, uploadId: foreign.uploadId };
    expect(await call('/multipart/complete', { ...ref, parts: [{ partNumber: 1, etag: '"x"' }] })).toMatchObject(refusal(403, 'UnknownUpload'));
    expect(await call('/multipart/abort', ref)).toMatchObject(refusal(403, 'UnknownUpload'));
    expect(await call('/multipart/part', { ...ref, partNumber: 1 })).toMatchObject(refusal(403, 'UnknownUpload'));
    // Nor an upload of its own under another key.
    const own = await startUpload(6 * MiB);
    expect(await call('/multipart/complete', { key: foreign.key, uploadId: own.uploadId, parts: [] })).toMatchObject(refusal(403, 'UnknownUpload'));
    expect((await s3.listMultipartUploads({ prefix: 'uploads/someone-else/' })).map((u) => u.uploadId)).toEqual([foreign.uploadId]);
    await s3.abortMultipartUpload(ref);
  });

  it('forgets an upload once completed or aborted: a second complete or abort is refused', async () => {
    const { key, uploadId } = await startUpload(6 * MiB);
    expect(await call('/multipart/abort', { key, uploadId })).toEqual({ status: 200, json: {} });
    expect(await call('/multipart/abort', { key, uploadId })).toMatchObject(refusal(403, 'UnknownUpload'));
    expect(await call('/multipart/complete', { key, uploadId, parts: [] })).toMatchObject(refusal(403, 'UnknownUpload'));
  });

  it('binds each part URL to the part length, so the store refuses a part of another size', async () => {
    const { key, uploadId } = await startUpload(5 * MiB + 100);
    const last = (await call('/multipart/part', { key, uploadId, partNumber: 2 })).json['url'] as string;
    const longer = await fetch(last, { method: 'PUT', body: patternBytes(5 * MiB) });
    expect(longer.status).toBe(403);
    await longer.arrayBuffer();
    const exact = await fetch(last, { method: 'PUT', body: patternBytes(100) });
    expect(exact.status).toBe(200);
    await exact.arrayBuffer();
    await call('/multipart/abort', { key, uploadId });
  });

  it('binds the POST policy to its key: a form rewritten to another key is refused by the store', async () => {
    const { json } = await call('/post', { filename: 'a.txt', contentType: 'text/plain' });
    const fields = { ...(json['fields'] as Record<string, string>), key: 'elsewhere/a.txt' };
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append('file', new Blob(['hello'], { type: 'text/plain' }), 'a.txt');
    const response = await fetch(json['url'] as string, { method: 'POST', body: form });
    expect(response.status).toBe(403);
    await response.arrayBuffer();
    expect(await s3.exists({ key: 'elsewhere/a.txt' })).toBe(false);
  });

  it('refuses sizes it does not accept and requests that are not JSON objects', async () => {
    for (const size of [0, 2 * 1024 ** 3, 1.5]) {
      expect((await call('/multipart', { filename: 'x', size })).status).toBe(400);
    }
    expect(await call('/post', [])).toMatchObject(refusal(400, 'InvalidRequest'));
    expect(await call('/post', { filename: 'x', contentType: 'text/html; charset=utf-8"><script>' })).toMatchObject(refusal(400, 'InvalidRequest'));
    const form = await fetch(`${server.url}/api/uploads/post`, { method: 'POST', body: new URLSearchParams({ filename: 'x' }) });
    expect(form.status).toBe(415);
    await form.arrayBuffer();
  });

  it('aborts the uploads still open when it shuts down', async () => {
    const extra = await startUploadServer(new UploadBackend(s3, { keyPrefix: 'uploads/shutdown/' }), { s3Origin: 'http://127.0.0.1' });
    const response = await fetch(`${extra.url}/api/uploads/multipart`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ filename: 'x.bin', size: 20 * MiB }),
    });
    expect(response.status).toBe(200);
    await response.arrayBuffer();
    expect(await s3.listMultipartUploads({ prefix: 'uploads/shutdown/' })).toHaveLength(1);
    await extra.close();
    expect(await s3.listMultipartUploads({ prefix: 'uploads/shutdown/' })).toEqual([]);
  });
});
