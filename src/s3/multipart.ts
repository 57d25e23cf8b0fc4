/**
 * The multipart upload API, one function per S3 operation: Create, UploadPart, Complete, Abort,
 * ListMultipartUploads. The orchestration (part sizes, parallelism, clean-up) lives in upload.ts.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html
 */
import { bytesBody, type PreparedBody } from './body.js';
import { createHash } from 'node:crypto';
import { S3Error, S3NetworkError } from './errors.js';
import { headObject } from './objects.js';
import { headerValue, readCheckedText, readHead, readText, type RequestPipeline, type ResponseHead } from './pipeline.js';
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
  /** Bytes in the part: lets a lost Complete be recognised by the object's size. */
  readonly size?: number;
}

/** Where uploads left by lost Create answers may be: this key, created between these times. */
export interface CreateWindow {
  readonly bucket: string;
  readonly key: string;
  /** The upload the client went on with (kept); undefined when Create failed altogether. */
  readonly uploadId: string | undefined;
  /** When the first Create attempt went out (server clock). */
  readonly requestedAt: Date;
  /** When the last attempt ended (server clock). */
  readonly answeredAt: Date;
}

/** An upload just created, and what is needed to find uploads that lost Create answers left behind. */
export interface CreatedUpload extends MultipartTarget, CreateWindow {
  readonly uploadId: string;
  /** True when an attempt failed after it may have reached the server: another upload may exist. */
  readonly mayHaveOrphans: boolean;
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
): Promise<CreatedUpload> {
  const requestedAt = pipeline.now();
  let mayHaveOrphans = false;
  let text: string;
  try {
    ({ text } = await pipeline.send(
      { method: 'POST', bucket, key, query: { uploads: '' }, headers, signal, onRetry: () => (mayHaveOrphans = true) },
      readText,
    ));
  } catch (error) {
    // Every attempt failed, but one that got no answer may have created an upload all the same.
    if (mayHaveOrphans || error instanceof S3NetworkError) {
      const window = { bucket, key, uploadId: undefined, requestedAt, answeredAt: pipeline.now() };
      await pipeline.cleanUp(() => sweepLostCreates(pipeline, window), signal);
    }
    throw error;
  }
  const { uploadId } = parseInitiateMultipartUpload(text);
  return { bucket, key, uploadId, requestedAt, answeredAt: pipeline.now(), mayHaveOrphans };
}

/**
 * Lets a server's clock and ours disagree a little (and `Initiated` is rounded): uploads this much
 * outside the window of our Create attempts are not ours.
 */
const INITIATED_SLACK_MS = 2_000;

/**
 * Aborts the multipart uploads of `window.key` that Create attempts without an answer left behind:
 * started within the window of this client's attempts, and not the one it used. Run once the upload
 * has ended (or Create has failed). Another writer creating an upload of the same key in the same
 * seconds is the one case this could mistake for ours: S3 gives no way to tell them apart. It is
 * clean-up, not the caller's result: a failure is logged, never thrown.
 */
export async function sweepLostCreates(pipeline: RequestPipeline, window: CreateWindow): Promise<void> {
  const from = window.requestedAt.getTime() - INITIATED_SLACK_MS;
  const to = window.answeredAt.getTime() + INITIATED_SLACK_MS;
  try {
    const uploads = await listMultipartUploads(pipeline, window.bucket, window.key);
    for (const upload of uploads) {
      const initiated = upload.initiated?.getTime();
      const lost = upload.key === window.key && upload.uploadId !== window.uploadId && initiated !== undefined && initiated >= from && initiated <= to;
      if (lost) await abortMultipartUpload(pipeline, { bucket: window.bucket, key: window.key, uploadId: upload.uploadId });
    }
  } catch (error) {
    pipeline.settings.logger?.debug(
      `s3lane: clearing multipart uploads of ${window.key} left by unanswered CreateMultipartUpload attempts failed (${String(error)}): listMultipartUploads shows them`,
    );
  }
}

export async function uploadPart(
  pipeline: RequestPipeline,
  target: MultipartTarget,
  partNumber: number,
  body: PreparedBody,
  signal?: AbortSignal,
): Promise<CompletedPart> {
  const response = await pipeline.send(
    {
      method: 'PUT',
      bucket: target.bucket,
      key: target.key,
      query: { partNumber: String(partNumber), uploadId: target.uploadId },
      body,
      signal,
    },
    readHead,
  );
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
  return { partNumber, etag, size: body.length };
}

/**
 * Completes the upload. S3 may answer 200 and then report a failure in the body (the response is
 * streamed while the parts are assembled), so the body is checked for an <Error>. Ceph RGW answers
 * with an empty <ETag>: the ETag is then read with a HEAD.
 *
 * Complete is idempotent and retried. When an attempt may have reached the server and its answer
 * was lost, a later failure (NoSuchUpload: the upload is gone because it was completed, or the
 * retries running out) is checked with a HEAD: an object with this upload's multipart ETag and size
 * is the one we completed, and that is success.
 */
