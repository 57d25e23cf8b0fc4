/**
 * One large transfer by one client, in its own process so that its CPU time and peak RSS are its
 * own; bench/transfer.ts starts it (as transpiled JS on bare node) and reads its JSON report.
 *
 *   node transfer-child.js <work> <bucket> <key> <file> <bytes>
 *
 * The server comes from S3_ENDPOINT etc. `rssStartBytes` is the RSS after imports and before the
 * work, so `peakRssBytes - rssStartBytes` is what the transfer itself cost in memory.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { request } from 'undici';
import type { PayloadSigning } from '../src/index.js';
import { measure, printReport } from './lib/measure.js';
import { s3Env, type S3Env } from './lib/s3-env.js';
import { awsClient, floorAgent, floorUrl, minioClient, s3laneClient } from './lib/transfer-clients.js';

interface Job {
  server: S3Env;
  bucket: string;
  key: string;
  /** The file to upload from, or to download to. */
  file: string;
  bytes: number;
}

const FILE_READ_SIZE = 256 * 1024;

/**
 * The file every piped download row writes into: fs.WriteStream with a 1 MiB highWaterMark, the
 * size download() itself uses. With the 16 KiB default each 64 KiB socket chunk fills the stream,
 * so the socket is paused and resumed and the chunk written on its own, once per chunk; with room
 * for 1 MiB the chunks that arrive while a write is in flight go out in one writev. (Measured on
 * 256 MiB: ~8,100 writes and ~6,500 epoll_ctl become ~1,400 writes and ~650 epoll_ctl, ~20% less CPU.)
 */
const FILE_WRITE_BUFFER = 1024 * 1024;

function fileWriter(path: string): Writable {
  return createWriteStream(path, { highWaterMark: FILE_WRITE_BUFFER });
}

async function floorUpload(job: Job): Promise<void> {
  const dispatcher = floorAgent();
  const response = await request(floorUrl(job.server, job.bucket, job.key, 'PUT'), {
    method: 'PUT',
    dispatcher,
    headers: { 'content-length': String(job.bytes) },
    body: createReadStream(job.file, { highWaterMark: FILE_READ_SIZE }),
  });
  await response.body.dump();
  if (response.statusCode >= 300) throw new Error(`floor PUT: ${response.statusCode}`);
  await dispatcher.close();
}

const PART_SIZE = 8 * 1024 * 1024;
const PARTS_IN_FLIGHT = 4;

/**
 * The fair floor for upload(): the same part shape (8 MiB parts, 4 in flight) as raw undici PUTs
 * of file ranges to presigned part URLs. Create and Complete go through s3lane: two small
 * requests, the same for every multipart uploader.
 */
async function floorMultipart(job: Job): Promise<void> {
  await using s3 = s3laneClient(job.server);
  const dispatcher = floorAgent();
  const { uploadId } = await s3.createMultipartUpload({ bucket: job.bucket, key: job.key });
  const count = Math.ceil(job.bytes / PART_SIZE);
  let next = 0;
  const parts: { partNumber: number; etag: string }[] = [];
  const sendParts = async (): Promise<void> => {
    for (let i = next++; i < count; i = next++) {
      const start = i * PART_SIZE;
      const length = Math.min(PART_SIZE, job.bytes - start);
      const url = s3.presignSync({ bucket: job.bucket, key: job.key, method: 'PUT', uploadId, partNumber: i + 1 });
      const response = await request(url, {
        method: 'PUT',
        dispatcher,
        headers: { 'content-length': String(length) },
        body: createReadStream(job.file, { start, end: start + length - 1, highWaterMark: FILE_READ_SIZE }),
      });
      await response.body.dump();
      if (response.statusCode >= 300) throw new Error(`floor part ${i + 1}: ${response.statusCode}`);
      parts[i] = { partNumber: i + 1, etag: String(response.headers['etag']) };
    }
  };
  await Promise.all(Array.from({ length: PARTS_IN_FLIGHT }, sendParts));
  await s3.completeMultipartUpload({ bucket: job.bucket, key: job.key, uploadId, parts });
  await dispatcher.close();
}

async function floorDownload(job: Job): Promise<void> {
  const dispatcher = floorAgent();
  const response = await request(floorUrl(job.server, job.bucket, job.key, 'GET'), { dispatcher });
  if (response.statusCode >= 300) throw new Error(`floor GET: ${response.statusCode}`);
  await pipeline(response.body, fileWriter(job.file));
  await dispatcher.close();
}

/**
 * The same GET on undici's lower API: dispatch() with a handler that writes each chunk to the file
 * and pauses the socket while the file catches up. No body stream (request()'s BodyReadable) sits
 * between the parser and the file: what a client built on dispatch() could reach.
 */
async function floorDispatchDownload(job: Job): Promise<void> {
  const dispatcher = floorAgent();
  const url = new URL(floorUrl(job.server, job.bucket, job.key, 'GET'));
  const file = fileWriter(job.file);
  await new Promise<void>((resolve, reject) => {
    let resume: () => void = () => undefined;
    file.on('drain', () => resume());
    file.on('error', reject);
    dispatcher.dispatch(
      { origin: url.origin, path: `${url.pathname}${url.search}`, method: 'GET' },
      {
        onConnect: () => undefined,
        onHeaders: (statusCode: number, _headers: Buffer[], resumeSocket: () => void) => {
          if (statusCode >= 300) reject(new Error(`floor dispatch GET: ${statusCode}`));
          resume = resumeSocket;
          return true;
        },
        onData: (chunk: Buffer) => file.write(chunk),
        onComplete: () => file.end(() => resolve()),
        onError: reject,
      },
    );
  });
  await dispatcher.close();
}

