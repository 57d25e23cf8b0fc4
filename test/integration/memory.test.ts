/**
 * Large files are streamed from disk, never read whole: the peak RSS of a process uploading a
 * file stays under 100 MB, by single PUT and by multipart. 256 MiB by default (quick in CI);
 * S3LANE_TEST_1GIB=1 runs the full 1 GiB.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { S3Client } from '../../src/index.js';
import { describeWithServer, s3Server, uniqueBucketName } from './server.js';

const run = promisify(execFile);
const size = process.env['S3LANE_TEST_1GIB'] === '1' ? 1024 ** 3 : 256 * 1024 ** 2;
const LIMIT = 100 * 1000 * 1000;

describeWithServer(`uploading a ${size / 1024 ** 2} MiB file`, () => {
  const bucket = uniqueBucketName('memory');
  let s3: S3Client;
  let dir = '';
  let file = '';

  beforeAll(async () => {
    if (!s3Server) return;
    s3 = new S3Client({
      endpoint: s3Server.endpoint,
      region: s3Server.region,
      credentials: { accessKeyId: s3Server.accessKeyId, secretAccessKey: s3Server.secretAccessKey },
      forcePathStyle: true,
      bucket,
    });
    await s3.createBucket();
    dir = await mkdtemp(join(tmpdir(), 's3lane-memory-'));
    file = join(dir, 'sparse.bin');
    // A sparse file: the size is real for every reader, but costs no disk.
    const handle = await open(file, 'w');
    await handle.truncate(size);
    await handle.close();
  });

  afterAll(async () => {
    if (!s3Server) return;
    for (const key of ['put', 'upload']) await s3.delete({ key });
    await s3.deleteBucket();
    await s3.close();
    await rm(dir, { recursive: true, force: true });
  });

  it.each(['put', 'upload'])('by %s keeps the peak RSS under 100 MB', async (mode) => {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'memory-child.ts'), mode, bucket, mode, file],
      { env: process.env, maxBuffer: 1024 * 1024 },
    );
    const report = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { maxRss: number; startRss: number };
    expect((await s3.head({ key: mode })).contentLength).toBe(size);
    expect(report.maxRss).toBeLessThan(LIMIT);
  }, 300_000);
});
