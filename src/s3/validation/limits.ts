/**
 * S3's limits, enforced locally so a request S3 would refuse is never sent.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html
 */
import { MAX_PRESIGN_EXPIRES } from '../../signer/index.js';
import { MULTIPART_LIMITS } from '../operations/multipart.js';

const GiB = 1024 ** 3;

export const S3_LIMITS = {
  /** Object keys: https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html */
  maxKeyBytes: 1024,
  /** User metadata, names and values in UTF-8 together: https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingMetadata.html */
  maxMetadataBytes: 2 * 1024,
  /** One PutObject (or CopyObject). */
  maxSinglePutBytes: 5 * GiB,
  maxObjectBytes: MULTIPART_LIMITS.maxObjectSize,
  minPartBytes: MULTIPART_LIMITS.minPartSize,
  maxPartBytes: MULTIPART_LIMITS.maxPartSize,
  maxParts: MULTIPART_LIMITS.maxParts,
  /** ListObjectsV2 max-keys. */
  maxPageSize: 1000,
  /** SigV4 presigned URLs and POST policies: 1 second to 7 days. */
  maxExpiresSeconds: MAX_PRESIGN_EXPIRES,
} as const;

/** Client options: bounds past which a value is a mistake rather than a choice. */
export const OPTION_LIMITS = {
  maxConnections: 65_536,
  /** setTimeout's ceiling (2^31 - 1 ms, ~24.8 days); undici treats 0 as "no timeout". */
  maxTimeoutMs: 2 ** 31 - 1,
  maxRetries: 100,
  maxDelayMs: 2 ** 31 - 1,
  maxConcurrency: 10_000,
} as const;
