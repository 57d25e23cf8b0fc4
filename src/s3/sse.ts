/**
 * Server-side encryption headers: SSE-S3 (AES256), SSE-KMS (aws:kms, aws:kms:dsse) and SSE-C
 * (a key the caller keeps, sent with every write and read of the object).
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/serv-side-encryption.html
 *
 * An SSE-C key is a secret like the secret access key: it is never put in a message, and the
 * pipeline redacts it by value from every error and debug line (see secretsOf in pipeline.ts).
 */
import { createHash } from 'node:crypto';
import { S3ConfigError } from './config-error.js';

export type ServerSideEncryption = 'AES256' | 'aws:kms' | 'aws:kms:dsse';
const SSE_VALUES: ReadonlySet<string> = new Set<ServerSideEncryption>(['AES256', 'aws:kms', 'aws:kms:dsse']);

/** A 256-bit key: 32 bytes, or their base64. */
export type SseCustomerKey = Uint8Array | string;

/** Encryption options of the calls that write an object (put, upload, copy, createMultipartUpload). */
export interface EncryptionOptions {
  /** 'AES256' (SSE-S3), 'aws:kms' (SSE-KMS) or 'aws:kms:dsse'. */
  sse?: ServerSideEncryption;
  /** The KMS key (id or ARN) for 'aws:kms'; the account's default key when left out. */
  sseKmsKeyId?: string;
  /** KMS encryption context, sent as base64 JSON. */
  sseKmsContext?: Record<string, string>;
  /** Use an S3 Bucket Key for SSE-KMS (fewer KMS calls). */
  bucketKeyEnabled?: boolean;
  /** SSE-C: encrypt with this key (AES256; the key's MD5 is sent for you). Reads then need the same key. */
  sseCustomerKey?: SseCustomerKey;
}

/** The SSE-C headers for a key, under `prefix` ('x-amz-' or 'x-amz-copy-source-' for a copy's source). */
export function sseCustomerHeaders(key: SseCustomerKey | undefined, prefix = 'x-amz-', field = 'sseCustomerKey'): Record<string, string> {
  if (key === undefined) return {};
  let bytes: Uint8Array | undefined;
  if (key instanceof Uint8Array) bytes = key;
  else if (typeof key === 'string' && /^[A-Za-z0-9+/]{43}=$/.test(key)) bytes = Buffer.from(key, 'base64');
  if (bytes?.length !== 32) {
    // The key itself never goes into the message.
    throw new S3ConfigError('InvalidSseCustomerKey', `${field} must be 32 bytes (a Uint8Array) or their base64 (44 characters).`);
  }
  const base64 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  return {
    [`${prefix}server-side-encryption-customer-algorithm`]: 'AES256',
    [`${prefix}server-side-encryption-customer-key`]: base64,
    [`${prefix}server-side-encryption-customer-key-md5`]: createHash('md5').update(bytes).digest('base64'),
  };
}

/** The headers of a write with `options`' encryption. */
export function encryptionHeaders(options: EncryptionOptions): Record<string, string> {
  const { sse, sseKmsKeyId, sseKmsContext, bucketKeyEnabled, sseCustomerKey } = options;
  const headers: Record<string, string> = {};
  if (sse !== undefined) {
    if (!SSE_VALUES.has(sse)) {
      throw new S3ConfigError('InvalidEncryption', `sse must be 'AES256', 'aws:kms' or 'aws:kms:dsse', got ${JSON.stringify(String(sse))}.`);
    }
    headers['x-amz-server-side-encryption'] = sse;
  }
  const kms = sse === 'aws:kms' || sse === 'aws:kms:dsse';
  if ((sseKmsKeyId !== undefined || sseKmsContext !== undefined || bucketKeyEnabled !== undefined) && !kms) {
    throw new S3ConfigError('InvalidEncryption', "sseKmsKeyId, sseKmsContext and bucketKeyEnabled go with sse: 'aws:kms' (or 'aws:kms:dsse').");
  }
  if (sseCustomerKey !== undefined && sse !== undefined) {
    throw new S3ConfigError('InvalidEncryption', 'Use either sse (SSE-S3, SSE-KMS) or sseCustomerKey (SSE-C), not both.');
  }
  if (sseKmsKeyId !== undefined) headers['x-amz-server-side-encryption-aws-kms-key-id'] = sseKmsKeyId;
  if (sseKmsContext !== undefined) {
    headers['x-amz-server-side-encryption-context'] = Buffer.from(JSON.stringify(sseKmsContext)).toString('base64');
  }
  if (bucketKeyEnabled !== undefined) headers['x-amz-server-side-encryption-bucket-key-enabled'] = String(bucketKeyEnabled);
  return { ...headers, ...sseCustomerHeaders(sseCustomerKey) };
}

/** Headers whose values are SSE-C keys: the pipeline treats their values as secrets. */
export const SSE_CUSTOMER_KEY_HEADERS: readonly string[] = [
  'x-amz-server-side-encryption-customer-key',
  'x-amz-copy-source-server-side-encryption-customer-key',
];
