/**
 * Large files are streamed from disk, never read whole: while a process uploads a file, its memory
 * grows by a bounded amount that does not depend on the file's size, by single PUT and by
 * multipart; the same for downloads to a file (one stream, parallel ranges, a get() body piped).
 * 256 MiB by default (quick in CI); S3LANE_TEST_1GIB=1 runs the full 1 GiB.
 *
 * The bound is on growth over the process's own start, not on absolute RSS: Node 20 plus undici
 * start at ~66 MB, and raw undici streaming the same file (no s3lane at all) peaks at ~113 MB,
 * because ~35 MB of spent read buffers wait for V8's next collection and glibc keeps freed pages
 * for a while. What the client controls, and what this pins, is that nothing scales with the file.
 *
 * The child runs the library compiled to JavaScript, as users run it: a TypeScript loader in the
 * child would add its own ~35 MB and measure the loader instead.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, open, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { S3Client } from '../../src/index.js';
import { describeWithServer, s3Server, testClient, uniqueBucketName } from './server.js';

const run = promisify(execFile);
const size = process.env['S3LANE_TEST_1GIB'] === '1' ? 1024 ** 3 : 256 * 1024 ** 2;
/**
 * Measured growth is 52-63 MB for 256 MiB and for 1 GiB alike (spent buffers awaiting GC). A client
 * that buffered the file, or read far ahead of the socket, would grow by the file's size.
 */
const GROWTH_LIMIT = 80 * 1024 * 1024;

describeWithServer(`uploading and downloading a ${size / 1024 ** 2} MiB file`, () => {
  const bucket = uniqueBucketName('memory');
  let s3: S3Client;
  let dir = '';
  let file = '';
  let child = '';

  beforeAll(async () => {
    if (!s3Server) return;
    s3 = testClient({ bucket });
    await s3.createBucket();
    dir = await mkdtemp(join(tmpdir(), 's3lane-memory-'));
    file = join(dir, 'sparse.bin');
    // A sparse file: the size is real for every reader, but costs no disk.
    const handle = await open(file, 'w');
    await handle.truncate(size);
    await handle.close();
    const root = join(import.meta.dirname, '..', '..');
    const out = join(dir, 'js');
    await run(
      process.execPath,
      [
        join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
        ...['--outDir', out, '--rootDir', root, '--module', 'NodeNext', '--moduleResolution', 'NodeNext'],
        ...['--target', 'ES2022', '--lib', 'ES2023,DOM,DOM.Iterable,DOM.AsyncIterable', '--types', 'node', '--skipLibCheck'],
        join(root, 'src', 'index.ts'),
        join(import.meta.dirname, 'memory-child.ts'),
      ],
      { cwd: root },
    );
    // The compiled files must resolve undici and friends from the project's node_modules.
    await symlink(join(root, 'node_modules'), join(out, 'node_modules'));
    await writeFile(join(out, 'package.json'), '{"type":"module"}');
    child = join(out, 'test', 'integration', 'memory-child.js');
  }, 120_000);

  afterAll(async () => {
    if (!s3Server) return;
    for (const key of ['put', 'upload']) await s3.delete({ key });
    await s3.deleteBucket();
    await s3.close();
    await rm(dir, { recursive: true, force: true });
  });

  it.each(['put', 'upload'])('by %s grows the RSS by less than 80 MiB, whatever the file size', async (mode) => {
    const { stdout } = await run(
      process.execPath,
      [child, mode, bucket, mode, file],
      { env: process.env, maxBuffer: 1024 * 1024 },
    );
    const report = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { maxRss: number; startRss: number };
    expect((await s3.head({ key: mode })).contentLength).toBe(size);
    console.log(`${mode} of ${size / 1024 ** 2} MiB: peak RSS ${(report.maxRss / 1e6).toFixed(1)} MB (at start ${(report.startRss / 1e6).toFixed(1)} MB)`);
    expect(report.maxRss - report.startRss).toBeLessThan(GROWTH_LIMIT);
  }, 300_000);

  // After the uploads: the object 'put' is there to read.
  it.each(['download', 'download-parallel', 'get'])('by %s grows the RSS by less than 80 MiB, whatever the object size', async (mode) => {
    const out = join(dir, `${mode}.bin`);
    const { stdout } = await run(process.execPath, [child, mode, bucket, 'put', out], { env: process.env, maxBuffer: 1024 * 1024 });
    const report = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { maxRss: number; startRss: number };
    expect((await stat(out)).size).toBe(size);
    await rm(out);
    console.log(`${mode} of ${size / 1024 ** 2} MiB: peak RSS ${(report.maxRss / 1e6).toFixed(1)} MB (at start ${(report.startRss / 1e6).toFixed(1)} MB)`);
    expect(report.maxRss - report.startRss).toBeLessThan(GROWTH_LIMIT);
  }, 300_000);
});
