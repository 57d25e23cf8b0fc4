/**
 * Which value goes on the last line of the canonical request (and, for S3, in
 * x-amz-content-sha256). The rules, in one place:
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
 *
 * 1. An explicit `payloadHash` wins.
 * 2. Else an `x-amz-content-sha256` header the caller set.
 * 3. Else, for an S3 presigned URL, UNSIGNED-PAYLOAD (whoever uses the URL sends the body).
 * 4. Else the SHA-256 of the body; no body hashes as the empty string.
 */
import { SigningError, quote } from './errors.js';
import { EMPTY_SHA256, sha256Hex } from './hash.js';

/** The body is not signed; S3 accepts it over TLS or when the bucket policy allows it. */
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
/** The body is sent aws-chunked, each chunk signed (see chunked.ts). */
export const STREAMING_PAYLOAD = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD';
/** As STREAMING_PAYLOAD, plus a signed trailer (e.g. x-amz-checksum-crc32c) after the last chunk. */
export const STREAMING_PAYLOAD_TRAILER = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER';

// A hex digest, or one of S3's literal markers. Anything else (upper-case hex, a newline) would
// either be rejected by S3 or change the shape of the canonical request.
const PAYLOAD_HASH = /^(?:[0-9a-f]{64}|UNSIGNED-PAYLOAD|STREAMING-[A-Z0-9-]+)$/;

export function checkPayloadHash(value: string): string {
  if (typeof value !== 'string' || !PAYLOAD_HASH.test(value)) {
    throw new SigningError(
      'InvalidPayloadHash',
      `payloadHash must be a lower-case hex SHA-256, ${UNSIGNED_PAYLOAD} or a STREAMING-* marker, got ${quote(value)}`,
      'payloadHash',
    );
  }
  return value;
}

export function resolvePayloadHash(
  explicit: string | undefined,
  fromHeader: string | undefined,
  body: string | Uint8Array | undefined,
  unsignedByDefault: boolean,
): string {
  if (explicit !== undefined) return checkPayloadHash(explicit);
  if (fromHeader !== undefined) return checkPayloadHash(fromHeader);
  if (unsignedByDefault) return UNSIGNED_PAYLOAD;
  if (body === undefined) return EMPTY_SHA256;
  if (typeof body !== 'string' && !(body instanceof Uint8Array)) {
    throw new SigningError('InvalidBody', 'body must be a string or a Uint8Array; stream large bodies with a payloadHash', 'body');
  }
  return body.length === 0 ? EMPTY_SHA256 : sha256Hex(body);
}
