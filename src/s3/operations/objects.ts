/**
 * Single-object operations: PutObject, GetObject, HeadObject, DeleteObject, CopyObject.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_Operations_Amazon_Simple_Storage_Service.html
 */
import type { Readable } from 'node:stream';
import { prepareBody, type BodyInput, type PreparedBody } from '../body.js';
import { uriEncode } from '../../signer/index.js';
import type { CallOptions } from '../deadline.js';
import { checksumHeader, type ChecksumAlgorithm } from '../checksum/index.js';
import { ChecksumCheck, checksumOfBody, verifiable } from '../checksum/stream.js';
import { encodeKey, S3ConfigError } from '../endpoint.js';
import { S3Error } from '../errors.js';
import {
  checksumFromHeaders,
  conditionHeaders,
  objectHeaders,
  objectInfo,
  type Conditions,
  type Metadata,
  type ObjectHeaderOptions,
  type ObjectInfo,
} from '../headers.js';
import { headerValue, keepBody, readCheckedText, readHead, type RequestPipeline, type S3Response } from '../pipeline.js';
import { sseCustomerHeaders, type SseCustomerKey } from '../sse.js';
import { ResponseBody } from '../response-body.js';
import { changedOr, ResumableRead, type ReadSpan } from '../resumable-read.js';
import { parseCopyObjectResult } from '../xml.js';

export interface ObjectRef {
  bucket?: string;
  key: string;
}

export interface PutInput extends ObjectRef, ObjectHeaderOptions, CallOptions {
  body?: BodyInput;
  /** Required for streams whose length cannot be read (not needed for bytes, strings, Blobs, fs.ReadStream). */
  contentLength?: number;
  /** '*' makes the PUT fail with 412 if the key already exists (create-only). */
  ifNoneMatch?: string;
  ifMatch?: string;
  signal?: AbortSignal;
}

export interface PutOutput {
  etag: string;
  versionId: string | undefined;
}

export async function putObject(pipeline: RequestPipeline, bucket: string, input: PutInput): Promise<PutOutput> {
  const headers = Object.assign(objectHeaders(input), conditionHeaders(input));
  const body = await prepareBody(input.body, input.contentLength);
  return putBody(pipeline, bucket, input.key, headers, body, input.checksum, input.signal);
}

/**
 * The PutObject request itself, shared by put() and by upload() for objects below the part size.
 * With `checksum`, the body's checksum goes in `x-amz-checksum-<algorithm>`, for S3 to verify.
 */
export async function putBody(
  pipeline: RequestPipeline,
  bucket: string,
  key: string,
  headers: Record<string, string>,
  body: PreparedBody,
  checksum: ChecksumAlgorithm | undefined,
  signal?: AbortSignal,
): Promise<PutOutput> {
  const sent = checksum ? { ...headers, [checksumHeader(checksum)]: await checksumOfBody(body, checksum) } : headers;
  const response = await pipeline.send({ method: 'PUT', bucket, key, headers: sent, body, signal }, readHead);
  return { etag: headerValue(response.headers, 'etag') ?? '', versionId: headerValue(response.headers, 'x-amz-version-id') };
}

/** Inclusive byte ranges, as HTTP counts them: `{ start: 0, end: 9 }` is the first ten bytes. */
export type ByteRange = { start: number; end?: number } | { suffix: number };

export function rangeHeader(range: ByteRange): string {
  const isByteOffset = (n: number | undefined): boolean => n === undefined || (Number.isSafeInteger(n) && n >= 0);
  if ('suffix' in range) {
    if (!Number.isSafeInteger(range.suffix) || range.suffix <= 0) {
      throw new S3ConfigError('InvalidRange', `range.suffix must be a positive integer, got ${String(range.suffix)}.`);
    }
    return `bytes=-${range.suffix}`;
  }
  if (!isByteOffset(range.start) || !isByteOffset(range.end) || (range.end !== undefined && range.end < range.start)) {
    throw new S3ConfigError(
      'InvalidRange',
      `range must have integers 0 <= start <= end, got start=${String(range.start)} end=${String(range.end)}.`,
    );
  }
  return `bytes=${range.start}-${range.end ?? ''}`;
}

/** Options of the calls that read an object (get, head, download). */
export interface ReadOptions {
  /** The SSE-C key the object was written with. */
  sseCustomerKey?: SseCustomerKey;
  /**
   * Ask for the stored checksum (`x-amz-checksum-mode: ENABLED`, reported in `checksum`), and with
   * get() and download() verify the bytes against it: a mismatch fails the read with S3Error
   * 'ChecksumMismatch' instead of a clean end. Only whole-object checksums can be verified (not a
   * range, not a COMPOSITE multipart checksum); a store that keeps none (Ceph RGW 16) reports none.
   */
  checksum?: boolean;
}

