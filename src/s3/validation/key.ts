/**
 * Object keys (and key-like strings: prefixes, start-after, POST key prefixes): UTF-8 on the wire,
 * so well-formed UTF-16 (a lone surrogate would be sent as U+FFFD, another key), and at most 1024
 * bytes. https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html
 */
import { describeValue, quoteForMessage } from '../config-error.js';
import { S3_LIMITS } from './limits.js';
import { fail, type Rule } from './rules.js';
import type { S3ConfigErrorCode } from '../config-error.js';

const LONE_SURROGATE = /\p{Cs}/u;

/** A key-like string: `nonEmpty` for keys themselves; prefixes may be ''. */
export function keyString(code: S3ConfigErrorCode, opts: { nonEmpty: boolean }): Rule {
  return (value, field) => {
    if (typeof value !== 'string') fail(code, field, `expected a string, got ${describeValue(value)}.`);
    if (opts.nonEmpty && value === '') {
      fail(code, field, 'is an empty string: an object key has 1 to 1024 UTF-8 bytes (to address the bucket itself, use the bucket methods).');
    }
    const surrogate = LONE_SURROGATE.exec(value);
    if (surrogate !== null) {
      fail(
        code,
        field,
        `${quoteForMessage(value)} has a lone UTF-16 surrogate at index ${surrogate.index}: it has no UTF-8 form (it would be sent as U+FFFD, a different key); fix the code that built it.`,
      );
    }
    // 3 bytes per UTF-16 unit at most: short strings need no byte count.
    if (value.length * 3 > S3_LIMITS.maxKeyBytes) {
      const bytes = Buffer.byteLength(value, 'utf8');
      if (bytes > S3_LIMITS.maxKeyBytes) {
        fail(code, field, `is ${bytes} UTF-8 bytes (${value.length} characters): S3 keys are at most ${S3_LIMITS.maxKeyBytes} bytes.`);
      }
    }
  };
}

export const objectKey: Rule = keyString('InvalidKey', { nonEmpty: true });
