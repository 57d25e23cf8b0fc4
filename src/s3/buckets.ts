/** Bucket operations: ListBuckets, CreateBucket, DeleteBucket, HeadBucket, the bucket's region. */
import { bytesBody } from './body.js';
import { S3Error } from './errors.js';
import { headerValue, type RequestPipeline } from './pipeline.js';
import { buildCreateBucketConfiguration, parseListBuckets, parseLocationConstraint, type BucketSummary } from './xml.js';

export type { BucketSummary };

export interface ListBucketsInput {
  /** Only buckets whose names start with this. */
  prefix?: string;
  signal?: AbortSignal;
}

/**
 * Every bucket the credentials own, following continuation tokens (AWS pages ListBuckets since
 * 2024; older stores answer everything at once). Stores that ignore `prefix` (Ceph RGW 16) are
 * filtered here, so the result is the same everywhere.
 */
export async function listBuckets(pipeline: RequestPipeline, input: ListBucketsInput): Promise<BucketSummary[]> {
  const { prefix, signal } = input;
  const buckets: BucketSummary[] = [];
  let continuationToken: string | undefined;
  do {
    const query: Record<string, string> = {};
    if (prefix) query['prefix'] = prefix;
    if (continuationToken) query['continuation-token'] = continuationToken;
    const response = await pipeline.send({ method: 'GET', query, signal });
    const page = parseListBuckets(await response.body.text());
    buckets.push(...(prefix ? page.buckets.filter((b) => b.name.startsWith(prefix)) : page.buckets));
    // A server that hands back the token it was given would loop forever.
    continuationToken = page.continuationToken !== continuationToken ? page.continuationToken : undefined;
  } while (continuationToken);
  return buckets;
}

/**
 * The bucket's region: the `x-amz-bucket-region` header of a HEAD (AWS, MinIO; sent even with a
 * 301 or 403), else GetBucketLocation, which stores without the header (Ceph RGW) answer.
 */
export async function bucketRegion(pipeline: RequestPipeline, bucket: string, input: BucketInput): Promise<string> {
  try {
    const response = await pipeline.send({ method: 'HEAD', bucket, signal: input.signal });
    await response.body.dump();
    const region = headerValue(response.headers, 'x-amz-bucket-region');
    if (region) return region;
  } catch (error) {
    if (!(error instanceof S3Error) || !error.region) throw error;
    return error.region;
  }
  const response = await pipeline.send({ method: 'GET', bucket, query: { location: '' }, signal: input.signal });
  return parseLocationConstraint(await response.body.text());
}

export interface BucketInput {
  bucket?: string;
  signal?: AbortSignal;
}

export async function createBucket(pipeline: RequestPipeline, bucket: string, input: BucketInput): Promise<void> {
  // Outside us-east-1, S3 needs the region in the body, else the bucket is made in us-east-1.
  const configuration = buildCreateBucketConfiguration(pipeline.regionFor(bucket));
  const response = await pipeline.send({
    method: 'PUT',
    bucket,
    body: configuration ? bytesBody(new TextEncoder().encode(configuration)) : undefined,
    payloadSigning: 'sha256',
    signal: input.signal,
  });
  await response.body.dump();
}

export async function deleteBucket(pipeline: RequestPipeline, bucket: string, input: BucketInput): Promise<void> {
  const response = await pipeline.send({ method: 'DELETE', bucket, signal: input.signal });
  await response.body.dump();
}

/** True when the bucket exists; false on 404. Other answers (403: someone else's bucket) throw. */
export async function bucketExists(pipeline: RequestPipeline, bucket: string, input: BucketInput): Promise<boolean> {
  try {
    const response = await pipeline.send({ method: 'HEAD', bucket, signal: input.signal });
    await response.body.dump();
    return true;
  } catch (error) {
    if (error instanceof S3Error && (error.code === 'NotFound' || error.code === 'NoSuchBucket')) return false;
    throw error;
  }
}
