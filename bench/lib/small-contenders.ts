/**
 * The small-object contenders of `npm run bench -- transfer` (section small): each client's PUT and
 * GET of one small object, and the raw-undici floor (a presigned URL, sent as is). A bench child
 * (bench/small-child.ts) builds them and times one of them in its own process.
 */
import { createHash, createHmac, createSecretKey, hash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { request, type Dispatcher } from 'undici';
import type { S3Env } from './s3-env.js';
import { awsClient, floorAgent, floorUrl, leanClient, minioClient, s3laneClient } from './transfer-clients.js';

export interface SmallContender {
  name: string;
  put(key: string, body: Uint8Array): Promise<unknown>;
  /** Absent for a row that only PUTs. */
  get?(key: string): Promise<number>;
  close(): Promise<void>;
}

/**
 * A minio object's bytes in one Buffer, as its users write it: every other row's GET ends with the
 * whole object in memory (bytes(), transformToByteArray()), and the copy that joins the socket's
 * chunks is a large share of a 64 KiB GET's cost.
 */
async function collect(stream: Readable): Promise<number> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).byteLength;
}

const SIGNING_KEY = createSecretKey(createHmac('sha256', 'k').update('benchmark key').digest());
/** A canonical request of a small GET's size (the one s3lane signs for the sink has these lines). */
const CANONICAL_REQUEST = [
  'GET',
  '/transfer-bucket/small/65536/s3lane-7',
  '',
  'host:127.0.0.1:40000',
  'x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  'x-amz-date:20261202T112357Z',
  '',
  'host;x-amz-content-sha256;x-amz-date',
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
].join('\n');
const STRING_TO_SIGN_PREFIX = 'AWS4-HMAC-SHA256\n20261202T112357Z\n20261202/us-east-1/s3/aws4_request\n';

function signatureCrypto(): string {
  return createHmac('sha256', SIGNING_KEY).update(STRING_TO_SIGN_PREFIX + hash('sha256', CANONICAL_REQUEST, 'hex')).digest('hex');
}

export function smallContenders(server: S3Env, bucket: string): SmallContender[] {
  const floor: Dispatcher = floorAgent();
  const urls = new Map<string, string>();
  const urlOf = (key: string, method: 'GET' | 'PUT'): string => {
    const id = `${method} ${key}`;
    let url = urls.get(id);
    if (!url) urls.set(id, (url = floorUrl(server, bucket, key, method)));
    return url;
  };
  const s3 = s3laneClient(server, { bucket });
  const s3Unsigned = s3laneClient(server, { bucket, payloadSigning: 'unsigned' });
  const aws = awsClient(server);
  const minio = minioClient(server);
  const lean = leanClient(server, bucket);
  // The floor's two requests: the rows below that add a computation call these after it.
  const floorPut = async (key: string, body: Uint8Array): Promise<void> => {
    const response = await request(urlOf(key, 'PUT'), { method: 'PUT', body, dispatcher: floor });
    await response.body.dump();
  };
  const floorGet = async (key: string): Promise<number> => {
    const response = await request(urlOf(key, 'GET'), { dispatcher: floor });
    return (await response.body.bytes()).byteLength;
  };
  return [
    { name: 'undici (floor)', put: floorPut, get: floorGet, close: () => floor.close() },
    {
      // s3lane's 'auto' signing sends an in-memory body's SHA-256, which the floor does not compute:
      // this row is the floor plus that hash, what a PUT that signs its payload cannot go below.
      name: 'undici + SHA-256',
      put(key, body) {
        createHash('sha256').update(body).digest('hex');
        return floorPut(key, body);
      },
      close: async () => undefined,
    },
    {
      // The floor plus the least any signer computes per request once its key is cached (bench/sign.ts's
      // crypto floor): one SHA-256 of a canonical request and one HMAC. The URL stays presigned, so
      // this row pays the signature's crypto without sending it; what s3lane spends above it is the
      // client's own work.
      name: 'undici + SigV4 crypto',
      put(key, body) {
        signatureCrypto();
        return floorPut(key, body);
      },
      get(key) {
        signatureCrypto();
        return floorGet(key);
      },
      close: async () => undefined,
    },
    {
      name: 's3lane',
      put: (key, body) => s3.put({ key, body }),
      get: async (key) => (await (await s3.get({ key })).bytes()).byteLength,
      close: () => s3.close(),
    },
    {
      // The same PUT without the payload's hash: what the signing costs beside what the floor does.
      name: "s3lane 'unsigned'",
      put: (key, body) => s3Unsigned.put({ key, body }),
      close: () => s3Unsigned.close(),
    },
    {
      name: 'aws-sdk',
      put: (key, body) => aws.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body })),
      async get(key) {
        const object = await aws.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return (await object.Body!.transformToByteArray()).byteLength;
      },
      close: async () => aws.destroy(),
    },
    {
      name: 'minio',
      put: (key, body) => minio.putObject(bucket, key, Buffer.from(body.buffer, body.byteOffset, body.byteLength), body.byteLength),
      get: async (key) => collect(await minio.getObject(bucket, key)),
      close: async () => undefined,
    },
    {
      name: 'lean-s3',
      put: (key, body) => lean.file(key).write(body),
      get: async (key) => (await lean.file(key).bytes()).byteLength,
      close: async () => undefined,
    },
  ];
}
