/**
 * The upload backend of the browser example: what a service signs so that a browser can upload
 * straight to the bucket, and nothing more. The browser asks; this decides. It never signs a key,
 * a policy or a string the browser proposes:
 *
 * - every key is chosen here, under `keyPrefix`, from a random id and a cleaned-up file name;
 * - a POST policy binds that exact key, the content type, and `content-length-range` up to
 *   `postMaxBytes`, so the store itself refuses a bigger file, whatever the page does;
 * - a multipart upload is created here and remembered; part URLs are signed only for uploads in
 *   that registry, for part numbers 1..partCount (never outside S3's 1..10000), each bound to the
 *   part's exact Content-Length; complete and abort are accepted only for uploads in the registry.
 *
 * Uses only s3lane's public API.
 */
import { randomUUID } from 'node:crypto';
import type { CorsRule, S3Client } from '../../src/index.js';

export interface UploadRules {
  /** Every key this backend signs starts with it, e.g. `uploads/`. */
  readonly keyPrefix: string;
  /** The largest file a POST policy lets the store accept (its `content-length-range`). */
  readonly postMaxBytes: number;
  /** The largest file a multipart upload may declare. */
  readonly maxFileBytes: number;
  /** Part size of multipart uploads: at least 5 MiB (S3's minimum for all parts but the last). */
  readonly partSize: number;
  /** The page sends files above this size as multipart uploads, smaller ones by POST. */
  readonly multipartThreshold: number;
  /** Seconds a signed policy or part URL stays valid. */
  readonly expiresIn: number;
  /** Multipart uploads open at once; more are refused until some complete or are aborted. */
  readonly maxOpenUploads: number;
}

export const DEFAULT_RULES: UploadRules = {
  keyPrefix: 'uploads/',
  postMaxBytes: 8 * 1024 * 1024,
  maxFileBytes: 1024 * 1024 * 1024,
  partSize: 8 * 1024 * 1024,
  multipartThreshold: 8 * 1024 * 1024,
  expiresIn: 600,
  maxOpenUploads: 100,
};

/**
 * The bucket's CORS rule a page at these origins needs to upload straight to it: POST for the
 * form, PUT for the parts, and the ETag header readable, since completing a multipart upload needs
 * each part's ETag. No request headers: the form's fields and the part URLs carry everything.
 */
export function browserUploadCorsRule(origins: string[]): CorsRule {
  return { allowedOrigins: origins, allowedMethods: ['POST', 'PUT'], exposeHeaders: ['ETag'], maxAgeSeconds: 600 };
}

/** S3's part numbers: https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html */
const MAX_PART_NUMBER = 10_000;

/** A request this backend will not sign: answered with `status` and `{ error: { code, message } }`. */
export class Refusal extends Error {
  override readonly name = 'Refusal';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface OpenUpload {
  readonly key: string;
  readonly size: number;
  readonly partCount: number;
}

export interface PostPolicyAnswer {
  key: string;
  url: string;
  fields: Record<string, string>;
}

export interface MultipartAnswer {
  key: string;
  uploadId: string;
  partSize: number;
  partCount: number;
}

export class UploadBackend {
  readonly #s3: S3Client;
  readonly #rules: UploadRules;
  /** Uploads this backend created and has not completed or aborted, by upload id. */
  readonly #open = new Map<string, OpenUpload>();

