/**
 * Object headers in both directions: the options users pass (metadata, content type, conditions)
 * become request headers, and response headers become typed fields.
 */
import { aclHeaders, type CannedAcl } from './acl.js';
import { CHECKSUM_ALGORITHMS, type ChecksumAlgorithm, type ObjectChecksum } from './checksum/index.js';
import { S3ConfigError } from './endpoint.js';
import { headerValue, type S3Response } from './pipeline.js';
import { encryptionHeaders, type EncryptionOptions, type ServerSideEncryption } from './sse.js';
import { taggingHeaders, type Tags } from './operations/tagging.js';

export type Metadata = Record<string, string>;

/** Options shared by every call that writes an object (put, copy, upload, createMultipartUpload, uploadFiles). */
export interface ObjectHeaderOptions extends EncryptionOptions {
  contentType?: string;
  cacheControl?: string;
  contentDisposition?: string;
  contentEncoding?: string;
  contentLanguage?: string;
  expires?: Date;
  storageClass?: string;
  /** User metadata, sent as `x-amz-meta-<name>`. Names are case-insensitive; values must be ASCII. */
  metadata?: Metadata;
  /** Object tags (at most 10; keys up to 128, values up to 256 characters). */
  tags?: Tags;
  /** A canned ACL, e.g. 'public-read'. */
  acl?: CannedAcl;
  /**
   * Send this checksum of the bytes (S3 verifies and stores it). Opt-in: some S3-compatible stores
   * reject or ignore checksum headers.
   */
  checksum?: ChecksumAlgorithm;
  /**
   * Headers the API does not model, sent as given, e.g. `{ 'x-amz-object-lock-mode': 'GOVERNANCE' }`.
   * They may not replace a header the client signs or an option above sets (S3ConfigError 'InvalidHeader').
   */
  headers?: Record<string, string>;
}

/** Checks a checksum option. */
export function checkChecksumAlgorithm(checksum: ChecksumAlgorithm | undefined): ChecksumAlgorithm | undefined {
  if (checksum !== undefined && !CHECKSUM_ALGORITHMS.includes(checksum)) {
    throw new S3ConfigError('InvalidChecksum', `checksum must be one of ${CHECKSUM_ALGORITHMS.join(', ')}; got ${JSON.stringify(String(checksum))}.`);
  }
  return checksum;
}

/**
 * Header names `headers` may not set: what the signer and transport own (a changed value would
 * break the signature or the framing), and what a modelled option sets (use the option: it is
 * validated, and one source per header keeps the request unambiguous).
 */
const RESERVED_HEADERS: ReadonlySet<string> = new Set([
  'host',
  'authorization',
  'content-length',
  'transfer-encoding',
  'connection',
  'expect',
  'x-amz-date',
  'x-amz-content-sha256',
  'x-amz-security-token',
  'x-amz-decoded-content-length',
  'x-amz-trailer',
  'content-type',
  'cache-control',
  'content-disposition',
  'content-encoding',
  'content-language',
  'expires',
  'x-amz-storage-class',
  'x-amz-acl',
  'x-amz-tagging',
  'x-amz-tagging-directive',
  'x-amz-metadata-directive',
  'x-amz-copy-source',
  'x-amz-sdk-checksum-algorithm',
  'range',
  'if-match',
  'if-none-match',
  'if-modified-since',
  'if-unmodified-since',
]);
const RESERVED_PREFIXES = ['x-amz-meta-', 'x-amz-server-side-encryption', 'x-amz-checksum-', 'x-amz-copy-source-'];

function rawHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  if (headers === undefined) return {};
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (!HEADER_NAME.test(name) || typeof value !== 'string' || !HEADER_VALUE.test(value)) {
      throw new S3ConfigError('InvalidHeader', `headers: ${JSON.stringify(name)} is not a valid HTTP header name with an ASCII string value.`);
    }
    if (RESERVED_HEADERS.has(lower) || RESERVED_PREFIXES.some((prefix) => lower.startsWith(prefix))) {
      throw new S3ConfigError(
        'InvalidHeader',
        `headers: ${JSON.stringify(name)} is set by the client (signing, framing) or by a modelled option (contentType, metadata, sse…, tags, acl, checksum): use that instead.`,
      );
    }
    if (lower in out) throw new S3ConfigError('InvalidHeader', `headers: ${JSON.stringify(name)} is given twice (header names are case-insensitive).`);
    out[lower] = value;
  }
  return out;
}

