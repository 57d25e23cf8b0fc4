/**
 * `npm run demo`: a tour of s3lane against real S3 servers. scripts/s3-server.sh starts local ones
 * (MinIO with Docker, else Ceph RADOS Gateway, and OpenStack Swift's s3api beside it) unless
 * S3_ENDPOINT points at yours. The tour runs once per server, with the client's default settings.
 */
import { S3Client, S3Error } from '../src/index.js';

interface DemoServer {
  name: string;
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

const env = process.env;
const servers: DemoServer[] = [];
if (env['S3_ENDPOINT']) {
  servers.push({
    name: env['S3_SERVER_KIND'] ?? 'external',
    endpoint: env['S3_ENDPOINT'],
    region: env['S3_REGION'] ?? 'us-east-1',
    accessKeyId: env['S3_ACCESS_KEY'] ?? '',
    secretAccessKey: env['S3_SECRET_KEY'] ?? '',
  });
}
if (env['S3_SWIFT_ENDPOINT']) {
  servers.push({
    name: 'swift-s3api',
    endpoint: env['S3_SWIFT_ENDPOINT'],
    region: env['S3_SWIFT_REGION'] ?? 'us-east-1',
    accessKeyId: env['S3_SWIFT_ACCESS_KEY'] ?? '',
    secretAccessKey: env['S3_SWIFT_SECRET_KEY'] ?? '',
  });
}
if (servers.length === 0) {
  console.error('S3_ENDPOINT is not set: run this through `npm run demo`, which starts a local S3 server.');
  process.exit(1);
}

const step = (what: string, detail = ''): void => console.log(`✔ ${what}${detail ? `  ${detail}` : ''}`);

async function tour(server: DemoServer): Promise<void> {
  console.log(`\n${server.name} at ${server.endpoint}`);
  const s3 = new S3Client({
    endpoint: server.endpoint,
    region: server.region,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    bucket: `s3lane-demo-${Date.now().toString(36)}`,
  });
  let created = false;
  try {
    await s3.createBucket();
    created = true;
    step('created bucket', '(path style: the default for any endpoint that is not AWS)');

    const text = 'Hello from s3lane! Every request here was signed with SigV4 and checked by the server.\n';
    const put = await s3.put({ key: 'greetings/hello.txt', body: text, contentType: 'text/plain', metadata: { demo: 'yes' } });
    step('put greetings/hello.txt', `${text.length} bytes, etag ${put.etag}`);

    // A Blob streams from memory and can be sent again: aws-chunked (every 256 KiB chunk signed)
    // where the store supports it, else the client falls back to UNSIGNED-PAYLOAD by itself.
    const big = new Uint8Array(3 * 1024 * 1024).map((_, i) => i % 251);
    await s3.put({ key: 'greetings/binary.bin', body: new Blob([big]) });
    step('put greetings/binary.bin', `${big.length} bytes streamed from a Blob`);

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
    // Whatever failed above, leave nothing behind: the objects first, then the bucket.
    if (created) await removeBucket(s3).catch((error: unknown) => console.error(`could not remove the demo bucket: ${String(error)}`));
    await s3.close();
  }
}

async function removeBucket(s3: S3Client): Promise<void> {
  const keys: string[] = [];
  for await (const object of s3.list()) keys.push(object.key);
  if (keys.length > 0) await s3.deleteMany({ keys });
  await s3.deleteBucket();
  step('removed the bucket');
}

for (const server of servers) await tour(server);
console.log('\ndone');