  constructor(s3: S3Client, rules: Partial<UploadRules> = {}) {
    this.#s3 = s3;
    this.#rules = { ...DEFAULT_RULES, ...rules };
    if (this.#rules.partSize < 5 * 1024 * 1024) throw new Error('partSize must be at least 5 MiB (S3 refuses smaller parts)');
    // An empty prefix would let the browser's key through wherever it points.
    if (!this.#rules.keyPrefix.endsWith('/')) throw new Error('keyPrefix must be a folder such as "uploads/"');
  }

  /** What the page needs to know to choose between POST and multipart. */
  config(): { multipartThreshold: number } {
    return { multipartThreshold: this.#rules.multipartThreshold };
  }

  async postPolicy(request: unknown): Promise<PostPolicyAnswer> {
    const body = objectOf(request);
    const key = this.#newKey(stringField(body, 'filename', 1024));
    const contentType = contentTypeField(body);
    const form = await this.#s3.presignPost({
      key,
      contentType,
      contentLengthRange: [1, this.#rules.postMaxBytes],
      expiresIn: this.#rules.expiresIn,
      // An XML answer with the key and ETag (S3's default is an empty 204).
      fields: { success_action_status: '201' },
    });
    return { key, url: form.url, fields: form.fields };
  }

  async createMultipart(request: unknown): Promise<MultipartAnswer> {
    const body = objectOf(request);
    const size = integerField(body, 'size');
    const contentType = contentTypeField(body);
    const key = this.#newKey(stringField(body, 'filename', 1024));
    const { partSize, maxFileBytes, maxOpenUploads } = this.#rules;
    if (size < 1 || size > maxFileBytes) throw new Refusal(400, 'InvalidSize', `size must be 1 to ${maxFileBytes} bytes, got ${size}.`);
    const partCount = Math.ceil(size / partSize);
    if (partCount > MAX_PART_NUMBER) throw new Refusal(400, 'InvalidSize', `${size} bytes need more than ${MAX_PART_NUMBER} parts.`);
    if (this.#open.size >= maxOpenUploads) throw new Refusal(429, 'TooManyUploads', 'Too many uploads in progress; try again later.');
    const { uploadId } = await this.#s3.createMultipartUpload({ key, contentType });
    this.#open.set(uploadId, { key, size, partCount });
    return { key, uploadId, partSize, partCount };
  }

  /** A presigned PUT for one part, bound to the part's exact length. */
  async signPart(request: unknown): Promise<{ url: string }> {
    const body = objectOf(request);
    const { uploadId, key, upload } = this.#openUpload(body);
    const partNumber = integerField(body, 'partNumber');
    if (partNumber < 1 || partNumber > Math.min(upload.partCount, MAX_PART_NUMBER)) {
      throw new Refusal(400, 'InvalidPartNumber', `partNumber must be 1 to ${upload.partCount} for this upload, got ${partNumber}.`);
    }
    const { partSize } = this.#rules;
    const length = partNumber < upload.partCount ? partSize : upload.size - partSize * (upload.partCount - 1);
    const url = await this.#s3.presign({
      method: 'PUT',
      key,
      uploadId,
      partNumber,
      expiresIn: this.#rules.expiresIn,
      // Signed, so the store refuses a part of any other size: the declared total holds.
      headers: { 'content-length': String(length) },
    });
    return { url };
  }

  async complete(request: unknown): Promise<{ key: string; etag: string }> {
    const body = objectOf(request);
    const { uploadId, key, upload } = this.#openUpload(body);
    const parts = partsField(body, upload.partCount);
    const { etag } = await this.#s3.completeMultipartUpload({ key, uploadId, parts });
    this.#open.delete(uploadId);
    return { key, etag };
  }

  async abort(request: unknown): Promise<void> {
    const { uploadId, key } = this.#openUpload(objectOf(request));
    await this.#s3.abortMultipartUpload({ key, uploadId });
    this.#open.delete(uploadId);
  }

  /** Aborts every upload still open (on shutdown), so none is left taking space in the bucket. */
  async abortAll(): Promise<void> {
    const open = [...this.#open];
    this.#open.clear();
    await Promise.allSettled(open.map(([uploadId, { key }]) => this.#s3.abortMultipartUpload({ key, uploadId })));
  }

  /** `<prefix><random id>/<file name>`: unique, under the prefix, and readable. */
  #newKey(filename: string): string {
    const base = filename.split(/[/\\]/).pop() ?? '';
    const clean = base.replace(/[^\w.-]+/g, '_').replace(/^\.+/, '').slice(-100) || 'file';
    return `${this.#rules.keyPrefix}${randomUUID()}/${clean}`;
  }

  /** The upload named by `uploadId` and `key`, if this backend created it and it is still open. */
  #openUpload(body: Record<string, unknown>): { uploadId: string; key: string; upload: OpenUpload } {
    const key = stringField(body, 'key', 1024);
    if (!key.startsWith(this.#rules.keyPrefix)) {
      throw new Refusal(403, 'KeyOutsidePrefix', `This service signs only keys under ${JSON.stringify(this.#rules.keyPrefix)}.`);
    }
    const uploadId = stringField(body, 'uploadId', 1024);
    const upload = this.#open.get(uploadId);
    if (upload === undefined || upload.key !== key) {
      throw new Refusal(403, 'UnknownUpload', 'No upload in progress with this uploadId and key was started here.');
    }
    return { uploadId, key, upload };
  }
}

// ---------------------------------------------------------------------------------------------
// Reading the browser's JSON: every field checked for type and size, nothing else taken.

function objectOf(request: unknown): Record<string, unknown> {
  if (typeof request !== 'object' || request === null || Array.isArray(request)) {
    throw new Refusal(400, 'InvalidRequest', 'The request body must be a JSON object.');
  }
  return request as Record<string, unknown>;
}

function stringField(body: Record<string, unknown>, name: string, maxLength: number): string {
  const value = body[name];
  if (typeof value !== 'string' || value === '' || value.length > maxLength) {
    throw new Refusal(400, 'InvalidRequest', `${name} must be a string of 1 to ${maxLength} characters.`);
  }
  return value;
}

function integerField(body: Record<string, unknown>, name: string): number {
  const value = body[name];
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new Refusal(400, name === 'partNumber' ? 'InvalidPartNumber' : 'InvalidRequest', `${name} must be an integer.`);
  }
  return value;
}

/** A `type/subtype` media type, or application/octet-stream when the browser knows none. */
function contentTypeField(body: Record<string, unknown>): string {
  const value = body['contentType'];
  if (value === undefined || value === '') return 'application/octet-stream';
  if (typeof value !== 'string' || value.length > 100 || !/^[\w.+-]+\/[\w.+-]+$/.test(value)) {
    throw new Refusal(400, 'InvalidRequest', 'contentType must be a media type such as image/png.');
  }
  return value;
}

/** Exactly parts 1..partCount, each once, each with the ETag its PUT answered. */
function partsField(body: Record<string, unknown>, partCount: number): { partNumber: number; etag: string }[] {
  const value = body['parts'];
  if (!Array.isArray(value) || value.length !== partCount) {
    throw new Refusal(400, 'InvalidParts', `parts must list all ${partCount} parts of this upload.`);
  }
  const parts = value.map((part: unknown) => {
    const p = objectOf(part);
    return { partNumber: integerField(p, 'partNumber'), etag: stringField(p, 'etag', 200) };
  });
  const numbers = new Set(parts.map((p) => p.partNumber));
  for (let n = 1; n <= partCount; n++) {
    if (!numbers.has(n)) throw new Refusal(400, 'InvalidParts', `parts must list every part number from 1 to ${partCount}; ${n} is missing.`);
  }
  return parts;
}
