/**
 * The clients bench/transfer.ts compares, each set up as its documentation shows for a path-style
 * endpoint, and the raw-undici floor: undici sending to a presigned URL signed once up front
 * (UNSIGNED-PAYLOAD), so it does the least any client must do per request.
 */
import { S3Client as LeanS3Client } from 'lean-s3';
import { Client as MinioClient } from 'minio';
import { Agent } from 'undici';
import { S3Client, type S3ClientOptions } from '../../src/index.js';
import { referenceClient } from './scratch-bucket.js';
import type { S3Env } from './s3-env.js';

export function s3laneClient(server: S3Env, options: S3ClientOptions = {}): S3Client {
  return new S3Client({
    endpoint: server.endpoint,
    region: server.region,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    forcePathStyle: true,
    ...options,
  });
}

/** The AWS SDK, set up as the benches' reference client (scratch-bucket.ts). */
export { referenceClient as awsClient };

export function minioClient(server: S3Env): MinioClient {
  const url = new URL(server.endpoint);
  return new MinioClient({
    endPoint: url.hostname,
    port: Number(url.port),
    useSSL: url.protocol === 'https:',
    accessKey: server.accessKeyId,
    secretKey: server.secretAccessKey,
    region: server.region,
    pathStyle: true,
  });
}

export function leanClient(server: S3Env, bucket: string): LeanS3Client {
  return new LeanS3Client({
    endpoint: server.endpoint,
    region: server.region,
    bucket,
    accessKeyId: server.accessKeyId,
    secretAccessKey: server.secretAccessKey,
  });
}

/** The floor's connection pool: the same settings as s3lane's own Agent. */
export function floorAgent(): Agent {
  return new Agent({ connections: 64, keepAliveTimeout: 4_000 });
}

/** A presigned URL for the floor, valid for the whole run (signing is not part of the floor's cost). */
export function floorUrl(server: S3Env, bucket: string, key: string, method: 'GET' | 'PUT'): string {
  return s3laneClient(server).presignSync({ bucket, key, method, expiresIn: 7 * 24 * 3600 });
}
