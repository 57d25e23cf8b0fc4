/** Every code an `S3ConfigError` can carry: a closed set so callers can switch on it; add one per new kind of throw. */
export type S3ConfigErrorCode =
  // Addressing (src/s3/endpoint.ts, src/s3/region.ts)
  | 'InvalidEndpoint'
  | 'InvalidRegion'
  | 'InvalidBucketName'
  | 'UnsupportedBucket'
  | 'MissingBucket'
  | 'InvalidKey'
  // Request input
  | 'InvalidRange'
  | 'InvalidMetadata'
  | 'InvalidHeaderValue'
  | 'InvalidContentLength'
  | 'UnknownContentLength'
  | 'UnhashableBody'
  | 'InvalidPageSize'
  // Uploads and batches
  | 'InvalidUploadSource'
  | 'InvalidPartSize'
  | 'InvalidQueueSize'
  | 'TooManyParts'
  | 'EntityTooLarge'
  | 'InvalidConcurrency'
  // Public multipart calls
  | 'InvalidPartNumber'
  | 'InvalidParts'
  | 'InvalidUploadId'
  // Presigned URLs and POST policies
  | 'InvalidMethod'
  | 'InvalidExpires'
  | 'InvalidPostPolicy'
  | 'CredentialsNotReady'
  // Client options
  | 'InvalidRetries';

/**
 * Configuration or input no request could succeed with: a malformed endpoint, a bucket name or key
 * S3 can never accept, an unusable region, a bad option. Thrown before anything is sent, so it
 * carries no HTTP status or request id; the message says what is wrong and what to do instead.
 *
 * @example
 * try { resolver.resolve('My Bucket', 'k'); }
 * catch (err) { if (err instanceof S3ConfigError && err.code === 'InvalidBucketName') { ... } }
 */
export class S3ConfigError extends Error {
  override readonly name = 'S3ConfigError';
  readonly code: S3ConfigErrorCode;

  constructor(code: S3ConfigErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** Quotes a user value for an error message, cut short so a 1 KiB key does not flood the log. */
export function quoteForMessage(value: string, max = 80): string {
  return JSON.stringify(value.length > max ? `${value.slice(0, max)}…` : value);
}
