/**
 * The multipart upload API, one function per S3 operation: Create, UploadPart, ListParts, Complete,
 * Abort, ListMultipartUploads. They are public (S3Client.createMultipartUpload …) for services that
 * move the bytes themselves or hand presigned part URLs to a browser, and the same functions carry
 * upload()'s parts. The orchestration (part sizes, parallelism, clean-up) lives in upload.ts.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html
 */
import { bytesBody, prepareBody, type BodyInput, type PreparedBody } from './body.js';
import { S3ConfigError } from './config-error.js';
import { S3Error } from './errors.js';
import { objectHeaders, type ObjectHeaderOptions } from './headers.js';
import { headObject } from './objects.js';
import { headerValue, type RequestPipeline } from './pipeline.js';
import {
  buildCompleteMultipartUpload,
  MAX_PART_NUMBER,
  parseCompleteMultipartUpload,
  parseInitiateMultipartUpload,
  parseListMultipartUploads,
  parseListParts,
  type PartSummary,
} from './xml.js';

export interface MultipartTarget {
  readonly bucket: string;
  readonly key: string;
  readonly uploadId: string;
}

export interface CompletedPart {
  readonly partNumber: number;
  readonly etag: string;
}

/** S3's limits: https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html */
export const MULTIPART_LIMITS = {
  minPartSize: 5 * 1024 * 1024,
  maxPartSize: 5 * 1024 * 1024 * 1024,
  maxParts: MAX_PART_NUMBER,
  maxObjectSize: 5 * 1024 ** 4,
} as const;

/** A multipart upload in progress, as the public calls name it (the bucket defaults to the client's). */
export interface MultipartRef {
  bucket?: string;
  key: string;
  uploadId: string;
  signal?: AbortSignal;
}

export interface CreateMultipartUploadInput extends ObjectHeaderOptions {
  bucket?: string;
  key: string;
  signal?: AbortSignal;
}

/** CreateMultipartUpload: the object's headers (type, metadata …) are given here, not with the parts. */
export async function createMultipartUpload(
  pipeline: RequestPipeline,
  bucket: string,
  input: CreateMultipartUploadInput,
): Promise<MultipartTarget> {
  const { key, signal } = input;
  const headers = objectHeaders(input);
  const response = await pipeline.send({ method: 'POST', bucket, key, query: { uploads: '' }, headers, signal });
  const { uploadId } = parseInitiateMultipartUpload(await response.body.text());
  return { bucket, key, uploadId };
}

export interface UploadPartInput extends MultipartRef {
  /** 1 … 10,000. Every part but the last must be at least 5 MiB. */
  partNumber: number;
  body: BodyInput;
  /** Required for streams whose length cannot be read. */
  contentLength?: number;
}

export function checkPartNumber(partNumber: unknown): void {
  if (!Number.isInteger(partNumber) || (partNumber as number) < 1 || (partNumber as number) > MAX_PART_NUMBER) {
    throw new S3ConfigError('InvalidPartNumber', `partNumber must be an integer from 1 to ${MAX_PART_NUMBER}, got ${String(partNumber)}.`);
  }
}

/** An uploadId as createMultipartUpload returned it: a non-empty string. */
export function checkUploadId(uploadId: unknown): string {
  if (typeof uploadId !== 'string' || uploadId === '') {
    throw new S3ConfigError('InvalidUploadId', 'uploadId must be the non-empty id createMultipartUpload returned.');
  }
  return uploadId;
}

/** The upload a public call names, checked. */
function targetOf(bucket: string, input: MultipartRef): MultipartTarget {
  return { bucket, key: input.key, uploadId: checkUploadId(input.uploadId) };
}

/** The public UploadPart: prepares the body, then sends it as upload() sends its parts. */
export async function uploadPartFrom(pipeline: RequestPipeline, bucket: string, input: UploadPartInput): Promise<CompletedPart> {
  const target = targetOf(bucket, input);
  checkPartNumber(input.partNumber);
  const body = await prepareBody(input.body, input.contentLength);
  return uploadPart(pipeline, target, input.partNumber, body, input.signal);
}

export async function uploadPart(
  pipeline: RequestPipeline,
  target: MultipartTarget,
  partNumber: number,
  body: PreparedBody,
  signal?: AbortSignal,
): Promise<CompletedPart> {
  const response = await pipeline.send({
    method: 'PUT',
    bucket: target.bucket,
    key: target.key,
    query: { partNumber: String(partNumber), uploadId: target.uploadId },
    body,
    signal,
  });
  await response.body.dump();
  const etag = headerValue(response.headers, 'etag');
  if (!etag) {
    throw new S3Error({
      code: 'MissingETag',
      serverMessage: `UploadPart ${partNumber} answered without an ETag; the part cannot be completed.`,
      method: 'PUT',
      statusCode: response.statusCode,
      bucket: target.bucket,
      key: target.key,
    });
  }
  return { partNumber, etag };
}

/**
 * Completes the upload. S3 may answer 200 and then report a failure in the body (the response is
 * streamed while the parts are assembled), so the body is checked for an <Error>. Ceph RGW answers
 * with an empty <ETag>: the ETag is then read with a HEAD.
 */
