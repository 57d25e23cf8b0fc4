/**
 * Checksums over bodies: computing one for a request body before it is sent, and verifying a
 * response body against the checksum the server stored, as the bytes pass.
 */
import { Transform, type TransformCallback } from 'node:stream';
import type { PreparedBody } from '../body.js';
import { S3ConfigError } from '../config-error.js';
import { S3Error } from '../errors.js';
import { digestFileRange } from '../file-chunks.js';
import { createChecksum, type ChecksumAlgorithm, type ObjectChecksum, type RunningChecksum } from './index.js';

/**
 * The checksum of a request body, for its `x-amz-checksum-*` header: from the bytes in memory, or
 * one pass over a file or Blob. A one-shot stream cannot be read twice, and the header must go
 * before the body: such bodies need bytes, a file, or upload() (which holds each part in memory).
 */
export async function checksumOfBody(body: PreparedBody, algorithm: ChecksumAlgorithm): Promise<string> {
  const running = createChecksum(algorithm);
  if (body.bytes !== undefined) {
    running.update(body.bytes);
    return running.digest();
  }
  if (!body.replayable) {
    throw new S3ConfigError(
      'UnhashableBody',
      'checksum needs the body twice (checksum, then send): pass bytes, a Blob or a file, or use upload() for a stream.',
    );
  }
  if (body.file) await digestFileRange(body.file, (chunk) => running.update(chunk));
  else for await (const chunk of body.open()) running.update(chunk as Uint8Array);
  return running.digest();
}

/** What a response's bytes are checked against, and where the result is reported. */
export interface ChecksumExpectation {
  readonly expected: ObjectChecksum;
  readonly bucket: string;
  readonly key: string;
  readonly statusCode: number;
}

/**
 * Whether a whole-object GET can be verified: a FULL_OBJECT checksum (or a single PUT's) of all the
 * bytes. A COMPOSITE multipart checksum (`…-N`) is of the parts' checksums, and a range has none.
 */
export function verifiable(checksum: ObjectChecksum | undefined, ranged: boolean): checksum is ObjectChecksum {
  return checksum !== undefined && !ranged && checksum.type !== 'COMPOSITE' && !/-\d+$/.test(checksum.value);
}

export function checksumMismatch(expectation: ChecksumExpectation, actual: string): S3Error {
  const { expected, bucket, key, statusCode } = expectation;
  return new S3Error({
    code: 'ChecksumMismatch',
    serverMessage: `The bytes read have ${expected.algorithm} ${actual}, but the stored object's is ${expected.value}: the data was corrupted on the way. Read it again.`,
    method: 'GET',
    statusCode,
    bucket,
    key,
  });
}

/** A running check: feed it the bytes, then `finish()` throws ChecksumMismatch if they differ. */
export class ChecksumCheck {
  readonly #running: RunningChecksum;
  readonly #expectation: ChecksumExpectation;

  constructor(expectation: ChecksumExpectation) {
    this.#expectation = expectation;
    this.#running = createChecksum(expectation.expected.algorithm);
  }

  update(data: Uint8Array): void {
    this.#running.update(data);
  }

  finish(): void {
    const actual = this.#running.digest();
    if (actual !== this.#expectation.expected.value) throw checksumMismatch(this.#expectation, actual);
  }

  /**
   * A pass-through stream that checks the bytes going through it and ends with the mismatch error
   * instead of a clean end: a reader never sees corrupt bytes finish as if they were good.
   */
  transform(): Transform {
    return new Transform({
      transform: (chunk: Uint8Array, _encoding, callback: TransformCallback) => {
        this.update(chunk);
        callback(null, chunk);
      },
      flush: (callback: TransformCallback) => {
        try {
          this.finish();
          callback();
        } catch (error) {
          callback(error as Error);
        }
      },
    });
  }
}