/** SHA-256 of `bytes` bytes already in memory: what signing the payload costs at the least. */
async function hashInMemory(job: Job): Promise<void> {
  const block = new Uint8Array(1024 * 1024).fill(7);
  const hash = createHash('sha256');
  for (let left = job.bytes; left > 0; left -= block.byteLength) hash.update(left >= block.byteLength ? block : block.subarray(0, left));
  hash.digest();
}

function s3lanePut(payloadSigning: PayloadSigning) {
  return async (job: Job): Promise<void> => {
    await using s3 = s3laneClient(job.server, { payloadSigning });
    await s3.put({ bucket: job.bucket, key: job.key, body: createReadStream(job.file, { highWaterMark: FILE_READ_SIZE }) });
  };
}

function s3laneUpload(payloadSigning: PayloadSigning) {
  return async (job: Job): Promise<void> => {
    await using s3 = s3laneClient(job.server, { payloadSigning });
    await s3.upload({ bucket: job.bucket, key: job.key, file: job.file });
  };
}

function awsGet(writer: (file: string) => Writable) {
  return async (job: Job): Promise<void> => {
    const client = awsClient(job.server);
    const object = await client.send(new GetObjectCommand({ Bucket: job.bucket, Key: job.key }));
    if (!(object.Body instanceof Readable)) throw new Error('aws-sdk: Body is not a Node stream');
    await pipeline(object.Body, writer(job.file));
    client.destroy();
  };
}

const WORKS: Record<string, (job: Job) => Promise<void>> = {
  'hash-in-memory': hashInMemory,
  'put:floor': floorUpload,
  'put:s3lane-auto': s3lanePut('auto'),
  'put:s3lane-unsigned': s3lanePut('unsigned'),
  'put:s3lane-sha256': s3lanePut('sha256'),
  'upload:floor': floorMultipart,
  'upload:s3lane-auto': s3laneUpload('auto'),
  'upload:s3lane-unsigned': s3laneUpload('unsigned'),
  'upload:s3lane-sha256': s3laneUpload('sha256'),
  'upload:lib-storage': async (job) => {
    const client = awsClient(job.server);
    const params = { Bucket: job.bucket, Key: job.key, Body: createReadStream(job.file) };
    await new Upload({ client, params }).done();
    client.destroy();
  },
  'upload:minio': async (job) => {
    await minioClient(job.server).fPutObject(job.bucket, job.key, job.file);
  },
  'get:floor': floorDownload,
  'get:floor-dispatch': floorDispatchDownload,
  'get:s3lane-download': async (job) => {
    await using s3 = s3laneClient(job.server);
    await s3.download({ bucket: job.bucket, key: job.key, file: job.file });
  },
  'get:s3lane-download-c4': async (job) => {
    await using s3 = s3laneClient(job.server);
    await s3.download({ bucket: job.bucket, key: job.key, file: job.file, concurrency: 4, partSize: 8 * 1024 * 1024 });
  },
  'get:s3lane-body-web': async (job) => {
    await using s3 = s3laneClient(job.server);
    const object = await s3.get({ bucket: job.bucket, key: job.key });
    await pipeline(object.body, fileWriter(job.file));
  },
  'get:s3lane-node-stream': async (job) => {
    await using s3 = s3laneClient(job.server);
    const object = await s3.get({ bucket: job.bucket, key: job.key });
    await pipeline(object.nodeStream, fileWriter(job.file));
  },
  'get:s3lane-body-node': async (job) => {
    await using s3 = s3laneClient(job.server);
    const object = await s3.get({ bucket: job.bucket, key: job.key });
    await pipeline(Readable.fromWeb(object.body as import('node:stream/web').ReadableStream<Uint8Array>), fileWriter(job.file));
  },
  // As aws-sdk's documentation pipes it: into fs.createWriteStream with its defaults.
  'get:aws-sdk': awsGet((file) => createWriteStream(file)),
  // The same, into the writer the floor and s3lane's rows use: the client's own cost, like for like.
  'get:aws-sdk-1m': awsGet(fileWriter),
  'get:minio': async (job) => {
    await minioClient(job.server).fGetObject(job.bucket, job.key, job.file);
  },
};

export const TRANSFER_WORKS = Object.keys(WORKS);

/**
 * Pays up front what any process using undici pays once: after its first few answers, V8 compiles
 * undici's HTTP parser (llhttp, WebAssembly) to optimised code on background threads, ~35 MiB of
 * compiler memory at the peak, for a moment. Then the peak RSS is reset (/proc/self/clear_refs), so
 * that the growth measured next is the transfer's own, as in a process that has already made requests.
 */
async function warmUp(job: Job): Promise<void> {
  await using s3 = s3laneClient(job.server, { payloadSigning: 'unsigned' });
  for (let i = 0; i < 16; i++) await s3.put({ bucket: job.bucket, key: `${job.key}.warm`, body: 'x' });
  await new Promise((resolve) => setTimeout(resolve, 1000));
  writeFileSync('/proc/self/clear_refs', '5');
}

async function main(): Promise<void> {
  const [work = '', bucket = '', key = '', file = '', bytes = '0', warm] = process.argv.slice(2);
  const run = WORKS[work];
  if (!run) throw new Error(`unknown work ${work}; one of ${TRANSFER_WORKS.join(', ')}`);
  const job: Job = { server: s3Env(), bucket, key, file, bytes: Number(bytes) };
  if (warm === 'warm') await warmUp(job);
  const rssStartBytes = process.memoryUsage.rss();
  const { measurement } = await measure(() => run(job));
  if (work.startsWith('get:')) await rm(file, { force: true });
  printReport({ ...measurement, rssStartBytes });
}

if (process.argv[1]?.endsWith('transfer-child.js')) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}
