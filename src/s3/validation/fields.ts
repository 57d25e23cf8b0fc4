/**
 * Rules for the fields object operations share: bodies, ranges, metadata, content headers,
 * conditions, version ids.
 */
import { Readable } from 'node:stream';
import { describeValue } from '../config-error.js';
import { S3_LIMITS } from './limits.js';
import { aclHeaders } from '../acl.js';
import { CHECKSUM_ALGORITHMS } from '../checksum/index.js';
import { sseCustomerHeaders } from '../sse.js';
import { checkTags } from '../operations/tagging.js';
import {
  abortSignal,
  boolean,
  child,
  delegate,
  fail,
  HEADER_NAME,
  headerName,
  headerValue,
  oneOf,
  record,
  integer,
  isPlainObject,
  optional,
  string,
  validDate,
  type Rule,
  type Shape,
} from './rules.js';

/** What `put()` and `upload()` take as a body. */
export const body: Rule = (value, field) => {
  if (
    typeof value === 'string' ||
    value instanceof Uint8Array ||
    value instanceof ArrayBuffer ||
    value instanceof Blob ||
    value instanceof ReadableStream ||
    value instanceof Readable
  ) {
    return;
  }
  fail('InvalidBody', field, `expected a string, Uint8Array, ArrayBuffer, Blob, ReadableStream or Node Readable, got ${describeValue(value)}.`);
};

/** The byte length of an in-memory body, or undefined for a stream. */
export function bodySize(value: unknown): number | undefined {
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (value instanceof Uint8Array || value instanceof ArrayBuffer) return value.byteLength;
  if (value instanceof Blob) return value.size;
  return undefined;
}

/**
 * `contentLength` beside `body`: it must agree with an in-memory body (a contradicting length
 * would be signed and the server would wait for bytes that never come, or cut the object short).
 */
export function checkContentLength(input: { body?: unknown; contentLength?: unknown }, maxBytes: number, limitName: string): void {
  const size = bodySize(input.body);
  if (input.contentLength !== undefined) {
    integer('InvalidContentLength', 0, Number.MAX_SAFE_INTEGER, ' bytes')(input.contentLength, 'contentLength');
    if (size !== undefined && size !== input.contentLength) {
      fail('InvalidContentLength', 'contentLength', `is ${String(input.contentLength)} but the body has ${size} bytes; leave contentLength out for in-memory bodies.`);
    }
  }
  const length = size ?? (input.contentLength as number | undefined);
  if (length !== undefined && length > maxBytes) {
    fail('EntityTooLarge', size === undefined ? 'contentLength' : 'body', `is ${length} bytes: ${limitName} is at most ${maxBytes} bytes.`);
  }
}

/** Inclusive byte ranges: `{ start, end? }` or `{ suffix }`, nothing else. */
export const range: Rule = (value, field) => {
  if (!isPlainObject(value)) fail('InvalidRange', field, `expected { start, end? } or { suffix }, got ${describeValue(value)}.`);
  const names = Object.keys(value).filter((k) => value[k] !== undefined);
  const offset = integer('InvalidRange', 0, Number.MAX_SAFE_INTEGER);
  if (names.includes('suffix')) {
    if (names.length > 1) fail('InvalidRange', field, `has suffix together with ${names.filter((n) => n !== 'suffix').join(', ')}: give { suffix } alone, or { start, end? }.`);
    integer('InvalidRange', 1, Number.MAX_SAFE_INTEGER)(value.suffix, child(field, 'suffix'));
    return;
  }
  const unknown = names.find((n) => n !== 'start' && n !== 'end');
  if (unknown !== undefined) fail('InvalidRange', child(field, unknown), 'is not a range field: give { start, end? } or { suffix }.');
  if (value.start === undefined) fail('InvalidRange', child(field, 'start'), 'is required (or give { suffix } for the last bytes).');
  offset(value.start, child(field, 'start'));
  if (value.end !== undefined) {
    offset(value.end, child(field, 'end'));
    if ((value.end as number) < (value.start as number)) {
      fail('InvalidRange', child(field, 'end'), `is ${String(value.end)}, before start ${String(value.start)}: ranges are inclusive, start <= end.`);
    }
  }
};