export async function completeMultipartUpload(
  pipeline: RequestPipeline,
  target: MultipartTarget,
  parts: readonly CompletedPart[],
  signal?: AbortSignal,
): Promise<{ etag: string; versionId: string | undefined }> {
  // buildCompleteMultipartUpload sorts the parts by number, as S3 requires, and checks them: a
  // caller's list (the public call) fails here, before anything is sent.
  let document: string;
  try {
    document = buildCompleteMultipartUpload(parts);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new S3ConfigError('InvalidParts', `completeMultipartUpload: ${error.message}.`);
  }
  const xml = new TextEncoder().encode(document);
  const response = await pipeline.send({
    method: 'POST',
    bucket: target.bucket,
    key: target.key,
    query: { uploadId: target.uploadId },
    headers: { 'content-type': 'application/xml' },
    body: bytesBody(xml),
    payloadSigning: 'sha256',
    errorInBody: true,
    signal,
  });
  const result = parseCompleteMultipartUpload(response.text ?? '');
  // The pipeline has turned an <Error> body into an S3Error (and retried it) already.
  if ('error' in result) throw new Error('CompleteMultipartUpload: unexpected <Error> body');
  const versionId = headerValue(response.headers, 'x-amz-version-id');
  if (result.etag) return { etag: result.etag, versionId };
  const info = await headObject(pipeline, target.bucket, { key: target.key, signal });
  return { etag: info.etag ?? '', versionId: versionId ?? info.versionId };
}

/** Aborts the upload so its parts stop taking space. An upload already gone (NoSuchUpload) is fine. */
export async function abortMultipartUpload(pipeline: RequestPipeline, target: MultipartTarget, signal?: AbortSignal): Promise<void> {
  try {
    const response = await pipeline.send({
      method: 'DELETE',
      bucket: target.bucket,
      key: target.key,
      query: { uploadId: target.uploadId },
      signal,
    });
    await response.body.dump();
  } catch (error) {
    if (error instanceof S3Error && error.code === 'NoSuchUpload') return;
    throw error;
  }
}

export type { PartSummary };

export interface CompleteMultipartUploadInput extends MultipartRef {
  /** Every part, with the ETag its upload answered; any order (they are sent sorted). */
  parts: readonly CompletedPart[];
}

export function completeMultipartUploadFrom(
  pipeline: RequestPipeline,
  bucket: string,
  input: CompleteMultipartUploadInput,
): Promise<{ etag: string; versionId: string | undefined }> {
  const target = targetOf(bucket, input);
  const parts: unknown = input.parts;
  if (!Array.isArray(parts) || parts.some((part: Partial<CompletedPart> | null) => typeof part?.etag !== 'string' || part.etag === '')) {
    throw new S3ConfigError('InvalidParts', 'parts must be a list of { partNumber, etag }, each with the ETag its uploadPart answered.');
  }
  return completeMultipartUpload(pipeline, target, input.parts, input.signal);
}

export function abortMultipartUploadFrom(pipeline: RequestPipeline, bucket: string, input: MultipartRef): Promise<void> {
  return abortMultipartUpload(pipeline, targetOf(bucket, input), input.signal);
}

/** Every part uploaded so far (all pages of ListParts), in part-number order. */
export async function listParts(pipeline: RequestPipeline, bucket: string, input: MultipartRef): Promise<PartSummary[]> {
  const { uploadId } = targetOf(bucket, input);
  const parts: PartSummary[] = [];
  let marker: number | undefined;
  for (;;) {
    const query: Record<string, string> = { uploadId };
    if (marker !== undefined) query['part-number-marker'] = String(marker);
    const response = await pipeline.send({ method: 'GET', bucket, key: input.key, query, signal: input.signal });
    const page = parseListParts(await response.body.text());
    parts.push(...page.parts);
    const next = page.nextPartNumberMarker;
    // A truncated page must move the marker on; a server that does not would loop forever.
    if (!page.isTruncated || next === undefined || next === marker) return parts;
    marker = next;
  }
}

export interface MultipartUploadInfo {
  key: string;
  uploadId: string;
  initiated: Date | undefined;
}

/** Every multipart upload in progress under `prefix` (all pages). */
export async function listMultipartUploads(
  pipeline: RequestPipeline,
  bucket: string,
  prefix?: string,
  signal?: AbortSignal,
): Promise<MultipartUploadInfo[]> {
  const uploads: MultipartUploadInfo[] = [];
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  for (;;) {
    const query: Record<string, string> = { uploads: '' };
    if (prefix) query['prefix'] = prefix;
    if (keyMarker) query['key-marker'] = keyMarker;
    if (uploadIdMarker) query['upload-id-marker'] = uploadIdMarker;
    const response = await pipeline.send({ method: 'GET', bucket, query, signal });
    const page = parseListMultipartUploads(await response.body.text());
    uploads.push(...page.uploads);
    // A truncated page must move the markers on; a server that does not would loop forever.
    const moved = page.nextKeyMarker !== keyMarker || page.nextUploadIdMarker !== uploadIdMarker;
    if (!page.isTruncated || !moved || page.nextKeyMarker === undefined) return uploads;
    keyMarker = page.nextKeyMarker;
    uploadIdMarker = page.nextUploadIdMarker;
  }
}
