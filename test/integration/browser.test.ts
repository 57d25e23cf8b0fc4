/**
 * The browser example end to end in headless Chromium: the page from examples/browser uploads
 * through its server's POST policy and presigned multipart URLs straight to the real S3 server,
 * cross-origin (page and store listen on different ports), so the bucket's CORS rule is exercised
 * too. The objects are then read back with s3lane and compared byte for byte.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { S3Client } from '../../src/index.js';
import { browserUploadCorsRule, UploadBackend } from '../../examples/browser/backend.js';
import { startUploadServer, type UploadServer } from '../../examples/browser/server.js';
import { describeWithBrowser, launchChromium, TEST_OUTPUT_DIR } from './chromium.js';
import { patternBytes, removeTestBucket, s3Server, testClient, uniqueBucketName } from './server.js';

const KiB = 1024;
const MiB = 1024 * KiB;

/** Rules of the example's backend for this test: POST up to 1 MiB; multipart above 5 MiB, in 5 MiB parts. */
const RULES = { keyPrefix: 'uploads/', postMaxBytes: 1 * MiB, multipartThreshold: 5 * MiB, partSize: 5 * MiB };

interface FileRow {
  name: string;
  state: string;
  key: string | undefined;
  error: string | undefined;
  status: string;
  /** 'POST' or 'multipart', as the page chose. */
  method: string;
  progress: number;
}

function readRows(page: Page): Promise<FileRow[]> {
  return page.$$eval('li.file', (items) =>
    items.map((li) => ({
      name: (li as HTMLElement).dataset['name'] ?? '',
      state: (li as HTMLElement).dataset['state'] ?? '',
      key: (li as HTMLElement).dataset['key'],
      error: (li as HTMLElement).dataset['error'],
      status: li.querySelector('.status')?.textContent ?? '',
      method: li.querySelector('.meta')?.textContent?.split(' · ')[1] ?? '',
      progress: li.querySelector('progress')?.value ?? 0,
    })),
  );
}

describeWithBrowser('browser uploads from the example page, in Chromium, to the real server', () => {
  const bucket = uniqueBucketName('browser');
  let s3: S3Client;
  let server: UploadServer;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let filesDir = '';

  beforeAll(async () => {
    if (!s3Server) return;
    s3 = testClient({ bucket });
    await s3.createBucket();
    server = await startUploadServer(new UploadBackend(s3, RULES), { s3Origin: new URL(s3Server.endpoint).origin });
    await s3.putBucketCors({ rules: [browserUploadCorsRule([server.url])] });
    browser = await launchChromium();
    filesDir = await mkdtemp(join(tmpdir(), 's3lane-browser-files-'));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (filesDir) await rm(filesDir, { recursive: true, force: true });
    if (!s3Server) return;
    await removeTestBucket(s3);
    await s3.close();
  });

  it('stores a 100 KiB file by POST policy and a 12 MiB file by presigned multipart, byte for byte; the store refuses a file over the policy limit', async () => {
    const small = patternBytes(100 * KiB, 11);
    const large = patternBytes(12 * MiB, 12);
    const tooBig = patternBytes(2 * MiB, 13);
    const page = await browser.context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(server.url);
    // Files on disk, picked by path: Chromium reads them itself (no copy through the driver).
    const files = { 'small.bin': small, 'large.bin': large, 'too-big.txt': tooBig };
    for (const [name, bytes] of Object.entries(files)) await writeFile(join(filesDir, name), bytes);
    await page.setInputFiles('#picker', Object.keys(files).map((name) => join(filesDir, name)));
    await page.waitForFunction(
      () => {
        const items = [...document.querySelectorAll<HTMLElement>('li.file')];
        return items.length === 3 && items.every((li) => li.dataset['state'] !== 'uploading');
      },
      undefined,
      { timeout: 45_000 },
    );
    await mkdir(TEST_OUTPUT_DIR, { recursive: true });
    await page.screenshot({ path: join(TEST_OUTPUT_DIR, 'browser-uploads.png'), fullPage: true });
    expect(pageErrors).toEqual([]);

    const rows = new Map((await readRows(page)).map((row) => [row.name, row]));
    const smallRow = rows.get('small.bin');
    const largeRow = rows.get('large.bin');
    const tooBigRow = rows.get('too-big.txt');
    const stored = (name: string) => expect.stringMatching(new RegExp(`^uploads/[0-9a-f-]{36}/${name.replace('.', '\\.')}$`)) as string;
    expect(smallRow).toMatchObject({ state: 'done', method: 'POST', progress: 1, key: stored('small.bin') });
    expect(largeRow).toMatchObject({ state: 'done', method: 'multipart', progress: 1, key: stored('large.bin') });
    expect(tooBigRow).toMatchObject({ state: 'failed', method: 'POST', error: 'EntityTooLarge' });
    expect(tooBigRow?.status).toContain('The store refused the upload: EntityTooLarge');

    for (const [row, bytes] of [[smallRow, small], [largeRow, large]] as const) {
      const object = await s3.get({ key: row?.key ?? '' });
      expect(Buffer.from(await object.bytes()).equals(Buffer.from(bytes))).toBe(true);
    }
    // A multipart ETag ends in -<parts>: 12 MiB went as 3 presigned parts of 5, 5 and 2 MiB.
    expect((await s3.head({ key: largeRow?.key ?? '' })).etag).toMatch(/-3"?$/);
    // Nothing else was stored, and no multipart upload was left open.
    const keys: string[] = [];
    for await (const object of s3.list()) keys.push(object.key);
    expect(keys.sort()).toEqual([smallRow?.key, largeRow?.key].sort());
    expect(await s3.listMultipartUploads()).toEqual([]);
    await page.close();
  });
});
