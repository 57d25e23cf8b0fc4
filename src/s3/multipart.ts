/**
 * The multipart upload API, one function per S3 operation: Create, UploadPart, Complete, Abort,
 * ListMultipartUploads. The orchestration (part sizes, parallelism, clean-up) lives in upload.ts.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html
 */
import { bytesBody, type PreparedBody } from './body.js';
import { S3Error } from './errors.js';
import { headObject } from './objects.js';
import { headerValue, type RequestPipeline } from './pipeline.js';
import {
  buildCompleteMultipartUpload,
  MAX_PART_NUMBER,
  parseCompleteMultipartUpload,
  parseInitiateMultipartUpload,
  parseListMultipartUploads,
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

export async function createMultipartUpload(
  pipeline: RequestPipeline,
  bucket: string,
  key: string,
  headers: Record<string, string>,
  signal?: AbortSignal,
): Promise<MultipartTarget> {
  const response = await pipeline.send({ method: 'POST', bucket, key, query: { uploads: '' }, headers, signal });
  const { uploadId } = parseInitiateMultipartUpload(await response.body.text());
  return { bucket, key, uploadId };
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
  // buildCompleteMultipartUpload sorts the parts by number, as S3 requires.
  const xml = new TextEncoder().encode(buildCompleteMultipartUpload(parts));
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
export async function abortMultipartUpload(pipeline: RequestPipeline, target: MultipartTarget): Promise<void> {
  try {
    const response = await pipeline.send({
      method: 'DELETE',
      bucket: target.bucket,
      key: target.key,
      query: { uploadId: target.uploadId },
    });
    await response.body.dump();
  } catch (error) {
    if (error instanceof S3Error && error.code === 'NoSuchUpload') return;
    throw error;
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
