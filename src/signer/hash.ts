/**
 * The two primitives SigV4 is built from: SHA-256 (hex) and HMAC-SHA256.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 */
import { createHmac, hash, type KeyObject } from 'node:crypto';

/** SHA-256 of the empty string: the payload hash of a request without a body. */
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** Lower-case hex SHA-256 of a UTF-8 string or of bytes. */
export function sha256Hex(data: string | Uint8Array): string {
  // crypto.hash is the one-shot form: about twice as fast as createHash() for short inputs.
  return hash('sha256', data, 'hex');
}

/** HMAC-SHA256 as raw bytes (used to chain the signing-key derivation). */
export function hmacBytes(key: KeyObject | Uint8Array | string, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/** HMAC-SHA256 as lower-case hex (a signature). */
export function hmacHex(key: KeyObject | Uint8Array, data: string): string {
  return createHmac('sha256', key).update(data).digest('hex');
}