export interface GetInput extends ObjectRef, Conditions, ReadOptions, CallOptions {
  range?: ByteRange;
  /**
   * Connections to read the object over (default 1). Above 1, an object larger than `partSize` is
   * read as ranges in parallel, all pinned to the first answer's ETag (a replaced object fails the
   * read with S3Error 'ObjectChanged'), each retried on its own. download() writes each range at
   * its offset; get() hands them on in order, holding at most `concurrency x partSize` bytes.
   * (ranged-download.ts)
   * Not combined with `range`.
   * @example await s3.download({ key: 'big.iso', file: '/tmp/big.iso', concurrency: 8 });
   */
  concurrency?: number;
  /** Bytes per range when `concurrency` > 1 (default 8 MiB; at least 64 KiB). */
  partSize?: number;
  versionId?: string;
  signal?: AbortSignal;
}

function readHeaders(input: Conditions & ReadOptions): Record<string, string> {
  const headers = conditionHeaders(input);
  if (input.sseCustomerKey !== undefined) Object.assign(headers, sseCustomerHeaders(input.sseCustomerKey));
  if (input.checksum) headers['x-amz-checksum-mode'] = 'ENABLED';
  return headers;
}

/** The check of a GET's bytes, when asked for and possible (see ReadOptions.checksum). */
export function checksumCheckFor(response: S3Response, bucket: string, input: GetInput): ChecksumCheck | undefined {
  if (!input.checksum) return undefined;
  const expected = checksumFromHeaders(response.headers);
  if (!verifiable(expected, input.range !== undefined || response.statusCode === 206)) return undefined;
  return new ChecksumCheck({ expected, bucket, key: input.key, statusCode: response.statusCode });
}
export interface GetOutput extends ObjectInfo {
  /** The bytes, streamed. Read it, or call `cancel()`, to give the connection back. */
  readonly body: ReadableStream<Uint8Array>;
  /** The same bytes as a Node stream (take one of body, nodeStream, bytes(), text(), json()). */
  readonly nodeStream: Readable;
  /** `bytes a-b/total` for ranged reads. */
  contentRange: string | undefined;
  bytes(): Promise<Uint8Array>;
  text(): Promise<string>;
  json<T = unknown>(): Promise<T>;
  cancel(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** The GetObject request; its body is left for the caller to read (see openObjectRead). */
export async function sendGetObject(pipeline: RequestPipeline, bucket: string, input: GetInput): Promise<S3Response> {
  const headers = readHeaders(input);
  if (input.range) headers['range'] = rangeHeader(input.range);
  const query = input.versionId ? { versionId: input.versionId } : undefined;
  return pipeline.send({ method: 'GET', bucket, key: input.key, headers, query, signal: input.signal }, keepBody);
}

/**
 * GetObject with a body that resumes after a network failure: shared by get(), download() and any
 * ranged reader. `resumeFrom` continues an earlier read of the same version (download's .part file).
 */
export async function openObjectRead(
  pipeline: RequestPipeline,
  bucket: string,
  input: GetInput,
  resumeFrom?: { offset: number; span: ReadSpan },
): Promise<{ response: S3Response; body: ResumableRead }> {
  const again = (from: number, span: ReadSpan, signal: AbortSignal | undefined): Promise<S3Response> =>
    sendGetObject(pipeline, bucket, {
      key: input.key,
      versionId: input.versionId,
      sseCustomerKey: input.sseCustomerKey,
      range: { start: from, end: span.end },
      ifMatch: span.etag,
      signal,
    }).catch((error: unknown) => {
      throw changedOr(error, bucket, input.key, span);
    });
  const response = resumeFrom
    ? await again(resumeFrom.offset, resumeFrom.span, input.signal)
    : await sendGetObject(pipeline, bucket, input);
  const body = new ResumableRead(response, {
    retry: pipeline.settings.retry,
    reopen: again,
    signal: input.signal,
    bucket,
    key: input.key,
  });
  return { response, body };
}

export async function getObject(pipeline: RequestPipeline, bucket: string, input: GetInput): Promise<GetOutput> {
  const { response, body } = await openObjectRead(pipeline, bucket, input);
  return getResult(response.headers, body, headerValue(response.headers, 'content-range'), checksumCheckFor(response, bucket, input));
}

/** The caller's view of a GET's answer (also built by the parallel reader, ranged-download.ts). */
export function getResult(headers: S3Response['headers'], body: Readable, contentRange: string | undefined, check?: ChecksumCheck): GetOutput {
  return new GetResult(headers, body, contentRange, check);
}

/**
 * A GET's answer: the object's headers and its body. A class rather than an object literal with a
 * closure per method: a small GET spent a visible share of its CPU building the literal.
 */
class GetResult extends ResponseBody implements GetOutput {
  contentLength: number;
  contentType: string | undefined;
  etag: string | undefined;
  lastModified: Date | undefined;
  versionId: string | undefined;
  cacheControl: string | undefined;
  contentDisposition: string | undefined;
  contentEncoding: string | undefined;
  storageClass: string | undefined;
  metadata: Metadata;
  sse: ObjectInfo['sse'];
  sseKmsKeyId: string | undefined;
  checksum: ObjectInfo['checksum'];
  tagCount: number | undefined;
  contentRange: string | undefined;

  constructor(headers: S3Response['headers'], body: Readable, contentRange: string | undefined, check: ChecksumCheck | undefined) {
    super(body, check);
    const info = objectInfo(headers);
    this.contentLength = info.contentLength;
    this.contentType = info.contentType;
    this.etag = info.etag;
    this.lastModified = info.lastModified;
    this.versionId = info.versionId;
    this.cacheControl = info.cacheControl;
    this.contentDisposition = info.contentDisposition;
    this.contentEncoding = info.contentEncoding;
    this.storageClass = info.storageClass;
    this.metadata = info.metadata;
    this.sse = info.sse;
    this.sseKmsKeyId = info.sseKmsKeyId;
    this.checksum = info.checksum;
    this.tagCount = info.tagCount;
    this.contentRange = contentRange;
  }
}

export interface HeadInput extends ObjectRef, Conditions, ReadOptions, CallOptions {
  versionId?: string;
  signal?: AbortSignal;
}

export async function headObject(pipeline: RequestPipeline, bucket: string, input: HeadInput): Promise<ObjectInfo> {
  const query = input.versionId ? { versionId: input.versionId } : undefined;
  const response = await pipeline.send(
    { method: 'HEAD', bucket, key: input.key, headers: readHeaders(input), query, signal: input.signal },
    readHead,
  );
  return objectInfo(response.headers);
}

export async function objectExists(pipeline: RequestPipeline, bucket: string, input: HeadInput): Promise<boolean> {
  try {
    await headObject(pipeline, bucket, input);
    return true;
  } catch (error) {
    if (error instanceof S3Error && (error.code === 'NotFound' || error.code === 'NoSuchKey')) return false;
    throw error;
  }
}

export interface DeleteInput extends ObjectRef, CallOptions {
  versionId?: string;
  signal?: AbortSignal;
}

export interface DeleteOutput {
  versionId: string | undefined;
  deleteMarker: boolean;
}

/** Deleting a key that does not exist succeeds, as in S3 itself. */
export async function deleteObject(pipeline: RequestPipeline, bucket: string, input: DeleteInput): Promise<DeleteOutput> {
  const query = input.versionId ? { versionId: input.versionId } : undefined;
  const response = await pipeline.send({ method: 'DELETE', bucket, key: input.key, query, signal: input.signal }, readHead);
  return {
    versionId: headerValue(response.headers, 'x-amz-version-id'),
    deleteMarker: headerValue(response.headers, 'x-amz-delete-marker') === 'true',
  };
}

export interface CopyInput extends ObjectHeaderOptions, CallOptions {
  from: ObjectRef & { versionId?: string };
  to: ObjectRef;
  /** Copy only if the source still matches this ETag. */
  ifMatch?: string;
  /** The SSE-C key the source was written with (`sseCustomerKey` encrypts the copy). */
  sourceSseCustomerKey?: SseCustomerKey;
  signal?: AbortSignal;
}

/** Options that replace the source's metadata and content headers (else the copy keeps them). */
const REPLACING_OPTIONS = ['contentType', 'cacheControl', 'contentDisposition', 'contentEncoding', 'contentLanguage', 'expires', 'metadata'] as const;

/** ETags as S3 sends them in headers, quoted; Ceph RGW leaves the quotes off in XML bodies. */
export function quotedEtag(etag: string): string {
  return etag === '' || etag.startsWith('"') || etag.startsWith('W/"') ? etag : `"${etag}"`;
}

export interface CopyOutput {
  etag: string;
  lastModified: Date | undefined;
  versionId: string | undefined;
}

/**
 * CopyObject. Given metadata or content headers, the copy gets them (REPLACE); otherwise it keeps
 * the source's. A single CopyObject handles sources up to 5 GiB.
 */
export async function copyObject(
  pipeline: RequestPipeline,
  fromBucket: string,
  toBucket: string,
  input: CopyInput,
): Promise<CopyOutput> {
  const headers = { ...objectHeaders(input), ...sseCustomerHeaders(input.sourceSseCustomerKey, 'x-amz-copy-source-', 'sourceSseCustomerKey') };
  let source = `/${fromBucket}/${encodeKey(input.from.key)}`;
  if (input.from.versionId) source += `?versionId=${uriEncode(input.from.versionId, true)}`;
  headers['x-amz-copy-source'] = source;
  if (REPLACING_OPTIONS.some((name) => input[name] !== undefined)) headers['x-amz-metadata-directive'] = 'REPLACE';
  if (input.tags !== undefined) headers['x-amz-tagging-directive'] = 'REPLACE';
  // The copy's bytes never pass through the client: S3 computes the copy's checksum itself.
  if (input.checksum !== undefined) headers['x-amz-checksum-algorithm'] = input.checksum;
  if (input.ifMatch !== undefined) headers['x-amz-copy-source-if-match'] = input.ifMatch;
  const response = await pipeline.send({ method: 'PUT', bucket: toBucket, key: input.to.key, headers, signal: input.signal }, readCheckedText);
  const result = parseCopyObjectResult(response.text);
  // The pipeline has turned an <Error> body into an S3Error already; this cannot happen.
  if ('error' in result) throw new Error('CopyObject: unexpected <Error> body');
  return {
    etag: quotedEtag(result.etag),
    lastModified: result.lastModified,
    versionId: headerValue(response.headers, 'x-amz-version-id'),
  };
}
