/**
 * Object headers in both directions: the options users pass (metadata, content type, conditions)
 * become request headers, and response headers become typed fields.
 */
import { S3ConfigError } from './endpoint.js';
import { headerValue, type S3Response } from './pipeline.js';

export type Metadata = Record<string, string>;

/** Options shared by every call that writes an object's headers (put, copy, upload). */
export interface ObjectHeaderOptions {
  contentType?: string;
  cacheControl?: string;
  contentDisposition?: string;
  contentEncoding?: string;
  contentLanguage?: string;
  expires?: Date;
  storageClass?: string;
  /** User metadata, sent as `x-amz-meta-<name>`. Names are case-insensitive; values must be ASCII. */
  metadata?: Metadata;
}

/** Printable ASCII plus tab: what an HTTP header value can carry without an encoding S3 would not undo. */
const HEADER_VALUE = /^[\t\x20-\x7e]*$/;
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function objectHeaders(options: ObjectHeaderOptions): Record<string, string> {
  const headers: Record<string, string> = {};
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
}

const META_PREFIX = 'x-amz-meta-';

export function objectInfo(headers: S3Response['headers']): ObjectInfo {
  const metadata: Metadata = {};
  for (const name in headers) {
    if (name.startsWith(META_PREFIX)) metadata[name.slice(META_PREFIX.length)] = headerValue(headers, name) ?? '';
  }
  const lastModified = headerValue(headers, 'last-modified');
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
  };
}
