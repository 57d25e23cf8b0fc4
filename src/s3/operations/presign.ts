/**
 * Presigned URLs: a GET, PUT, HEAD or DELETE that anyone holding the URL may send until it expires,
 * signed in the query string (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html).
 *
 * Synchronous in its core: resolving the URL and signing are pure computation with the cached
 * signing key, so a service can presign thousands of URLs a second without noticing.
 */
import type { Credentials } from '../credentials/index.js';
import { S3ConfigError } from '../config-error.js';
import { encodeQuery, type RequestPipeline } from '../pipeline.js';
import { checkPartNumber, checkUploadId } from './multipart.js';

export type PresignMethod = 'GET' | 'PUT' | 'HEAD' | 'DELETE';

export interface PresignInput {
  /** Default 'GET'. */
  method?: PresignMethod;
  bucket?: string;
  key: string;
  /** Seconds the URL stays valid: 1..604800 (7 days). Default 3600. */
  expiresIn?: number;
  /** When the validity starts. Default now (corrected for any clock skew the client has seen). */
  signingDate?: Date;
  /** Headers bound into the signature: whoever uses the URL must send them, with these values. */
  headers?: Record<string, string>;
  /** Extra query parameters, e.g. `{ versionId }` or `{ 'response-content-type': 'text/plain' }`. */
  query?: Record<string, string>;
  /** For PUT: binds Content-Type, so the upload must declare exactly this type. */
  contentType?: string;
  /** For GET: the Content-Disposition S3 answers with, e.g. `attachment; filename="report.pdf"`. */
  responseContentDisposition?: string;
  /**
   * With `partNumber`, for PUT: a URL for one part of a multipart upload (createMultipartUpload),
   * which a browser can PUT the part's bytes to; the ETag it answers goes to completeMultipartUpload.
   */
  uploadId?: string;
  partNumber?: number;
}

/** The query of a part URL: both or neither of uploadId and partNumber, and only for PUT. */
function partQuery(input: PresignInput, method: PresignMethod): Record<string, string> | undefined {
  const { uploadId, partNumber } = input;
  if (uploadId === undefined && partNumber === undefined) return undefined;
  if (method !== 'PUT' || partNumber === undefined) {
    throw new S3ConfigError('InvalidPartNumber', "A part URL needs method 'PUT', an uploadId and a partNumber (from createMultipartUpload).");
  }
  checkPartNumber(partNumber);
  return { partNumber: String(partNumber), uploadId: checkUploadId(uploadId) };
}

/** `input` was checked at the face (validation/inputs.ts: method, expiresIn, headers, query). */
export function presignUrl(pipeline: RequestPipeline, credentials: Credentials, bucket: string, input: PresignInput): string {
  const method = input.method ?? 'GET';
  const expiresIn = input.expiresIn ?? 3600;
  let query = input.query;
  const part = partQuery(input, method);
  if (part) query = { ...query, ...part };
  if (input.responseContentDisposition !== undefined) {
    query = { ...query, 'response-content-disposition': input.responseContentDisposition };
  }
  let headers = input.headers;
  if (input.contentType !== undefined) headers = { ...headers, 'content-type': input.contentType };
  const region = pipeline.regionFor(bucket);
  const endpoint = pipeline.resolve(bucket, input.key, encodeQuery(query), region);
  return pipeline.signerFor(credentials, region).presign({
    method,
    url: endpoint,
    headers,
    expiresIn,
    date: input.signingDate ?? pipeline.signingDate(),
  }).url;
}