/** Printable ASCII plus tab: what an HTTP header value can carry without an encoding S3 would not undo. */
const HEADER_VALUE = /^[\t\x20-\x7e]*$/;
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function objectHeaders(options: ObjectHeaderOptions): Record<string, string> {
  checkChecksumAlgorithm(options.checksum);
  const headers: Record<string, string> = {
    ...rawHeaders(options.headers),
    ...encryptionHeaders(options),
    ...taggingHeaders(options.tags),
    ...aclHeaders(options.acl),
  };
  const set = (name: string, value: string | undefined): void => {
    if (value === undefined) return;
    if (!HEADER_VALUE.test(value)) {
      throw new S3ConfigError(
        'InvalidHeaderValue',
        `The value of ${name} has characters HTTP headers cannot carry (non-ASCII or control characters); encode it first, e.g. with encodeURIComponent.`,
      );
    }
    headers[name] = value;
  };
  set('content-type', options.contentType);
  set('cache-control', options.cacheControl);
  set('content-disposition', options.contentDisposition);
  set('content-encoding', options.contentEncoding);
  set('content-language', options.contentLanguage);
  set('expires', options.expires?.toUTCString());
  set('x-amz-storage-class', options.storageClass);
  for (const [name, value] of Object.entries(options.metadata ?? {})) {
    if (!HEADER_NAME.test(name)) {
      throw new S3ConfigError('InvalidMetadata', `Metadata name ${JSON.stringify(name)} is not a valid HTTP header name.`);
    }
    set(`x-amz-meta-${name.toLowerCase()}`, value);
  }
  return headers;
}

/** Conditions for reads and writes (RFC 9110 §13). */
export interface Conditions {
  ifMatch?: string;
  ifNoneMatch?: string;
  ifModifiedSince?: Date;
  ifUnmodifiedSince?: Date;
}

export function conditionHeaders(conditions: Conditions): Record<string, string> {
  const headers: Record<string, string> = {};
  if (conditions.ifMatch !== undefined) headers['if-match'] = conditions.ifMatch;
  if (conditions.ifNoneMatch !== undefined) headers['if-none-match'] = conditions.ifNoneMatch;
  if (conditions.ifModifiedSince) headers['if-modified-since'] = conditions.ifModifiedSince.toUTCString();
  if (conditions.ifUnmodifiedSince) headers['if-unmodified-since'] = conditions.ifUnmodifiedSince.toUTCString();
  return headers;
}

/** What HEAD and GET tell about an object. */
export interface ObjectInfo {
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
  /** The server-side encryption the object is stored with ('AES256', 'aws:kms' …). */
  sse: ServerSideEncryption | undefined;
  sseKmsKeyId: string | undefined;
  /** The stored checksum, when the read asked for it (`checksum: true`) and the store has one. */
  checksum: ObjectChecksum | undefined;
  /** How many tags the object has (sent with GET and HEAD by AWS when it has any). */
  tagCount: number | undefined;
}

/** The checksum a response reports (x-amz-checksum-<algorithm>), if any. */
export function checksumFromHeaders(headers: S3Response['headers']): ObjectChecksum | undefined {
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const value = headerValue(headers, `x-amz-checksum-${algorithm.toLowerCase()}`);
    if (value) {
      const type = headerValue(headers, 'x-amz-checksum-type');
      return { algorithm, value, type: type === 'FULL_OBJECT' || type === 'COMPOSITE' ? type : undefined };
    }
  }
  return undefined;
}

const META_PREFIX = 'x-amz-meta-';

export function objectInfo(headers: S3Response['headers']): ObjectInfo {
  const metadata: Metadata = {};
  for (const name in headers) {
    if (name.startsWith(META_PREFIX)) metadata[name.slice(META_PREFIX.length)] = headerValue(headers, name) ?? '';
  }
  const lastModified = headerValue(headers, 'last-modified');
  const tagCount = headerValue(headers, 'x-amz-tagging-count');
  return {
    contentLength: Number(headerValue(headers, 'content-length') ?? 0),
    contentType: headerValue(headers, 'content-type'),
    etag: headerValue(headers, 'etag'),
    lastModified: lastModified ? new Date(lastModified) : undefined,
    versionId: headerValue(headers, 'x-amz-version-id'),
    cacheControl: headerValue(headers, 'cache-control'),
    contentDisposition: headerValue(headers, 'content-disposition'),
    contentEncoding: headerValue(headers, 'content-encoding'),
    storageClass: headerValue(headers, 'x-amz-storage-class'),
    metadata,
    sse: headerValue(headers, 'x-amz-server-side-encryption') as ServerSideEncryption | undefined,
    sseKmsKeyId: headerValue(headers, 'x-amz-server-side-encryption-aws-kms-key-id'),
    checksum: checksumFromHeaders(headers),
    tagCount: tagCount === undefined ? undefined : Number(tagCount),
  };
}
