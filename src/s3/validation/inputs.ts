/**
 * The table: every public method's input, field by field. `checkInput(method, input)` is the one
 * call each `S3Client` method makes before anything else; a method added to the client gets a row
 * here. Bucket *names* are checked by the face once the default bucket and the region are known
 * (see bucket.ts); here a bucket must only be a string.
 */
import { describeValue, quoteForMessage } from '../config-error.js';
import { validateCorsRules } from '../operations/cors.js';
import { S3_LIMITS, OPTION_LIMITS } from './limits.js';
import { objectKey, keyString } from './key.js';
import {
  body,
  checkContentLength,
  CONDITION_FIELDS,
  etag,
  OBJECT_HEADER_FIELDS,
  range,
  READ_FIELDS,
  SIGNAL_FIELD,
  versionId,
} from './fields.js';
import { checkParts } from '../operations/multipart.js';
import { checkTags } from '../operations/tagging.js';
import {
  boolean,
  callback,
  delegate,
  child,
  fail,
  headerName,
  headerValue,
  integer,
  isPlainObject,
  object,
  oneOf,
  optional,
  record,
  required,
  string,
  validDate,
  type Rule,
  type Shape,
} from './rules.js';

const bucket = optional(string('InvalidBucketName', { nonEmpty: true }));
const key = required(objectKey);
const prefix = optional(keyString('InvalidKey', { nonEmpty: false }));
const expiresIn = optional(integer('InvalidExpires', 1, S3_LIMITS.maxExpiresSeconds, ' seconds (7 days)'));
const partSize = optional(integer('InvalidPartSize', S3_LIMITS.minPartBytes, S3_LIMITS.maxPartBytes, ' bytes (5 MiB to 5 GiB)'));

/** A table plus the checks that involve several fields at once. */
function input(shape: Shape, refine?: (value: Record<string, unknown>) => void): Rule {
  const check = object(shape);
  return (value, field) => {
    check(value, field);
    refine?.(value as Record<string, unknown>);
  };
}

/** Exactly one of two fields (upload's body/file, presignPost's key/keyPrefix). */
function exactlyOne(value: Record<string, unknown>, a: string, b: string, code: 'InvalidUploadSource' | 'InvalidPostPolicy', what: string): void {
  const has = (name: string): boolean => value[name] !== undefined;
  if (has(a) === has(b)) fail(code, has(a) ? b : a, `${what} takes exactly one of \`${a}\` or \`${b}\`, ${has(a) ? 'not both' : 'and got neither'}.`);
}

// deleteMany: a non-empty list of keys, never a string (which would be iterated letter by letter).
const deleteKeys: Rule = (value, field) => {
  if (typeof value === 'string' || value === null || typeof value !== 'object' || !(Symbol.iterator in value)) {
    fail('InvalidDeleteKeys', field, `expected an array of keys, got ${describeValue(value)}.`);
  }
  const keys = [...(value as Iterable<unknown>)];
  if (keys.length === 0) fail('InvalidDeleteKeys', field, 'is empty: give at least one key.');
  keys.forEach((k, i) => objectKey(k, child(field, i)));
};

const copyFrom = object({ bucket, key, versionId: optional(versionId) }, 'InvalidCopySource');
const copyTo = object({ bucket, key }, 'InvalidCopySource');

// uploadFiles(files): a Map or a plain object of key → local path; never an array or a string.
const files: Rule = (value, field) => {
  const entries: [unknown, unknown][] | undefined =
    value instanceof Map ? [...(value as Map<unknown, unknown>)] : isPlainObject(value) ? Object.entries(value) : undefined;
  if (entries === undefined) {
    fail('InvalidFiles', field, `expected a Map or an object of object key → file path, got ${describeValue(value)}.`);
  }
  entries.forEach(([k, path], i) => {
    objectKey(k, child(field, i));
    if (typeof path !== 'string' || path === '') fail('InvalidFiles', child(field, i), `the file path for key ${quoteForMessage(String(k), 60)} must be a non-empty string, got ${describeValue(path)}.`);
  });
};

// presign(): query parameters and headers bound into the signature.
const presignQuery = record('InvalidType', keyString('InvalidType', { nonEmpty: false }), keyString('InvalidType', { nonEmpty: true }));
const presignHeaders = record('InvalidHeaderValue', headerValue(), headerName('InvalidHeaderValue'));

// presignPost(): fields S3's form handling reads itself, or that presignPost() writes.
const RESERVED_POST_FIELDS: ReadonlySet<string> = new Set([
  'bucket',
  'key',
  'content-type',
  'policy',
  'file',
  'x-amz-algorithm',
  'x-amz-credential',
  'x-amz-date',
  'x-amz-security-token',
  'x-amz-signature',
]);

