/**
 * Bad input is rejected with a typed error (SigningError or SigningRangeError, both S3ConfigError,
 * the client's input error, with a PascalCase code) before anything is signed, and no message ever contains the secret key or
 * the session token.
 */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  ChunkSigner,
  SigV4Signer,
  SigningError,
  SigningRangeError,
  S3ConfigError,
  awsChunkedStream,
  chunkedContentLength,
  type SignerOptions,
} from '../../../src/signer/index.js';
import { pipeThrough } from './frames.js';

const SECRET = 'sEcReT/Key+With=Specials0123456789abcdef';
const TOKEN = 'SeSsIoNtOkEn/abc+def==';
const credentials = { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: SECRET, sessionToken: TOKEN };
const good: SignerOptions = { credentials, region: 'us-east-1', service: 's3' };
const URL_ = 'https://bucket.s3.amazonaws.com/key';
const DATE = new Date('2024-01-02T03:04:05Z');
const signer = new SigV4Signer(good);

type ErrorClass = typeof SigningError | typeof SigningRangeError;

/** Runs `act`, expects an error of `type` with `code`, and checks the message leaks nothing. */
function expectRejected(act: () => unknown, type: ErrorClass, code: string): void {
  let caught: unknown;
  try {
    act();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(type);
  expect(caught).toBeInstanceOf(S3ConfigError);
  const error = caught as SigningError | SigningRangeError;
  expect(error.code).toBe(code);
  expect(error.message).not.toContain(SECRET);
  expect(error.message).not.toContain(TOKEN);
  expect(inspect(error)).not.toContain(SECRET);
}

describe('constructor input errors', () => {
  const table: Array<[string, unknown, ErrorClass, string]> = [
    ['no options', undefined, SigningError, 'InvalidType'],
    ['no credentials', { region: 'us-east-1' }, SigningError, 'InvalidCredentials'],
    ['empty access key id', { ...good, credentials: { ...credentials, accessKeyId: '' } }, SigningError, 'InvalidCredentials'],
    ['access key id with a slash', { ...good, credentials: { ...credentials, accessKeyId: 'A/B' } }, SigningError, 'InvalidCredentials'],
    ['empty secret', { ...good, credentials: { ...credentials, secretAccessKey: '' } }, SigningError, 'InvalidCredentials'],
    ['non-string secret', { ...good, credentials: { ...credentials, secretAccessKey: 42 } }, SigningError, 'InvalidCredentials'],
    ['token with a newline', { ...good, credentials: { ...credentials, sessionToken: `${TOKEN}\n` } }, SigningError, 'InvalidCredentials'],
    ['empty region', { ...good, region: '' }, SigningError, 'InvalidRegion'],
    ['region with a slash', { ...good, region: 'us/east' }, SigningError, 'InvalidRegion'],
    ['secret passed as the region', { ...good, region: SECRET }, SigningError, 'InvalidRegion'],
    ['empty service', { ...good, service: '' }, SigningError, 'InvalidService'],
  ];
  it.each(table)('%s', (_name, options, type, code) => {
    expectRejected(() => new SigV4Signer(options as SignerOptions), type, code);
  });
});

describe('sign() and presign() input errors', () => {
  const table: Array<[string, () => unknown, ErrorClass, string]> = [
    ['relative URL', () => signer.sign({ method: 'GET', url: '/bucket/key' }), SigningError, 'InvalidUrl'],
    ['non-http URL', () => signer.sign({ method: 'GET', url: 'ftp://host/key' }), SigningError, 'InvalidUrl'],
    ['URL without host', () => signer.sign({ method: 'GET', url: 'https:///key' }), SigningError, 'InvalidUrl'],
    ['URL with user info', () => signer.sign({ method: 'GET', url: `https://u:${SECRET}@host/key` }), SigningError, 'InvalidUrl'],
    ['non-http URL object', () => signer.sign({ method: 'GET', url: new URL('file:///etc/passwd') }), SigningError, 'InvalidUrl'],
    ['lower-case method', () => signer.sign({ method: 'get', url: URL_ }), SigningError, 'InvalidMethod'],
    ['unknown method', () => signer.sign({ method: 'FETCH', url: URL_ }), SigningError, 'InvalidMethod'],
    ['header name with a space', () => signer.sign({ method: 'GET', url: URL_, headers: { 'Bad Name': 'x' } }), SigningError, 'InvalidHeader'],
    ['header name with a colon', () => signer.sign({ method: 'GET', url: URL_, headers: [['x:y', 'v']] }), SigningError, 'InvalidHeader'],
    ['non-string header value', () => signer.sign({ method: 'GET', url: URL_, headers: { 'content-length': 5 as unknown as string } }), SigningError, 'InvalidHeader'],
    ['upper-case hex payload hash', () => signer.sign({ method: 'GET', url: URL_, payloadHash: 'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855' }), SigningError, 'InvalidPayloadHash'],
    ['payload hash with a newline', () => signer.sign({ method: 'GET', url: URL_, payloadHash: 'UNSIGNED-PAYLOAD\nx' }), SigningError, 'InvalidPayloadHash'],
    ['bad x-amz-content-sha256 header', () => signer.sign({ method: 'GET', url: URL_, headers: { 'x-amz-content-sha256': 'nope' } }), SigningError, 'InvalidPayloadHash'],
    ['body that is not bytes', () => signer.sign({ method: 'PUT', url: URL_, body: 42 as unknown as string }), SigningError, 'InvalidBody'],
    ['invalid date', () => signer.sign({ method: 'GET', url: URL_, date: new Date('nope') }), SigningError, 'InvalidDate'],
    ['date that is not a Date', () => signer.sign({ method: 'GET', url: URL_, date: '2024-01-01' as unknown as Date }), SigningError, 'InvalidDate'],
    ['date past year 9999', () => signer.sign({ method: 'GET', url: URL_, date: new Date(8.64e15) }), SigningRangeError, 'DateOutOfRange'],
    ['expiresIn 0', () => signer.presign({ method: 'GET', url: URL_, expiresIn: 0 }), SigningRangeError, 'InvalidExpires'],
    ['expiresIn negative', () => signer.presign({ method: 'GET', url: URL_, expiresIn: -1 }), SigningRangeError, 'InvalidExpires'],
    ['expiresIn over 7 days', () => signer.presign({ method: 'GET', url: URL_, expiresIn: 604_801 }), SigningRangeError, 'InvalidExpires'],
    ['expiresIn fractional', () => signer.presign({ method: 'GET', url: URL_, expiresIn: 1.5 }), SigningRangeError, 'InvalidExpires'],
    ['expiresIn NaN', () => signer.presign({ method: 'GET', url: URL_, expiresIn: Number.NaN }), SigningRangeError, 'InvalidExpires'],
    ['expiresIn as a string', () => signer.presign({ method: 'GET', url: URL_, expiresIn: '60' as unknown as number }), SigningRangeError, 'InvalidExpires'],
    ['presigning a presigned URL', () => signer.presign({ method: 'GET', url: signer.presign({ method: 'GET', url: URL_, date: DATE }).url }), SigningError, 'InvalidUrl'],
    ['chunk signer with a bad seed', () => signer.chunkSigner({ seedSignature: 'abc', date: DATE }), SigningError, 'InvalidSignature'],
    ['policy that is not base64', () => signer.signPolicy('{"expiration":1}', DATE), SigningError, 'InvalidPostPolicy'],
    ['empty policy', () => signer.signPolicy('', DATE), SigningError, 'InvalidPostPolicy'],
  ];
  it.each(table)('%s', (_name, act, type, code) => {
    expectRejected(act, type, code);
  });

  it('the boundaries 1 and 604800 seconds are accepted', () => {
    expect(signer.presign({ method: 'GET', url: URL_, expiresIn: 1, date: DATE }).url).toContain('X-Amz-Expires=1&');
    expect(signer.presign({ method: 'GET', url: URL_, expiresIn: 604_800, date: DATE }).url).toContain('X-Amz-Expires=604800&');
  });
});

describe('aws-chunked input errors', () => {
  const chunkSigner = (): ChunkSigner => signer.chunkSigner({ seedSignature: 'a'.repeat(64), date: DATE });
  const table: Array<[string, () => unknown, ErrorClass, string]> = [
    ['negative decoded length', () => chunkedContentLength(-1, 65_536), SigningRangeError, 'InvalidContentLength'],
    ['fractional decoded length', () => chunkedContentLength(1.5, 65_536), SigningRangeError, 'InvalidContentLength'],
    ['chunk size under 8 KiB', () => chunkedContentLength(10, 8191), SigningRangeError, 'InvalidChunkSize'],
    ['stream with chunk size 0', () => awsChunkedStream(chunkSigner(), { chunkSize: 0, decodedLength: 1 }), SigningRangeError, 'InvalidChunkSize'],
    ['0-byte chunk (that is the final chunk)', () => chunkSigner().signChunk(new Uint8Array(0)), SigningError, 'InvalidChunk'],
    ['chunk after the final chunk', () => { const s = chunkSigner(); s.finalChunk(); s.signChunk(new Uint8Array(1)); }, SigningError, 'InvalidChunk'],
    ['ChunkSigner built with a bad seed', () => new ChunkSigner(new Uint8Array(32), '20240102T030405Z', 's', 'x'), SigningError, 'InvalidSignature'],
  ];
  it.each(table)('%s', (_name, act, type, code) => {
    expectRejected(act, type, code);
  });

  it.each([
    ['shorter', 100, 99],
    ['longer', 100, 101],
  ])('a body %s than decodedLength errors the stream (no silent corrupt upload)', async (_name, declared, actual) => {
    const stream = awsChunkedStream(chunkSigner(), { chunkSize: 8192, decodedLength: declared });
    const failure = await pipeThrough(stream, [new Uint8Array(actual)]).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SigningRangeError);
    expect((failure as SigningRangeError).code).toBe('BodyLengthMismatch');
  });

  it('input that is not bytes errors the stream', async () => {
    const stream = awsChunkedStream(chunkSigner(), { decodedLength: 3 });
    const failure = await pipeThrough(stream, ['abc' as unknown as Uint8Array]).catch((error: unknown) => error);
    expect((failure as SigningError).code).toBe('InvalidChunk');
  });
});

describe('credentials stay private', () => {
  it('neither util.inspect nor JSON.stringify of a signer shows the secret or the token', () => {
    for (const text of [inspect(signer, { showHidden: true, depth: 5 }), JSON.stringify(signer)]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(TOKEN);
    }
  });
});
