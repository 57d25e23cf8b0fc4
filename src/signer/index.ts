/**
 * s3lane/signer: a pure AWS Signature Version 4 signer (no I/O, nothing about buckets or HTTP
 * clients). Header signing, presigned URLs, aws-chunked streaming and POST-policy signatures.
 */
export { SigV4Signer, MAX_PRESIGN_EXPIRES } from './sigv4.js';
export type {
  Credentials,
  HeaderInput,
  PolicySignature,
  PresignedRequest,
  PresignRequest,
  SignedRequest,
  SignerOptions,
  SignRequest,
} from './types.js';
export {
  ChunkSigner,
  awsChunkedStream,
  awsChunkedTransform,
  chunkedContentLength,
  DEFAULT_CHUNK_SIZE,
  MIN_CHUNK_SIZE,
  type AwsChunkedOptions,
} from './chunked.js';
export { STREAMING_PAYLOAD, STREAMING_PAYLOAD_TRAILER, UNSIGNED_PAYLOAD } from './payload.js';
export { EMPTY_SHA256, sha256Hex } from './hash.js';
export { toAmzDate } from './amz-date.js';
export { uriEncode } from './encoding.js';
export type { WireUrl } from './url.js';
export { UNSIGNED_HEADER_NAMES } from './headers.js';
export {
  S3ConfigError,
  SigningError,
  SigningRangeError,
  type S3ConfigErrorCode,
  type S3ConfigErrorOptions,
  type SigningErrorCode,
  type SigningRangeErrorCode,
} from './errors.js';
