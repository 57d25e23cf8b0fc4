/**
 * Every row of test/fixtures/bad-inputs.ts gets an S3ConfigError with the row's code and field,
 * and the client's endpoint, a server on 127.0.0.1 that counts connections and requests, is never
 * contacted.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Client, S3ConfigError, type S3ClientOptions } from '../../src/index.js';
import { BAD_INPUTS } from '../fixtures/bad-inputs.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';

/** A server on 127.0.0.1 (ephemeral port) that answers 404 and counts connections and requests. */
async function countingServer(): Promise<{ server: Server; endpoint: string; counts: { connections: number; requests: number } }> {
  const counts = { connections: 0, requests: 0 };
  const server = createServer((_req, res) => {
    counts.requests++;
    res.writeHead(404).end();
  });
  server.on('connection', () => counts.connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, endpoint: `http://127.0.0.1:${port}`, counts };
}

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET, sessionToken: 'session+token/value==' };

describe('the counting server sees what passes validation', () => {
  it('a legacy bucket name is read in us-east-1, and the request is counted', async () => {
    const { server, endpoint, counts } = await countingServer();
    const s3 = new S3Client({ endpoint, region: 'us-east-1', credentials, retries: 0 });
    try {
      expect(await s3.exists({ bucket: 'Legacy_Bucket', key: 'k' })).toBe(false);
      expect(counts.requests).toBe(1);
      // Writing to it, or reading it from another region, is refused before the network.
      await expect(s3.put({ bucket: 'Legacy_Bucket', key: 'k', body: 'x' })).rejects.toMatchObject({ code: 'InvalidBucketName' });
      expect(counts.requests).toBe(1);
    } finally {
      await s3.close();
      server.close();
    }
  });
});

describe('bad input across the public API', () => {
  let server: Server;
  let counts = { connections: 0, requests: 0 };
  let options: S3ClientOptions;
  let s3: S3Client;

  beforeAll(async () => {
    let endpoint: string;
    ({ server, endpoint, counts } = await countingServer());
    options = {
      endpoint,
      region: 'eu-west-1',
      bucket: 'default-bucket',
      credentials,
      retries: 0,
    };
    s3 = new S3Client(options);
  });

  afterAll(async () => {
    await s3.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('has at least 200 rows', () => {
    expect(BAD_INPUTS.length).toBeGreaterThanOrEqual(200);
    expect(new Set(BAD_INPUTS.map((row) => row.name)).size).toBe(BAD_INPUTS.length);
  });

  it.each(BAD_INPUTS.map((row) => [row.name, row] as const))('%s', async (_name, row) => {
    const error = await (async () => row.run(s3, options, S3Client))().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(S3ConfigError);
    const configError = error as S3ConfigError;
    expect({ code: configError.code, field: configError.field }).toEqual({ code: row.code, field: row.field });
    expect(configError.message).not.toContain(SECRET);
    expect(inspect(configError)).not.toContain(SECRET);
    expect(counts).toEqual({ connections: 0, requests: 0 });
  });
});
