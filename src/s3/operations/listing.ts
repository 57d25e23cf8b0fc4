/**
 * Listing (ListObjectsV2, every page) and bulk delete (DeleteObjects, 1000 keys a request).
 */
import { createHash } from 'node:crypto';
import { bytesBody } from '../body.js';
import type { CallOptions } from '../deadline.js';
import { readText, type RequestPipeline } from '../pipeline.js';
import { S3Error, S3NetworkError } from '../errors.js';
import { buildDeleteObjects, MAX_DELETE_KEYS, parseDeleteResult, parseListObjectsV2 } from '../xml.js';

export interface ListInput extends CallOptions {
  bucket?: string;
  prefix?: string;
  delimiter?: string;
  startAfter?: string;
  /** Keys per page, 1..1000 (S3's default and maximum is 1000). */
  pageSize?: number;
  signal?: AbortSignal;
}

export interface ListedObject {
  key: string;
  size: number;
  etag: string;
  lastModified: Date;
  storageClass: string | undefined;
}

export interface ListPage {
  objects: ListedObject[];
  /** With a delimiter: the "folders" at this level. */
  commonPrefixes: string[];
}

/** Every page of ListObjectsV2, following continuation tokens. */
export async function* listPages(pipeline: RequestPipeline, bucket: string, input: ListInput): AsyncGenerator<ListPage> {
  let continuationToken: string | undefined;
  do {
    const query: Record<string, string> = { 'list-type': '2', 'encoding-type': 'url' };
    if (input.prefix) query['prefix'] = input.prefix;
    if (input.delimiter) query['delimiter'] = input.delimiter;
    if (input.startAfter && !continuationToken) query['start-after'] = input.startAfter;
    if (input.pageSize) query['max-keys'] = String(input.pageSize);
    if (continuationToken) query['continuation-token'] = continuationToken;
    const { text } = await pipeline.send({ method: 'GET', bucket, query, signal: input.signal }, readText);
    const page = parseListObjectsV2(text);
    yield {
      objects: page.contents.map((item) => ({
        key: item.key,
        size: item.size,
        etag: item.etag,
        lastModified: item.lastModified,
        storageClass: item.storageClass,
      })),
      commonPrefixes: page.commonPrefixes,
    };
    continuationToken = page.isTruncated ? page.nextContinuationToken : undefined;
  } while (continuationToken);
}

/** Every object under the prefix, page after page. Use `listPages` for the common prefixes too. */
export async function* listObjects(pipeline: RequestPipeline, bucket: string, input: ListInput): AsyncGenerator<ListedObject> {
  for await (const page of listPages(pipeline, bucket, input)) yield* page.objects;
}

export interface DeleteManyInput extends CallOptions {
  bucket?: string;
  keys: Iterable<string>;
  signal?: AbortSignal;
}

export interface DeleteManyOutput {
  deleted: string[];
  errors: { key: string; code: string; message: string }[];
}

const encoder = new TextEncoder();
/** Batches in flight at once: enough to overlap round trips without flooding the store. */
const DELETE_CONCURRENCY = 4;

export async function deleteObjects(
  pipeline: RequestPipeline,
  bucket: string,
  input: DeleteManyInput,
): Promise<DeleteManyOutput> {
  const keys = [...input.keys];
  const batches: string[][] = [];
  for (let i = 0; i < keys.length; i += MAX_DELETE_KEYS) batches.push(keys.slice(i, i + MAX_DELETE_KEYS));
  const { default: pLimit } = await import('p-limit');
  const limit = pLimit(DELETE_CONCURRENCY);
  const results = await Promise.all(
    batches.map((batch) =>
      limit(async (): Promise<DeleteManyOutput> => {
        try {
          return await deleteBatch(pipeline, bucket, batch, input.signal);
        } catch (error) {
          // One failed request must not hide what the other batches did: its keys are reported
          // as not deleted, with the request's error, and the caller can retry exactly those.
          const code = error instanceof S3Error || error instanceof S3NetworkError ? error.code : 'RequestFailed';
          const message = error instanceof Error ? error.message : String(error);
          return { deleted: [], errors: batch.map((key) => ({ key, code, message })) };
        }
      }),
    ),
  );
  return { deleted: results.flatMap((r) => r.deleted), errors: results.flatMap((r) => r.errors) };
}

/** One DeleteObjects request (quiet mode) for at most 1000 keys. */
async function deleteBatch(
  pipeline: RequestPipeline,
  bucket: string,
  batch: string[],
  signal: AbortSignal | undefined,
): Promise<DeleteManyOutput> {
  const xml = encoder.encode(buildDeleteObjects(batch, true));
  // Content-MD5 is required by S3 for DeleteObjects (some stores reject the request without it).
  const md5 = createHash('md5').update(xml).digest('base64');
  const { text } = await pipeline.send(
    {
      method: 'POST',
      bucket,
      query: { delete: '' },
      headers: { 'content-md5': md5, 'content-type': 'application/xml' },
      body: bytesBody(xml),
      payloadSigning: 'sha256',
      signal,
    },
    readText,
  );
  const result = parseDeleteResult(text);
  // Quiet mode reports only failures: every other key of the batch was deleted.
  const failed = new Set(result.errors.map((error) => error.key));
  return { deleted: batch.filter((key) => !failed.has(key)), errors: result.errors };
}
