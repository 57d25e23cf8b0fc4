/**
 * Throw-away buckets for benchmarks, handled with the AWS SDK as an independent reference client:
 * the client under test never checks its own work.
 */
import { randomBytes } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListMultipartUploadsCommand,
  S3Client,
  paginateListObjectsV2,
} from '@aws-sdk/client-s3';
import type { S3Env } from './s3-env.js';

export function referenceClient(env: S3Env): S3Client {
  // Silence the SDK's "Node 20 support ends" notice in benchmark output (children inherit this).
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  return new S3Client({
    endpoint: env.endpoint,
    region: env.region,
    credentials: { accessKeyId: env.accessKeyId, secretAccessKey: env.secretAccessKey },
    forcePathStyle: true,
    // Ceph RGW answers the SDK's default CRC32 trailer (STREAMING-UNSIGNED-PAYLOAD-TRAILER) with 411.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** Creates a bucket named `<prefix>-<random>` (lower-cased, cut to S3's 63 characters). */
export async function createScratchBucket(s3: S3Client, prefix: string): Promise<string> {
  const suffix = randomBytes(4).toString('hex');
  const base = prefix.toLowerCase().replace(/[^a-z0-9-]+/g, '-').slice(0, 63 - suffix.length - 1);
  const bucket = `${base}-${suffix}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

/** Every object's size by key. */
export async function listSizes(s3: S3Client, bucket: string): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket })) {
    for (const object of page.Contents ?? []) {
      if (object.Key !== undefined) sizes.set(object.Key, object.Size ?? -1);
    }
  }
  return sizes;
}

/** Aborts unfinished multipart uploads, deletes every object, then the bucket: frees the server's memory. */
export async function destroyBucket(s3: S3Client, bucket: string): Promise<void> {
  const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  for (const upload of uploads.Uploads ?? []) {
    await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: upload.Key, UploadId: upload.UploadId }));
  }
  const keys = [...(await listSizes(s3, bucket)).keys()];
  for (let i = 0; i < keys.length; i += 1000) {
    const batch = keys.slice(i, i + 1000).map((Key) => ({ Key }));
    const result = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch, Quiet: true } }));
    const failed = result.Errors ?? [];
    if (failed.length > 0) throw new Error(`could not delete ${failed.length} objects from ${bucket}: ${failed[0]?.Code}`);
  }
  await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
}
