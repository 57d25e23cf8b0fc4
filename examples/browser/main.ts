/**
 * `npm run example:browser`: uploads from the browser straight to the bucket. scripts/s3-server.sh
 * starts a local S3 server (unless S3_ENDPOINT points at yours); this creates the bucket, gives it
 * the CORS rule the page needs, and serves the page until Ctrl-C.
 *
 * Environment: BROWSER_EXAMPLE_BUCKET (default s3lane-browser-example), PORT (default: any free port).
 */
import { S3Client } from '../../src/index.js';
import { browserUploadCorsRule, UploadBackend } from './backend.js';
import { startUploadServer } from './server.js';

const endpoint = process.env['S3_ENDPOINT'];
if (!endpoint) {
  console.error('S3_ENDPOINT is not set: run this through `npm run example:browser`, which starts a local S3 server.');
  process.exit(1);
}

const bucket = process.env['BROWSER_EXAMPLE_BUCKET'] ?? 's3lane-browser-example';
const s3 = new S3Client({
  endpoint,
  region: process.env['S3_REGION'] ?? 'us-east-1',
  credentials: { accessKeyId: process.env['S3_ACCESS_KEY'] ?? '', secretAccessKey: process.env['S3_SECRET_KEY'] ?? '' },
  bucket,
});

if (!(await s3.bucketExists())) await s3.createBucket();
// The origin the page's requests go to: the bucket's own (virtual-hosted on AWS), as a URL shows it.
const s3Origin = new URL(await s3.presign({ key: 'origin' })).origin;
const server = await startUploadServer(new UploadBackend(s3), { port: Number(process.env['PORT'] ?? 0), s3Origin });
const port = new URL(server.url).port;
await s3.putBucketCors({ rules: [browserUploadCorsRule([server.url, `http://localhost:${port}`])] });

console.log(`Browser uploads to bucket ${bucket} at ${endpoint}`);
console.log(`Open ${server.url} (Ctrl-C to stop)`);

const stop = async (): Promise<void> => {
  await server.close();
  await s3.close();
  process.exit(0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());

