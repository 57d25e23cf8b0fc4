/**
 * The test server is worth testing against only if it checks signatures itself. These requests are
 * signed by the AWS SDK's own signer (@smithy/signature-v4), not by s3lane, and sent with fetch: a
 * server that accepts them and rejects a wrong secret verifies SigV4 independently of our client.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachServer, uniqueBucketName, type S3TestServer } from './server.js';

interface Reply {
  status: number;
  headers: Headers;
  body: Uint8Array;
}

interface SendOptions {
  body?: Uint8Array | string;
  secretAccessKey?: string;
  accessKeyId?: string;
  /** Virtual-hosted style: `Host: <vhostBucket>.<vhostDomain>:<port>`, path relative to the bucket. */
  vhostBucket?: string;
}

/** Signs with the AWS SDK's signer and sends; paths are already URI-encoded (ours are plain ASCII). */
async function send(server: S3TestServer, method: string, path: string, options: SendOptions = {}): Promise<Reply> {
  const url = new URL(server.endpoint);
  const host = options.vhostBucket ? `${options.vhostBucket}.${server.vhostDomain}:${url.port}` : url.host;
  const signer = new SignatureV4({
    service: 's3',
    region: server.region,
    sha256: Sha256,
    // S3 signs the path as sent, without the second encoding other services use.
    uriEscapePath: false,
    credentials: {
      accessKeyId: options.accessKeyId ?? server.accessKeyId,
      secretAccessKey: options.secretAccessKey ?? server.secretAccessKey,
    },
  });
  const body = typeof options.body === 'string' ? new TextEncoder().encode(options.body) : options.body;
  const signed = await signer.sign(
    new HttpRequest({ method, protocol: url.protocol, hostname: host.split(':')[0], path, headers: { host }, body }),
  );
  const { host: _host, ...headers } = signed.headers;
  if (!options.vhostBucket) {
    // (A copy: fetch's types want an ArrayBuffer-backed view, a Buffer may sit on a SharedArrayBuffer.)
    const response = await fetch(new URL(path, url), { method, headers, body: body && new Uint8Array(body) });
    return { status: response.status, headers: response.headers, body: new Uint8Array(await response.arrayBuffer()) };
  }
  // fetch always derives Host from the URL, and *.localhost need not resolve: connect to the endpoint
  // and name the bucket in the Host header, as a client that resolves *.localhost itself does.
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: url.hostname, port: url.port, method, path, headers: { ...signed.headers, host } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const responseHeaders = new Headers();
          for (const [name, value] of Object.entries(response.headers)) {
            if (typeof value === 'string') responseHeaders.set(name, value);
          }
          resolve({ status: response.statusCode ?? 0, headers: responseHeaders, body: Buffer.concat(chunks) });
        });
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

const errorCode = (reply: Reply): string | undefined =>
  /<Code>([^<]+)<\/Code>/.exec(new TextDecoder().decode(reply.body))?.[1];

describeEachServer('the test S3 server verifies signatures itself', (server) => {
  const bucket = uniqueBucketName('server-smoke');
  const keys = new Set<string>();

  beforeAll(async () => {
    const created = await send(server, 'PUT', `/${bucket}`);
    expect(created.status, errorCode(created)).toBe(200);
  });

  afterAll(async () => {
    for (const key of keys) await send(server, 'DELETE', `/${bucket}/${key}`);
    const deleted = await send(server, 'DELETE', `/${bucket}`);
    expect(deleted.status, errorCode(deleted)).toBe(204);
  });

  it('stores an object signed by the AWS SDK signer and returns it byte for byte', async () => {
    const data = randomBytes(100_000);
    keys.add('smoke/object.bin');
    const put = await send(server, 'PUT', `/${bucket}/smoke/object.bin`, { body: data });
    expect(put.status, errorCode(put)).toBe(200);
    expect(put.headers.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);

    const got = await send(server, 'GET', `/${bucket}/smoke/object.bin`);
    expect(got.status, errorCode(got)).toBe(200);
    expect(Buffer.from(got.body).equals(data)).toBe(true);
  });

  it('rejects a request signed with the wrong secret: 403 SignatureDoesNotMatch, nothing stored', async () => {
    keys.add('smoke/forged.txt');
    const forged = await send(server, 'PUT', `/${bucket}/smoke/forged.txt`, { body: 'forged', secretAccessKey: 'not-the-secret' });
    expect(forged.status).toBe(403);
    expect(errorCode(forged)).toBe('SignatureDoesNotMatch');

    const head = await send(server, 'HEAD', `/${bucket}/smoke/forged.txt`);
    expect(head.status).toBe(404);
  });

  it('rejects an unknown access key with 403 (InvalidAccessKeyId; Swift: SignatureDoesNotMatch)', async () => {
    const reply = await send(server, 'GET', `/${bucket}/smoke/object.bin`, { accessKeyId: 'AKIANOSUCHKEYEXAMPLE' });
    expect(reply.status).toBe(403);
    expect(errorCode(reply)).toBe(server.features.invalidAccessKeyId ? 'InvalidAccessKeyId' : 'SignatureDoesNotMatch');
  });

  it.skipIf(!server.vhostDomain)('serves virtual-hosted style at <bucket>.S3_VHOST_DOMAIN:port', async () => {
    keys.add('smoke/vhost.txt');
    const put = await send(server, 'PUT', '/smoke/vhost.txt', { body: 'via vhost', vhostBucket: bucket });
    expect(put.status, errorCode(put)).toBe(200);
    const got = await send(server, 'GET', `/${bucket}/smoke/vhost.txt`);
    expect(new TextDecoder().decode(got.body)).toBe('via vhost');
  });
});
