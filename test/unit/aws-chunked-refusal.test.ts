/**
 * Which error answers mean "this store lacks aws-chunked" (so the pipeline falls back and remembers
 * it), and which do not (a store that checks the encoding and found it wrong, or lacks another feature).
 * The Swift row is its real answer (Debian's swift 2.30 s3api); the whole fallback runs against
 * Swift in test/integration.
 */
import { describe, expect, it } from 'vitest';
import { refusesAwsChunked, S3Error } from '../../src/s3/errors.js';

const cases: readonly [string, { code: string; statusCode: number; serverMessage?: string }, boolean][] = [
  ['OpenStack Swift s3api', { code: 'NotImplemented', statusCode: 501, serverMessage: 'Transfering payloads in multiple chunks using aws-chunked is not supported.' }, true],
  ['a bare 501 without a body', { code: 'NotImplemented', statusCode: 501 }, true],
  ['400 InvalidArgument naming x-amz-content-sha256', { code: 'InvalidArgument', statusCode: 400, serverMessage: 'Invalid argument: x-amz-content-sha256 STREAMING-AWS4-HMAC-SHA256-PAYLOAD' }, true],
  ['400 InvalidRequest naming Content-Encoding', { code: 'InvalidRequest', statusCode: 400, serverMessage: 'Content-Encoding aws-chunked is not supported' }, true],
  ['Swift: a conditional PUT is another missing feature', { code: 'NotImplemented', statusCode: 501, serverMessage: 'Conditional object PUTs are not supported.' }, false],
  ['a store that checks the chunks and found a mismatch', { code: 'XAmzContentSHA256Mismatch', statusCode: 400, serverMessage: 'The provided x-amz-content-sha256 header does not match' }, false],
  ['a bad signature', { code: 'SignatureDoesNotMatch', statusCode: 403 }, false],
  ['400 InvalidArgument about something else', { code: 'InvalidArgument', statusCode: 400, serverMessage: 'Part number must be an integer between 1 and 10000' }, false],
];

describe('refusesAwsChunked', () => {
  it.each(cases)('%s → %s', (_name, error, expected) => {
    expect(refusesAwsChunked(error)).toBe(expected);
  });

  it("the error for an aws-chunked body a store refused names payloadSigning; other errors do not", () => {
    const body = '<Error><Code>NotImplemented</Code><Message>Transfering payloads in multiple chunks using aws-chunked is not supported.</Message></Error>';
    const refused = S3Error.fromResponse({ statusCode: 501, headers: {}, body, method: 'PUT', bucket: 'b', key: 'k', sentAwsChunked: true });
    expect(refused.hint).toContain("payloadSigning: 'unsigned'");
    expect(refused.message).toContain('payloadSigning');
    const plain = S3Error.fromResponse({ statusCode: 501, headers: {}, body, method: 'PUT', bucket: 'b', key: 'k' });
    expect(plain.hint ?? '').not.toContain('payloadSigning');
  });
});
