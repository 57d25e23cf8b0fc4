/**
 * The one family of input errors, shared by the signer and the S3 client: `S3ConfigError`, with a
 * PascalCase `code` from `S3ConfigErrorCode` and the offending option's path in `field`. It lives
 * here, at the bottom of the layers, because the signer may import nothing from `s3/`; the client
 * re-exports it. So one check catches bad input from either API:
 *
 * @example
 * try { signer.presign({ method: 'GET', url, expiresIn: 10 ** 9 }) } catch (e) {
 *   if (e instanceof S3ConfigError && e.code === 'InvalidExpires') console.log(e.field); // 'expiresIn'
 * }
 *
 * Messages say what was given (its type, its length, the offending character) and what is
 * allowed; they never quote a credential, and they quote other input only cut short.
 */

/** Every code an input error can carry: a closed set so callers can switch on it; add one per new kind of throw. */
export type S3ConfigErrorCode =
  // Options and fields in general
  | 'UnknownOption'
  | 'MissingField'
  | 'InvalidType'
  // Addressing
  | 'InvalidEndpoint'
  | 'InvalidRegion'
  | 'InvalidBucketName'
  | 'UnsupportedBucket'
  | 'MissingBucket'
  | 'InvalidKey'
  | 'InvalidVersionId'
  | 'InvalidUploadId'
  // Request input
  | 'InvalidRange'
  | 'InvalidMetadata'
  | 'MetadataTooLarge'
  | 'InvalidHeaderValue'
  | 'InvalidDate'
  | 'InvalidContentLength'
  | 'UnknownContentLength'
  | 'UnhashableBody'
  | 'InvalidBody'
  | 'InvalidPageSize'
  | 'InvalidDeleteKeys'
  | 'InvalidCopySource'
  | 'InvalidSignal'
  | 'InvalidCallback'
  // Uploads, downloads and batches
  | 'InvalidUploadSource'
  | 'InvalidDestination'
  | 'InvalidPartSize'
  | 'InvalidPartNumber'
  | 'InvalidQueueSize'
  | 'TooManyParts'
  | 'EntityTooLarge'
  | 'InvalidConcurrency'
  | 'InvalidFiles'
  // Public multipart calls; object options: encryption, tags, ACLs, checksums, raw headers, versioning
  | 'InvalidParts'
  | 'InvalidEncryption'
  | 'InvalidSseCustomerKey'
  | 'InvalidTags'
  | 'InvalidAcl'
  | 'InvalidChecksum'
  | 'InvalidHeader'
  | 'InvalidVersioning'
  // Presigned URLs and POST policies
  | 'InvalidMethod'
  | 'InvalidExpires'
  | 'InvalidPostPolicy'
  | 'CredentialsNotReady'
  // Client options
  | 'InvalidCredentials'
  | 'InvalidCorsConfiguration'
  | 'InvalidRetries'
  | 'InvalidDeadline'
  | 'InvalidTimeout'
  | 'InvalidMaxConnections'
  | 'InvalidPayloadSigning'
  | 'InvalidDispatcher'
  | 'InvalidLogger'
  | 'InvalidOption'
  // Signer input (s3lane/signer)
  | 'InvalidService'
  | 'InvalidUrl'
  | 'InvalidHeader'
  | 'InvalidPayloadHash'
  | 'InvalidEncoding'
  | 'InvalidSignature'
  | 'InvalidChunk'
  | 'InvalidChunkSize'
  | 'DateOutOfRange'
  | 'BodyLengthMismatch';

export interface S3ConfigErrorOptions {
  /** The option's path, e.g. `key`, `range.end`, `credentials.sessionToken`, `files[3]`. */
  readonly field?: string | undefined;
  readonly cause?: unknown;
}

/**
 * Configuration or input no request could succeed with: a malformed endpoint, a bucket name or key
 * S3 can never accept, an unusable region, a bad option. Thrown before anything is signed or sent,
 * so it carries no HTTP status or request id.
 */
export class S3ConfigError extends Error {
  override name = 'S3ConfigError';
  readonly code: S3ConfigErrorCode;
  /** The offending option's path (`key`, `range.start`, `from.bucket`), when one option is at fault. */
  readonly field: string | undefined;

  constructor(code: S3ConfigErrorCode, message: string, options: S3ConfigErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.field = options.field;
  }

  toJSON(): { name: string; code: S3ConfigErrorCode; field: string | undefined; message: string } {
    return { name: this.name, code: this.code, field: this.field, message: this.message };
  }
}

/** Codes the signer throws for input of the wrong type or shape. */
export type SigningErrorCode = Extract<
  S3ConfigErrorCode,
  | 'InvalidCredentials'
  | 'InvalidRegion'
  | 'InvalidService'
  | 'InvalidUrl'
  | 'InvalidMethod'
  | 'InvalidHeader'
  | 'InvalidPayloadHash'
  | 'InvalidBody'
  | 'InvalidDate'
  | 'InvalidEncoding'
  | 'InvalidSignature'
  | 'InvalidPostPolicy'
  | 'InvalidChunk'
  | 'InvalidType'
  | 'UnknownOption'
>;

/** Codes the signer throws for a number (or byte count) outside what SigV4 allows. */
export type SigningRangeErrorCode = Extract<
  S3ConfigErrorCode,
  'InvalidExpires' | 'DateOutOfRange' | 'InvalidChunkSize' | 'InvalidContentLength' | 'BodyLengthMismatch'
>;

/** Signer input of the wrong type or shape, e.g. an empty region or a relative URL. */
export class SigningError extends S3ConfigError {
  override name = 'SigningError';
  declare readonly code: SigningErrorCode;

  constructor(code: SigningErrorCode, message: string, field?: string) {
    super(code, message, { field });
  }
}

/** A number (or a byte count) outside what SigV4 allows, e.g. `expiresIn` over seven days. */
export class SigningRangeError extends S3ConfigError {
  override name = 'SigningRangeError';
  declare readonly code: SigningRangeErrorCode;

  constructor(code: SigningRangeErrorCode, message: string, field?: string) {
    super(code, message, { field });
  }
}

/** Quotes user input in a message without letting a huge value flood logs. */
export function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value);
  return JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text);
}

/** What a value is, for a message: `a string of 12 characters`, `a number (NaN)`, `null`, `an array of 3`. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return value === '' ? 'an empty string' : `a string of ${value.length} character${value.length === 1 ? '' : 's'}`;
  if (typeof value === 'number') return `a number (${String(value)})`;
  if (typeof value === 'bigint') return `a bigint (${String(value)})`;
  if (typeof value === 'boolean') return `a boolean (${String(value)})`;
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return 'a symbol';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an invalid Date' : 'a Date';
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' && name !== 'Object' ? `a ${name}` : 'an object';
}
