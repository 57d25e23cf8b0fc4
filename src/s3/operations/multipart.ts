/**
 * The multipart upload API, one function per S3 operation: Create, UploadPart, ListParts, Complete,
 * Abort, ListMultipartUploads. They are public (S3Client.createMultipartUpload …) for services that
 * move the bytes themselves or hand presigned part URLs to a browser, and the same functions carry
 * upload()'s parts. The orchestration (part sizes, parallelism, clean-up) lives in upload.ts.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html
 */
import type { CallOptions } from '../deadline.js';
import { createHash } from 'node:crypto';
import { bytesBody, prepareBody, type BodyInput, type PreparedBody } from '../body.js';
import { checksumHeader, multipartChecksum, multipartChecksumType, type ChecksumAlgorithm } from '../checksum/index.js';
import { checksumOfBody } from '../checksum/stream.js';
import { S3ConfigError } from '../config-error.js';
import { S3Error, S3NetworkError } from '../errors.js';
import { checkChecksumAlgorithm, objectHeaders, type ObjectHeaderOptions } from '../headers.js';
import { headObject } from './objects.js';
import { headerValue, readCheckedText, readHead, readText, type RequestPipeline, type ResponseHead } from '../pipeline.js';
import { sseCustomerHeaders, type SseCustomerKey } from '../sse.js';
import {
  buildCompleteMultipartUpload,
  MAX_PART_NUMBER,
  parseCompleteMultipartUpload,
  parseInitiateMultipartUpload,
  parseListMultipartUploads,
  parseListParts,
  type PartSummary,
} from '../xml.js';

export interface MultipartTarget {
  readonly bucket: string;
  readonly key: string;
  readonly uploadId: string;
  /** SSE-C: every part is sent with the key (and the HEAD after Complete, on stores that need it). */
  readonly sseCustomerKey?: SseCustomerKey | undefined;
  /** Each part carries this checksum, and Complete lists them. */
  readonly checksum?: ChecksumAlgorithm | undefined;
}

export interface CompletedPart {
  readonly partNumber: number;
  readonly etag: string;
  /** The part's checksum (base64) in the upload's algorithm, when it has one. */
  readonly checksum?: string | undefined;
  /** Bytes in the part: lets a lost Complete be recognised by the object's size, and with CRC checksums Complete sends the whole object's. */
  readonly size?: number | undefined;
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

/** A multipart upload in progress, as the public calls name it (the bucket defaults to the client's). */
export interface MultipartRef extends CallOptions {
  bucket?: string;
  key: string;
  uploadId: string;
}

/** What the calls after Create must repeat: the SSE-C key, and the checksum algorithm, if the upload has them. */
export interface MultipartOptions {
  sseCustomerKey?: SseCustomerKey;
  checksum?: ChecksumAlgorithm;
}

export interface CreateMultipartUploadInput extends ObjectHeaderOptions, CallOptions {
  bucket?: string;
  key: string;
}

/**
 * CreateMultipartUpload: the object's headers (type, metadata, encryption, tags …) are given here,
 * not with the parts. With `checksum`, the upload's checksum type is FULL_OBJECT for CRCs and
 * COMPOSITE for SHA1/SHA256 (see multipartChecksumType).
 */
export async function createMultipartUpload(
  pipeline: RequestPipeline,
  bucket: string,
  input: CreateMultipartUploadInput,
): Promise<CreatedUpload> {
  const { key, signal, checksum, sseCustomerKey } = input;
  const headers = objectHeaders(input);
  if (checksum) {
    headers['x-amz-checksum-algorithm'] = checksum;
    headers['x-amz-checksum-type'] = multipartChecksumType(checksum);
  }
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
      await pipeline.cleanUp((cleanUpSignal) => sweepLostCreates(pipeline, window, cleanUpSignal), signal);
    }
    throw error;
  }
  const { uploadId } = parseInitiateMultipartUpload(text);
  return { bucket, key, uploadId, sseCustomerKey, checksum, requestedAt, answeredAt: pipeline.now(), mayHaveOrphans };
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
export async function sweepLostCreates(pipeline: RequestPipeline, window: CreateWindow, signal: AbortSignal): Promise<void> {
  const from = window.requestedAt.getTime() - INITIATED_SLACK_MS;
  const to = window.answeredAt.getTime() + INITIATED_SLACK_MS;
  try {
    const uploads = await listMultipartUploads(pipeline, window.bucket, window.key, signal);
    for (const upload of uploads) {
      const initiated = upload.initiated?.getTime();
      const lost = upload.key === window.key && upload.uploadId !== window.uploadId && initiated !== undefined && initiated >= from && initiated <= to;
      if (lost) await abortMultipartUpload(pipeline, { bucket: window.bucket, key: window.key, uploadId: upload.uploadId }, signal);
    }
  } catch (error) {
    pipeline.settings.logger?.debug(
      `s3lane: clearing multipart uploads of ${window.key} left by unanswered CreateMultipartUpload attempts failed (${String(error)}): listMultipartUploads shows them`,
    );
  }
}

