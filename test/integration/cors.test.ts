/**
 * Bucket CORS against the real server: the rules read back as written, and the server answers a
 * browser's preflight by them (allowed origin: the rule's headers; any other origin: refused).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { CorsRule, S3Client } from '../../src/index.js';
import { describeWithServer, removeTestBucket, s3Server, testClient, uniqueBucketName } from './server.js';

describeWithServer('bucket CORS on a real server', () => {
  const bucket = uniqueBucketName('cors');
  let s3: S3Client;

  beforeAll(async () => {
    if (s3Server) await (s3 = testClient({ bucket })).createBucket();
  });

  afterAll(async () => {
    if (!s3Server) return;
    await removeTestBucket(s3);
    await s3.close();
  });

  const rules: CorsRule[] = [
    {
      id: 'uploads',
      allowedOrigins: ['http://127.0.0.1:*'],
      allowedMethods: ['PUT', 'POST'],
      allowedHeaders: ['*'],
      exposeHeaders: ['ETag'],
      maxAgeSeconds: 600,
    },
    { allowedOrigins: ['*'], allowedMethods: ['GET', 'HEAD'] },
  ];

  const preflight = (origin: string, method: string): Promise<Response> =>
    fetch(`${s3Server?.endpoint ?? ''}/${bucket}/some/key`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'content-type' },
    });

  it('reads back no rules from a bucket that has none', async () => {
    expect(await s3.getBucketCors()).toEqual({ rules: [] });
  });

  it('reads back the rules it wrote, in order, every field included', async () => {
    await s3.putBucketCors({ rules });
    expect(await s3.getBucketCors()).toEqual({ rules });
  });

  it('makes the server answer a preflight from an allowed origin with the rule, and refuse any other', async () => {
    await s3.putBucketCors({ rules });
    const allowed = await preflight('http://127.0.0.1:4321', 'PUT');
    await allowed.arrayBuffer();
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:4321');
    expect(allowed.headers.get('access-control-allow-methods')).toContain('PUT');
    expect(allowed.headers.get('access-control-expose-headers')).toBe('ETag');
    const otherOrigin = await preflight('https://elsewhere.example', 'PUT');
    await otherOrigin.arrayBuffer();
    expect(otherOrigin.status).toBe(403);
    expect(otherOrigin.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('deletes the rules (twice without error), after which preflights are refused', async () => {
    await s3.putBucketCors({ rules });
    await s3.deleteBucketCors();
    await s3.deleteBucketCors();
    expect(await s3.getBucketCors()).toEqual({ rules: [] });
    const refused = await preflight('http://127.0.0.1:4321', 'PUT');
    await refused.arrayBuffer();
    expect(refused.status).toBe(403);
  });
});
