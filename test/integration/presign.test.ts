/**
 * Presigned URLs and browser POST uploads, used the way their holders use them: plain fetch and
 * FormData, no s3lane on the receiving side, against a server that verifies every signature.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { S3Client } from '../../src/index.js';
import { describeEachServer, removeTestBucket, testClient, uniqueBucketName } from './server.js';

describeEachServer('presigned URLs and POST policies on a real server', (server) => {
  const bucket = uniqueBucketName('presign');
  let s3: S3Client;

  beforeAll(async () => {
    s3 = testClient({ bucket }, server);
    await s3.createBucket();
  });

  afterAll(async () => {
    await removeTestBucket(s3);
    await s3.close();
  });

  it.each(['plain.txt', 'dir/ünï cødé + = ~ 日本.txt', 'quote\'s & (parens) [brackets] @home!'])(
    'PUT, GET, HEAD and DELETE through presigned URLs with fetch, key %j',
    async (key) => {
      const put = await fetch(await s3.presign({ method: 'PUT', key, expiresIn: 300 }), { method: 'PUT', body: 'presigned body' });
      expect(put.status).toBe(200);
      const get = await fetch(await s3.presign({ key }));
      expect(get.status).toBe(200);
      expect(await get.text()).toBe('presigned body');
      const head = await fetch(s3.presignSync({ method: 'HEAD', key }), { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.headers.get('content-length')).toBe('14');
      const del = await fetch(await s3.presign({ method: 'DELETE', key }), { method: 'DELETE' });
      expect(del.status).toBe(204);
      expect(await s3.exists({ key })).toBe(false);
    },
  );

  it('answers with the requested Content-Disposition', async () => {
    await s3.put({ key: 'report.csv', body: 'a,b\n' });
    const url = await s3.presign({ key: 'report.csv', responseContentDisposition: 'attachment; filename="report.csv"' });
    const response = await fetch(url);
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="report.csv"');
    await response.arrayBuffer();
  });

  it('rejects an expired URL with 403', async () => {
    await s3.put({ key: 'expiring', body: 'x' });
    const url = await s3.presign({ key: 'expiring', expiresIn: 60, signingDate: new Date(Date.now() - 3600_000) });
    const response = await fetch(url);
    expect(response.status).toBe(403);
    expect(await response.text()).toMatch(/AccessDenied|Request has expired|RequestExpired/);
  });

  it('rejects a tampered URL with 403 SignatureDoesNotMatch', async () => {
    await s3.put({ key: 'tamper-a', body: 'a' });
    await s3.put({ key: 'tamper-b', body: 'b' });
    const url = await s3.presign({ key: 'tamper-a' });
    const tampered = url.replace('/tamper-a?', '/tamper-b?');
    expect(tampered).not.toBe(url);
    const response = await fetch(tampered);
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('SignatureDoesNotMatch');
    const longer = await fetch(url.replace(/X-Amz-Expires=\d+/, 'X-Amz-Expires=604800'));
    expect(longer.status).toBe(403);
    await longer.arrayBuffer();
  });

  it('binds Content-Type on a presigned PUT: sent, it succeeds; missing, it is refused', async () => {
    const url = await s3.presign({ method: 'PUT', key: 'bound.json', contentType: 'application/json' });
    const without = await fetch(url, { method: 'PUT', body: '{}' });
    expect(without.status).toBe(403);
    await without.arrayBuffer();
    const withHeader = await fetch(url, { method: 'PUT', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(withHeader.status).toBe(200);
    expect((await s3.head({ key: 'bound.json' })).contentType).toBe('application/json');
  });

  // OpenStack Swift's s3api has no POST Object: a browser form upload is refused (412 "Bad URL"),
  // and nothing is stored. The policy tests below need a server that implements it.
  it.runIf(!server.features.postPolicy)('a server without POST Object refuses the form upload and stores nothing', async () => {
    const post = await s3.presignPost({ key: 'posted.txt' });
    const form = new FormData();
    for (const [name, value] of Object.entries(post.fields)) form.append(name, value);
    form.append('file', new Blob(['x']), 'x');
    const response = await fetch(post.url, { method: 'POST', body: form });
    expect(response.status).toBeGreaterThanOrEqual(400);
    await response.arrayBuffer();
    expect(await s3.exists({ key: 'posted.txt' })).toBe(false);
  });

  it.runIf(server.features.postPolicy)('accepts a browser POST upload through FormData within the policy', async () => {
    const post = await s3.presignPost({
      keyPrefix: 'uploads/',
      contentLengthRange: [1, 1024],
      contentType: 'text/plain',
      fields: { 'x-amz-meta-owner': 'browser', success_action_status: '201' },
    });
    const form = new FormData();
    for (const [name, value] of Object.entries(post.fields)) form.append(name, value);
    form.append('file', new Blob(['from a browser form'], { type: 'text/plain' }), 'hello.txt');
    const response = await fetch(post.url, { method: 'POST', body: form });
    expect(response.status).toBe(201);
    await response.arrayBuffer();
    const object = await s3.get({ key: 'uploads/hello.txt' });
    expect(await object.text()).toBe('from a browser form');
    expect(object.metadata['owner']).toBe('browser');
  });

  it.runIf(server.features.postPolicy)('refuses a POST upload larger than content-length-range allows', async () => {
    const post = await s3.presignPost({ key: 'limited.bin', contentLengthRange: [1, 10] });
    const form = new FormData();
    for (const [name, value] of Object.entries(post.fields)) form.append(name, value);
    form.append('file', new Blob(['this is far more than ten bytes']), 'limited.bin');
    const response = await fetch(post.url, { method: 'POST', body: form });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(await response.text()).toMatch(/EntityTooLarge|content-length|AccessDenied/i);
    expect(await s3.exists({ key: 'limited.bin' })).toBe(false);
  });

  it.runIf(server.features.postPolicy)('refuses a POST whose fields differ from what the policy signed', async () => {
    const post = await s3.presignPost({ key: 'exact.txt' });
    const form = new FormData();
    for (const [name, value] of Object.entries(post.fields)) form.append(name, name === 'key' ? 'other.txt' : value);
    form.append('file', new Blob(['x']), 'x');
    const response = await fetch(post.url, { method: 'POST', body: form });
    expect(response.status).toBe(403);
    await response.arrayBuffer();
    expect(await s3.exists({ key: 'other.txt' })).toBe(false);
  });
});