/**
 * User metadata: header-name keys, printable-ASCII values, no two names equal but for case (S3
 * would keep one), and 2 KB at most, counting names and values in UTF-8 as S3 does.
 */
export const metadata: Rule = (value, field) => {
  if (!isPlainObject(value)) fail('InvalidMetadata', field, `expected an object of name → string, got ${describeValue(value)}.`);
  const seen = new Map<string, string>();
  let bytes = 0;
  for (const [name, v] of Object.entries(value)) {
    const path = child(field, name);
    if (!HEADER_NAME.test(name)) fail('InvalidMetadata', path, 'the name is not a valid HTTP header name (letters, digits and !#$%&\'*+-.^_`|~).');
    const lower = name.toLowerCase();
    const earlier = seen.get(lower);
    if (earlier !== undefined) fail('InvalidMetadata', path, `differs from ${JSON.stringify(earlier)} only by case; metadata names are case-insensitive, so one would be lost.`);
    seen.set(lower, name);
    headerValue('InvalidMetadata')(v, path);
    bytes += Buffer.byteLength(name) + Buffer.byteLength(v as string);
  }
  if (bytes > S3_LIMITS.maxMetadataBytes) {
    fail('MetadataTooLarge', field, `is ${bytes} bytes (names and values in UTF-8): S3 allows at most ${S3_LIMITS.maxMetadataBytes} bytes of user metadata.`);
  }
};

export const versionId: Rule = string('InvalidVersionId', { nonEmpty: true });

/** The object header options of put, copy and upload. */
export const OBJECT_HEADER_FIELDS: Shape = {
  contentType: optional(headerValue()),
  cacheControl: optional(headerValue()),
  contentDisposition: optional(headerValue()),
  contentEncoding: optional(headerValue()),
  contentLanguage: optional(headerValue()),
  expires: optional(validDate),
  storageClass: optional(nonEmptyHeaderValue()),
  metadata: optional(metadata),
  sse: optional(oneOf('InvalidEncryption', ['AES256', 'aws:kms', 'aws:kms:dsse'])),
  sseKmsKeyId: optional(nonEmptyHeaderValue()),
  sseKmsContext: optional(record('InvalidEncryption', string('InvalidEncryption'))),
  bucketKeyEnabled: optional(boolean('InvalidEncryption')),
  sseCustomerKey: optional(delegate('InvalidSseCustomerKey', (v: string) => sseCustomerHeaders(v))),
  tags: optional(delegate('InvalidTags', (v: unknown) => checkTags(v))),
  acl: optional(delegate('InvalidAcl', (v: 'private') => aclHeaders(v))),
  checksum: optional(oneOf('InvalidChecksum', CHECKSUM_ALGORITHMS)),
  // Names and values here; which names are reserved is checked where they are sent (headers.ts).
  headers: optional(record('InvalidHeader', headerValue('InvalidHeader'), headerName('InvalidHeader'))),
};

/** The options of reads (get, head, download): the SSE-C key, and checksum verification. */
export const READ_FIELDS: Shape = {
  sseCustomerKey: optional(delegate('InvalidSseCustomerKey', (v: string) => sseCustomerHeaders(v))),
  checksum: optional(boolean('InvalidChecksum')),
};

function nonEmptyHeaderValue(): Rule {
  return (value, field) => {
    string('InvalidHeaderValue', { nonEmpty: true })(value, field);
    headerValue()(value, field);
  };
}

export const etag: Rule = nonEmptyHeaderValue();

/** Read conditions (RFC 9110 §13). */
export const CONDITION_FIELDS: Shape = {
  ifMatch: optional(etag),
  ifNoneMatch: optional(etag),
  ifModifiedSince: optional(validDate),
  ifUnmodifiedSince: optional(validDate),
};

/** A deadline for a whole call, retries and backoff included (the client's, or one call's). */
export const deadlineMs: Rule = (value, field) => {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    fail('InvalidDeadline', field, `expected a positive number of milliseconds, got ${describeValue(value)}.`);
  }
};

/** What every call accepts to bound it in time (see deadline.ts). */
export const SIGNAL_FIELD: Shape = { signal: optional(abortSignal), deadlineMs: optional(deadlineMs) };