export interface UploadPartInput extends MultipartRef, MultipartOptions {
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
function targetOf(bucket: string, input: MultipartRef & MultipartOptions): MultipartTarget {
  sseCustomerHeaders(input.sseCustomerKey);
  const checksum = checkChecksumAlgorithm(input.checksum);
  return { bucket, key: input.key, uploadId: checkUploadId(input.uploadId), sseCustomerKey: input.sseCustomerKey, checksum };
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
  const headers = sseCustomerHeaders(target.sseCustomerKey);
  const checksum = target.checksum ? await checksumOfBody(body, target.checksum) : undefined;
  if (target.checksum && checksum) headers[checksumHeader(target.checksum)] = checksum;
  const response = await pipeline.send(
    {
      method: 'PUT',
      bucket: target.bucket,
      key: target.key,
      query: { partNumber: String(partNumber), uploadId: target.uploadId },
      headers,
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
  return checksum === undefined ? { partNumber, etag, size: body.length } : { partNumber, etag, checksum, size: body.length };
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
  // buildCompleteMultipartUpload sorts the parts by number, as S3 requires, and checks them: a
  // caller's list (the public call) fails here, before anything is sent.
  let document: string;
  try {
    document = buildCompleteMultipartUpload(parts, target.checksum);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new S3ConfigError('InvalidParts', `completeMultipartUpload: ${error.message}.`);
  }
  const xml = new TextEncoder().encode(document);
  const headers: Record<string, string> = { 'content-type': 'application/xml', ...sseCustomerHeaders(target.sseCustomerKey) };
  const whole = fullObjectChecksum(target.checksum, parts);
  if (target.checksum && whole) {
    // S3 checks the whole object's CRC against the one it combines from the parts.
    headers[checksumHeader(target.checksum)] = whole;
    headers['x-amz-checksum-type'] = 'FULL_OBJECT';
  }
  let answerLost = false;
  let response: ResponseHead & { text: string };
  try {
    response = await pipeline.send(
      {
        method: 'POST',
        bucket: target.bucket,
        key: target.key,
        query: { uploadId: target.uploadId },
        headers,
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
  const info = await headObject(pipeline, target.bucket, { key: target.key, sseCustomerKey: target.sseCustomerKey, signal });
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
    info = await headObject(pipeline, target.bucket, { key: target.key, sseCustomerKey: target.sseCustomerKey });
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

/** The whole object's CRC from its parts', when every part's checksum and size are known. */
function fullObjectChecksum(algorithm: ChecksumAlgorithm | undefined, parts: readonly CompletedPart[]): string | undefined {
  if (!algorithm || multipartChecksumType(algorithm) !== 'FULL_OBJECT') return undefined;
  const known = [...parts].sort((a, b) => a.partNumber - b.partNumber).map((p) => ({ value: p.checksum, size: p.size }));
  if (known.some((p) => p.value === undefined || p.size === undefined)) return undefined;
  return multipartChecksum(algorithm, known as { value: string; size: number }[]);
}

/** Aborts the upload so its parts stop taking space. An upload already gone (NoSuchUpload) is fine. */
export async function abortMultipartUpload(pipeline: RequestPipeline, target: MultipartTarget, signal?: AbortSignal): Promise<void> {
  try {
    await pipeline.send({ method: 'DELETE', bucket: target.bucket, key: target.key, query: { uploadId: target.uploadId }, signal }, readHead);
  } catch (error) {
    if (error instanceof S3Error && error.code === 'NoSuchUpload') return;
    throw error;
  }
}

export type { PartSummary };

export interface CompleteMultipartUploadInput extends MultipartRef, MultipartOptions {
  /** Every part, with the ETag its upload answered; any order (they are sent sorted). */
  parts: readonly CompletedPart[];
}

/** A caller's part list: { partNumber, etag } with the ETag each uploadPart answered. */
export function checkParts(parts: unknown): void {
  if (!Array.isArray(parts) || parts.some((part: Partial<CompletedPart> | null) => typeof part?.etag !== 'string' || part.etag === '')) {
    throw new S3ConfigError('InvalidParts', 'parts must be a list of { partNumber, etag }, each with the ETag its uploadPart answered.');
  }
}

export function completeMultipartUploadFrom(
  pipeline: RequestPipeline,
  bucket: string,
  input: CompleteMultipartUploadInput,
): Promise<{ etag: string; versionId: string | undefined }> {
  const target = targetOf(bucket, input);
  checkParts(input.parts);
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
    const { text } = await pipeline.send({ method: 'GET', bucket, key: input.key, query, signal: input.signal }, readText);
    const page = parseListParts(text);
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
