/** Bucket operations: ListBuckets, CreateBucket, DeleteBucket, HeadBucket, the bucket's region. */
import { aclHeaders, type CannedAcl } from '../acl.js';
import { bytesBody } from '../body.js';
import { S3ConfigError } from '../config-error.js';
import type { CallOptions } from '../deadline.js';
import { S3Error } from '../errors.js';
import { headerValue, readHead, readText, type RequestPipeline } from '../pipeline.js';
import { buildCreateBucketConfiguration, parseListBuckets, parseLocationConstraint, type BucketSummary } from '../xml.js';

export type { BucketSummary };

export interface ListBucketsInput extends CallOptions {
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
    const { text } = await pipeline.send({ method: 'GET', query, signal }, readText);
    const page = parseListBuckets(text);
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
    const response = await pipeline.send({ method: 'HEAD', bucket, signal: input.signal }, readHead);
    const region = headerValue(response.headers, 'x-amz-bucket-region');
    if (region) return region;
  } catch (error) {
    if (!(error instanceof S3Error) || !error.region) throw error;
    return error.region;
  }
  const { text } = await pipeline.send({ method: 'GET', bucket, query: { location: '' }, signal: input.signal }, readText);
  return parseLocationConstraint(text);
}

export interface BucketInput extends CallOptions {
  bucket?: string;
  signal?: AbortSignal;
}

export interface CreateBucketInput extends BucketInput {
  /** A canned ACL for the bucket, e.g. 'private'. */
  acl?: CannedAcl;
  /**
   * Where to create it (sent as LocationConstraint unless us-east-1). Default: the client's region.
   * On Ceph RGW it names a zonegroup (its api_name).
   */
  region?: string;
}

export async function createBucket(pipeline: RequestPipeline, bucket: string, input: CreateBucketInput): Promise<void> {
  if (input.region !== undefined && (typeof input.region !== 'string' || !/^[a-z0-9-]+$/i.test(input.region))) {
    throw new S3ConfigError('InvalidRegion', `region must be a region name such as 'eu-west-1', got ${JSON.stringify(String(input.region))}.`);
  }
  // Outside us-east-1, S3 needs the region in the body, else the bucket is made in us-east-1.
  const configuration = buildCreateBucketConfiguration(input.region ?? pipeline.regionFor(bucket));
  await pipeline.send(
    {
      method: 'PUT',
      bucket,
      headers: aclHeaders(input.acl),
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
