/**
 * Child process for memory.test.ts: uploads one file, or downloads one object to a file, and prints
 * its own peak RSS, so the figure belongs to the transfer alone and not to the test runner.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { S3Client } from '../../src/index.js';

const [mode, bucket, key, file] = process.argv.slice(2);
const env = process.env;
const s3 = new S3Client({
  endpoint: env['S3_ENDPOINT'],
  region: env['S3_REGION'] ?? 'us-east-1',
  credentials: { accessKeyId: env['S3_ACCESS_KEY'] ?? '', secretAccessKey: env['S3_SECRET_KEY'] ?? '' },
  forcePathStyle: true,
  bucket,
});
if (!key || !file) throw new Error('usage: memory-child.ts <put|upload|download|download-parallel|get> <bucket> <key> <file>');
const before = process.memoryUsage().rss;
const transfers: Record<string, () => Promise<{ etag: string | undefined }>> = {
  put: () => s3.put({ key, body: createReadStream(file) }),
  upload: () => s3.upload({ key, file }),
  download: () => s3.download({ key, file }),
  'download-parallel': () => s3.download({ key, file, concurrency: 4, partSize: 8 * 1024 * 1024 }),
  get: async () => {
    const object = await s3.get({ key });
    await pipeline(object.body, createWriteStream(file));
    return { etag: object.etag };
  },
};
const transfer = transfers[mode ?? ''];
if (!transfer) throw new Error(`unknown mode ${String(mode)}`);
const result = await transfer();
await s3.close();
process.stdout.write(
  JSON.stringify({ etag: result.etag, startRss: before, maxRss: process.resourceUsage().maxRSS * 1024 }) + '\n',
);
