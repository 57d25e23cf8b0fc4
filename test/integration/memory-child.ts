/**
 * Child process for memory.test.ts: uploads one file and prints its own peak RSS, so the figure
 * belongs to the upload alone and not to the test runner.
 */
import { createReadStream } from 'node:fs';
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
if (!key || !file) throw new Error('usage: memory-child.ts <put|upload> <bucket> <key> <file>');
const before = process.memoryUsage().rss;
const result =
  mode === 'put' ? await s3.put({ key, body: createReadStream(file) }) : await s3.upload({ key, file });
await s3.close();
process.stdout.write(
  JSON.stringify({ etag: result.etag, startRss: before, maxRss: process.resourceUsage().maxRSS * 1024 }) + '\n',
);