export async function completeMultipartUpload(
  pipeline: RequestPipeline,
  target: MultipartTarget,
  parts: readonly CompletedPart[],
  signal?: AbortSignal,
): Promise<{ etag: string; versionId: string | undefined }> {
  // buildCompleteMultipartUpload sorts the parts by number, as S3 requires.
  const xml = new TextEncoder().encode(buildCompleteMultipartUpload(parts));
  let answerLost = false;
  let response: ResponseHead & { text: string };
  try {
    response = await pipeline.send(
      {
        method: 'POST',
        bucket: target.bucket,
        key: target.key,
        query: { uploadId: target.uploadId },
        headers: { 'content-type': 'application/xml' },
        body: bytesBody(xml),
        payloadSigning: 'sha256',
        signal,
        onRetry: () => (answerLost = true),
      },
      readCheckedText,
    );
  } catch (error) {
    // An attempt that got no answer (lost, timed out, cut short by the deadline) may have done the
    // work; only an answer from the server, with nothing lost before it, says for sure it did not.
    const mayBeDone = answerLost || error instanceof S3NetworkError;
    const done = mayBeDone ? await completedObject(pipeline, target, parts) : undefined;
    if (done) return done;
    throw error;
  }
  const result = parseCompleteMultipartUpload(response.text);
  // The pipeline has turned an <Error> body into an S3Error (and retried it) already.
  if ('error' in result) throw new Error('CompleteMultipartUpload: unexpected <Error> body');
  const versionId = headerValue(response.headers, 'x-amz-version-id');
  if (result.etag) return { etag: result.etag, versionId };
  const info = await headObject(pipeline, target.bucket, { key: target.key, signal });
  return { etag: info.etag ?? '', versionId: versionId ?? info.versionId };
}

/**
 * The object a lost Complete of this upload would have made, if it is there: its ETag ends in
 * `-<parts>` and its size is the parts' sum; when every part's ETag is an MD5, the whole multipart
 * ETag (MD5 of the parts' MD5s) must match too. Undefined when it is not, or cannot be told.
 */
async function completedObject(
  pipeline: RequestPipeline,
  target: MultipartTarget,
  parts: readonly CompletedPart[],
): Promise<{ etag: string; versionId: string | undefined } | undefined> {
  let info;
  try {
    info = await headObject(pipeline, target.bucket, { key: target.key });
  } catch {
    return undefined;
  }
  const etag = info.etag ?? '';
  const sizes = parts.map((part) => part.size);
  if (sizes.some((size) => size === undefined)) return undefined;
  const total = sizes.reduce<number>((sum, size) => sum + (size ?? 0), 0);
  if (info.contentLength !== total || !etag.endsWith(`-${parts.length}"`)) return undefined;
  const expected = multipartEtag(parts);
  if (expected !== undefined && expected !== etag) return undefined;
  return { etag, versionId: info.versionId };
}

/** S3's ETag of a completed multipart upload whose part ETags are MD5s: `"md5(md5_1 … md5_n)-n"`. */
export function multipartEtag(parts: readonly CompletedPart[]): string | undefined {
  const sorted = [...parts].sort((a, b) => a.partNumber - b.partNumber);
  const digests: Buffer[] = [];
  for (const part of sorted) {
    const hex = /^"?([0-9a-fA-F]{32})"?$/.exec(part.etag)?.[1];
    if (hex === undefined) return undefined;
    digests.push(Buffer.from(hex, 'hex'));
  }
  return `"${createHash('md5').update(Buffer.concat(digests)).digest('hex')}-${parts.length}"`;
}

/** Aborts the upload so its parts stop taking space. An upload already gone (NoSuchUpload) is fine. */
export async function abortMultipartUpload(pipeline: RequestPipeline, target: MultipartTarget): Promise<void> {
  try {
    await pipeline.send({ method: 'DELETE', bucket: target.bucket, key: target.key, query: { uploadId: target.uploadId } }, readHead);
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
    const { text } = await pipeline.send({ method: 'GET', bucket, query, signal }, readText);
    const page = parseListMultipartUploads(text);
    uploads.push(...page.uploads);
    // A truncated page must move the markers on; a server that does not would loop forever.
    const moved = page.nextKeyMarker !== keyMarker || page.nextUploadIdMarker !== uploadIdMarker;
    if (!page.isTruncated || !moved || page.nextKeyMarker === undefined) return uploads;
    keyMarker = page.nextKeyMarker;
    uploadIdMarker = page.nextUploadIdMarker;
  }
}