const postFields: Rule = (value, field) => {
  record('InvalidPostPolicy', string('InvalidPostPolicy'))(value, field);
  for (const name of Object.keys(value as object)) {
    if (RESERVED_POST_FIELDS.has(name.toLowerCase())) {
      fail('InvalidPostPolicy', child(field, name), 'is set by presignPost() itself (bucket, key, Content-Type, policy, signature): use the bucket, key, keyPrefix or contentType options.');
    }
  }
};

const lengthRange: Rule = (value, field) => {
  const ok =
    Array.isArray(value) &&
    value.length === 2 &&
    value.every((n) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0) &&
    (value[0] as number) <= (value[1] as number);
  if (!ok) fail('InvalidPostPolicy', field, `expected [min, max] bytes with 0 <= min <= max, got ${Array.isArray(value) ? JSON.stringify(value).slice(0, 80) : describeValue(value)}.`);
};

// A POST policy condition: { field: value }, [eq|starts-with, $field, value], or [content-length-range, min, max].
const postCondition: Rule = (value, field) => {
  if (isPlainObject(value)) {
    const entries = Object.entries(value);
    if (entries.length !== 1 || typeof entries[0]![1] !== 'string') {
      fail('InvalidPostPolicy', field, `an object condition has exactly one field with a string value, got ${entries.length} fields.`);
    }
    return;
  }
  if (!Array.isArray(value) || value.length !== 3) fail('InvalidPostPolicy', field, `expected { field: value } or a 3-element array, got ${describeValue(value)}.`);
  const [op, a, b] = value as unknown[];
  if (op === 'content-length-range') return lengthRange([a, b], field);
  if ((op === 'eq' || op === 'starts-with') && typeof a === 'string' && a.startsWith('$') && a.length > 1 && typeof b === 'string') return;
  fail('InvalidPostPolicy', field, "expected ['eq' | 'starts-with', '$field', string] or ['content-length-range', min, max].");
};

const postConditions: Rule = (value, field) => {
  if (!Array.isArray(value)) fail('InvalidPostPolicy', field, `expected an array of conditions, got ${describeValue(value)}.`);
  value.forEach((c, i) => postCondition(c, child(field, i)));
};

const GET_FIELDS: Shape = {
  concurrency: optional(integer('InvalidConcurrency', 1, OPTION_LIMITS.maxConcurrency)),
  partSize: optional(integer('InvalidPartSize', 64 * 1024, S3_LIMITS.maxPartBytes, ' bytes (64 KiB to 5 GiB per range)')), bucket, key, range: optional(range), versionId: optional(versionId), ...CONDITION_FIELDS, ...READ_FIELDS, ...SIGNAL_FIELD };
const HEAD_FIELDS: Shape = { bucket, key, versionId: optional(versionId), ...CONDITION_FIELDS, ...READ_FIELDS, ...SIGNAL_FIELD };
const uploadId = required(string('InvalidUploadId', { nonEmpty: true }));
const partNumber = integer('InvalidPartNumber', 1, 10_000);
const MULTIPART_FIELDS: Shape = { bucket, key, uploadId, sseCustomerKey: OBJECT_HEADER_FIELDS['sseCustomerKey'] ?? optional(string('InvalidSseCustomerKey')), checksum: OBJECT_HEADER_FIELDS['checksum'] ?? optional(string('InvalidChecksum')), ...SIGNAL_FIELD };
const TAGGING_FIELDS: Shape = { bucket, key, versionId: optional(versionId), ...SIGNAL_FIELD };
const LIST_FIELDS: Shape = {
  bucket,
  prefix,
  delimiter: optional(string('InvalidType', { nonEmpty: true })),
  startAfter: prefix,
  pageSize: optional(integer('InvalidPageSize', 1, S3_LIMITS.maxPageSize)),
  ...SIGNAL_FIELD,
};
const BUCKET_FIELDS: Shape = { bucket, ...SIGNAL_FIELD };

