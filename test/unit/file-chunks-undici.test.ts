/**
 * What fileChunks' buffer reuse relies on (src/s3/file-chunks.ts): undici sends an async iterable
 * body by asking for the next chunk only once the socket is done with the previous one. A server
 * that stops reading for a while fills the kernel's buffers, so writes stay pending in libuv; if
 * undici read ahead, a reused buffer would be refilled under a pending write and the server would
 * receive other bytes than the file's. This fails if undici ever changes that.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dispatcher } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileChunks } from '../../src/s3/file-chunks.js';
import { Transport } from '../../src/s3/transport.js';

const MiB = 1024 * 1024;
// Larger than what loopback's socket buffers hold, so that writes must wait for the reader.
const SIZE = 24 * MiB;
const CHUNK = 256 * 1024;

describe('undici and reused body buffers', () => {
  let dir = '';
  let path = '';
  let server: Server;
  let origin = '';
  const data = randomBytes(SIZE);
  let received: Promise<{ sha256: string; bytes: number }>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 's3lane-undici-reuse-'));
    path = join(dir, 'data.bin');
    await writeFile(path, data);
    server = createServer((request, response) => {
      received = new Promise((resolve) => {
        const hash = createHash('sha256');
        let bytes = 0;
        // Not reading at first: the client's writes pile up in the kernel, then in libuv.
        request.pause();
        setTimeout(() => request.resume(), 300);
        request.on('data', (chunk: Buffer) => {
          hash.update(chunk);
          bytes += chunk.byteLength;
        });
        request.on('end', () => {
          resolve({ sha256: hash.digest('hex'), bytes });
          response.end('ok');
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  it('delivers every chunk intact through s3lane\'s own dispatcher while the socket pushes back', async () => {
    const transport = new Transport({});
    expect(transport.ownsConnections).toBe(true);
    // A dispatcher the caller brings is not known to wait so: its file bodies get fresh buffers.
    expect(new Transport({ dispatcher: transport as unknown as Dispatcher }).ownsConnections).toBe(false);
    let pulls = 0;
    let waited = 0;
    async function* timed(): AsyncGenerator<Uint8Array> {
      for await (const chunk of fileChunks({ path, start: 0, length: SIZE }, CHUNK)) {
        const handedOn = performance.now();
        yield chunk;
        // undici asked again: how long it held the chunk shows whether it waited for the socket.
        waited = Math.max(waited, performance.now() - handedOn);
        pulls++;
      }
    }
    // Typed as the pipeline's wire body is: undici's types do not list async iterables.
    const body: Uint8Array | AsyncIterable<Uint8Array> = timed();
    try {
      const response = await transport.request({
        origin,
        path: '/',
        method: 'PUT',
        headers: { 'content-length': String(SIZE) },
        body: body as Dispatcher.DispatchOptions['body'],
      });
      await response.body.text();
      expect(response.statusCode).toBe(200);
    } finally {
      await transport.close();
    }
    const got = await received;
    expect(got.bytes).toBe(SIZE);
    expect(got.sha256).toBe(createHash('sha256').update(data).digest('hex'));
    expect(pulls).toBe(SIZE / CHUNK);
    // The server's pause really made undici wait on the socket (else this test proves nothing).
    expect(waited).toBeGreaterThan(100);
  });
});
