/** Bucket operations: CreateBucket, DeleteBucket, HeadBucket. */
import { bytesBody } from './body.js';
import type { CallOptions } from './deadline.js';
import { S3Error } from './errors.js';
import { readHead, type RequestPipeline } from './pipeline.js';
import { buildCreateBucketConfiguration } from './xml.js';

export interface BucketInput extends CallOptions {
  bucket?: string;
  signal?: AbortSignal;
}

export async function createBucket(pipeline: RequestPipeline, bucket: string, input: BucketInput): Promise<void> {
  // Outside us-east-1, S3 needs the region in the body, else the bucket is made in us-east-1.
  const configuration = buildCreateBucketConfiguration(pipeline.regionFor(bucket));
  await pipeline.send(
    {
      method: 'PUT',
      bucket,
      body: configuration ? bytesBody(new TextEncoder().encode(configuration)) : undefined,
      payloadSigning: 'sha256',
      signal: input.signal,
    },
    readHead,
  );
}

export async function deleteBucket(pipeline: RequestPipeline, bucket: string, input: BucketInput): Promise<void> {
  await pipeline.send({ method: 'DELETE', bucket, signal: input.signal }, readHead);
}

/** True when the bucket exists; false on 404. Other answers (403: someone else's bucket) throw. */
export async function bucketExists(pipeline: RequestPipeline, bucket: string, input: BucketInput): Promise<boolean> {
  try {
    await pipeline.send({ method: 'HEAD', bucket, signal: input.signal }, readHead);
    return true;
  } catch (error) {
    if (error instanceof S3Error && (error.code === 'NotFound' || error.code === 'NoSuchBucket')) return false;
    throw error;
  }
}