export const INPUTS = {
  putBucketCors: input({ bucket, rules: required((value) => validateCorsRules(value)), ...SIGNAL_FIELD }),
  getBucketCors: input(BUCKET_FIELDS),
  deleteBucketCors: input(BUCKET_FIELDS),
  put: input(
    {
      bucket,
      key,
      body: optional(body),
      contentLength: optional(integer('InvalidContentLength', 0, Number.MAX_SAFE_INTEGER, ' bytes')),
      ifMatch: optional(etag),
      ifNoneMatch: optional(etag),
      ...OBJECT_HEADER_FIELDS,
      ...SIGNAL_FIELD,
    },
    (v) => checkContentLength(v, S3_LIMITS.maxSinglePutBytes, 'a single PUT (use upload() for larger objects)'),
  ),
  get: input(GET_FIELDS),
  download: input({ ...GET_FIELDS, file: required(string('InvalidDestination', { nonEmpty: true })), resume: optional(boolean('InvalidOption')), onProgress: optional(callback) }),
  head: input(HEAD_FIELDS),
  exists: input(HEAD_FIELDS),
  delete: input({ bucket, key, versionId: optional(versionId), ...SIGNAL_FIELD }),
  deleteMany: input({ bucket, keys: required(deleteKeys), ...SIGNAL_FIELD }),
  list: input(LIST_FIELDS),
  listPages: input(LIST_FIELDS),
  copy: input({
    from: required(copyFrom),
    to: required(copyTo),
    ifMatch: optional(etag),
    sourceSseCustomerKey: READ_FIELDS['sseCustomerKey'] ?? optional(string('InvalidSseCustomerKey')),
    ...OBJECT_HEADER_FIELDS,
    ...SIGNAL_FIELD,
  }),
  createBucket: input({
    ...BUCKET_FIELDS,
    acl: OBJECT_HEADER_FIELDS['acl'] ?? optional(string('InvalidAcl')),
    region: optional(string('InvalidRegion', { nonEmpty: true })),
  }),
  listBuckets: input({ prefix, ...SIGNAL_FIELD }),
  bucketRegion: input(BUCKET_FIELDS),
  setBucketVersioning: input({ ...BUCKET_FIELDS, enabled: required(boolean('InvalidVersioning')) }),
  getBucketVersioning: input(BUCKET_FIELDS),
  listVersions: input({ bucket, prefix, ...SIGNAL_FIELD }),
  getObjectTags: input(TAGGING_FIELDS),
  putObjectTags: input({ ...TAGGING_FIELDS, tags: required(delegate('InvalidTags', (v: unknown) => checkTags(v))) }),
  deleteObjectTags: input(TAGGING_FIELDS),
  createMultipartUpload: input({ bucket, key, ...OBJECT_HEADER_FIELDS, ...SIGNAL_FIELD }),
  uploadPart: input({
    ...MULTIPART_FIELDS,
    partNumber: required(partNumber),
    body: required(body),
    contentLength: optional(integer('InvalidContentLength', 0, Number.MAX_SAFE_INTEGER, ' bytes')),
  }),
  listParts: input(MULTIPART_FIELDS),
  completeMultipartUpload: input({ ...MULTIPART_FIELDS, parts: required(delegate('InvalidParts', (v: unknown) => checkParts(v))) }),
  deleteBucket: input(BUCKET_FIELDS),
  bucketExists: input(BUCKET_FIELDS),
  upload: input(
    {
      bucket,
      key,
      body: optional(body),
      file: optional(string('InvalidUploadSource', { nonEmpty: true })),
      contentLength: optional(integer('InvalidContentLength', 0, Number.MAX_SAFE_INTEGER, ' bytes')),
      partSize,
      queueSize: optional(integer('InvalidQueueSize', 1, OPTION_LIMITS.maxConcurrency)),
      onProgress: optional(callback),
      ...OBJECT_HEADER_FIELDS,
      ...SIGNAL_FIELD,
    },
    (v) => {
      exactlyOne(v, 'body', 'file', 'InvalidUploadSource', 'upload()');
      checkContentLength(v, S3_LIMITS.maxObjectBytes, 'an S3 object');
    },
  ),
  uploadFiles: input({
    bucket,
    concurrency: optional(integer('InvalidConcurrency', 1, OPTION_LIMITS.maxConcurrency)),
    partSize,
    headers: optional(callback),
    onProgress: optional(callback),
    onFileDone: optional(callback),
    ...SIGNAL_FIELD,
  }),
  uploadFilesFiles: files,
  listMultipartUploads: input({ bucket, prefix, ...SIGNAL_FIELD }),
  abortMultipartUpload: input({ bucket, key, uploadId: required(string('InvalidUploadId', { nonEmpty: true })), ...SIGNAL_FIELD }),
  presign: input({
    method: optional(oneOf('InvalidMethod', ['GET', 'PUT', 'HEAD', 'DELETE'])),
    bucket,
    key,
    expiresIn,
    signingDate: optional(validDate),
    headers: optional(presignHeaders),
    query: optional(presignQuery),
    contentType: optional(headerValue()),
    responseContentDisposition: optional(keyString('InvalidHeaderValue', { nonEmpty: false })),
    uploadId: optional(string('InvalidUploadId', { nonEmpty: true })),
    partNumber: optional(partNumber),
  }),
  presignPost: input(
    {
      bucket,
      key: optional(objectKey),
      keyPrefix: optional(keyString('InvalidKey', { nonEmpty: false })),
      expiresIn,
      contentLengthRange: optional(lengthRange),
      contentType: optional(headerValue()),
      fields: optional(postFields),
      conditions: optional(postConditions),
      signingDate: optional(validDate),
    },
    (v) => exactlyOne(v, 'key', 'keyPrefix', 'InvalidPostPolicy', 'presignPost()'),
  ),
} satisfies Record<string, Rule>;

export type CheckedMethod = keyof typeof INPUTS;

/** Checks one public method's input against its row of the table; throws S3ConfigError naming the field. */
export function checkInput(method: CheckedMethod, value: unknown, field = ''): void {
  INPUTS[method](value, field);
}
