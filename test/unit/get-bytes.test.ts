/**
 * get().bytes() hands out the connection's own chunk when a body arrives in one (no copy). That is
 * safe only while undici gives every body chunk memory of its own, never reused for the next read
 * of the socket: these tests fail if an undici upgrade starts reusing it (the bytes of one GET would
 * change under the caller when the next answer arrives on the same connection).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { S3Client } from '../../src/index.js';

const SIZES = [5, 4096, 65536, 300_000];
const contentOf = (key: string): Buffer => {
  const size = Number(key.split('-')[1]);
  return Buffer.alloc(size, key.startsWith('a') ? 0x61 : 0x62);
};

let server: Server;
let s3: S3Client;

beforeAll(async () => {
  server = createServer((req, res) => {
    const body = contentOf((req.url ?? '').split('/').pop() ?? '');
    res.writeHead(200, { etag: '"0123"', 'content-length': body.length });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  s3 = new S3Client({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    forcePathStyle: true,
    bucket: 'bucket',
    maxConnections: 1,
  });
});

afterAll(async () => {
  await s3.close();
  await new Promise((resolve) => server.close(resolve));
});

it('keeps the bytes of one GET intact while later answers arrive on the same connection', async () => {
  for (const size of SIZES) {
    const first = await (await s3.get({ key: `a-${size}` })).bytes();
    const copy = Buffer.from(first);
    for (let i = 0; i < 3; i++) expect(Buffer.from(await (await s3.get({ key: `b-${size}` })).bytes()).equals(contentOf(`b-${size}`))).toBe(true);
    expect(Buffer.from(first).equals(copy), `${size} bytes`).toBe(true);
    expect(copy.equals(contentOf(`a-${size}`))).toBe(true);
  }
});

it('text() and json() decode the same bytes', async () => {
  expect(await (await s3.get({ key: 'a-5' })).text()).toBe('aaaaa');
  await expect((await s3.get({ key: 'a-5' })).json()).rejects.toThrow(SyntaxError);
});
