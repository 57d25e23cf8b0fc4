/**
 * `npm run demo`: a tour of s3lane against a real S3 server. scripts/s3-server.sh starts a local
 * one (MinIO with Docker, else Ceph RADOS Gateway) unless S3_ENDPOINT points at yours.
 */
import { S3Client, S3Error } from '../src/index.js';

const endpoint = process.env['S3_ENDPOINT'];
if (!endpoint) {
  console.error('S3_ENDPOINT is not set: run this through `npm run demo`, which starts a local S3 server.');
  process.exit(1);
}

const s3 = new S3Client({
  endpoint,
  region: process.env['S3_REGION'] ?? 'us-east-1',
  credentials: { accessKeyId: process.env['S3_ACCESS_KEY'] ?? '', secretAccessKey: process.env['S3_SECRET_KEY'] ?? '' },
  bucket: `s3lane-demo-${Date.now().toString(36)}`,
});

const step = (what: string, detail = ''): void => console.log(`✔ ${what}${detail ? `  ${detail}` : ''}`);

try {
  await s3.createBucket();
  step('created bucket', `(${process.env['S3_SERVER_KIND'] ?? 'external'} server at ${endpoint})`);

  const text = 'Hello from s3lane! Every request here was signed with SigV4 and checked by the server.\n';
  const put = await s3.put({ key: 'greetings/hello.txt', body: text, contentType: 'text/plain', metadata: { demo: 'yes' } });
  step('put greetings/hello.txt', `${text.length} bytes, etag ${put.etag}`);

  const big = new Uint8Array(3 * 1024 * 1024).map((_, i) => i % 251);
  await s3.put({ key: 'greetings/binary.bin', body: new Blob([big]).stream(), contentLength: big.length });
  step('put greetings/binary.bin', `${big.length} bytes streamed (aws-chunked: every 256 KiB chunk signed)`);

  const range = await s3.get({ key: 'greetings/hello.txt', range: { start: 0, end: 17 } });
  step('read a range', `${range.contentRange}: ${JSON.stringify(await range.text())}`);

  const info = await s3.head({ key: 'greetings/hello.txt' });
  step('head', `${info.contentLength} bytes, ${info.contentType}, metadata ${JSON.stringify(info.metadata)}`);

  await s3.copy({ from: { key: 'greetings/hello.txt' }, to: { key: 'greetings/copy of hello.txt' } });
  step('copied to "greetings/copy of hello.txt"');

  const listed: string[] = [];
  for await (const object of s3.list({ prefix: 'greetings/' })) listed.push(`${object.key} (${object.size} B)`);
  step('listed', listed.join(', '));

  const missing = await s3.get({ key: 'greetings/nope.txt' }).catch((error: unknown) => error);
  if (missing instanceof S3Error) step('a missing key is a typed error', `${missing.code} (HTTP ${missing.statusCode})`);

  const deleted = await s3.deleteMany({ keys: listed.map((entry) => entry.replace(/ \(\d+ B\)$/, '')) });
  step('deleted', `${deleted.deleted.length} objects in one DeleteObjects request`);
} finally {
  await s3.deleteBucket().catch(() => undefined);
  await s3.close();
}
step('removed the bucket; done');
