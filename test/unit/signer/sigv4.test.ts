/**
 * SigV4Signer behaviour the fixtures do not pin: which headers are sent and signed, how URLs and
 * presigned URLs are put together, session tokens, and POST-policy signatures.
 */
import { postPresignSignatureV4 } from 'minio/dist/esm/signing.mjs';
import { describe, expect, it } from 'vitest';
import {
  EMPTY_SHA256,
  SigV4Signer,
  SigningError,
  UNSIGNED_HEADER_NAMES,
  UNSIGNED_PAYLOAD,
  sha256Hex,
} from '../../../src/signer/index.js';

const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const withToken = { ...credentials, sessionToken: 'token/with+chars=' };
const s3 = new SigV4Signer({ credentials, region: 'us-east-1', service: 's3' });
const s3WithToken = new SigV4Signer({ credentials: withToken, region: 'us-east-1', service: 's3' });
const DATE = new Date('2013-05-24T00:00:00Z');
const URL_ = 'https://examplebucket.s3.amazonaws.com/test.txt';

describe('sign(): headers sent', () => {
  it('adds host, x-amz-date, x-amz-content-sha256 and authorization to the caller\'s headers, keeping their names', () => {
    const signed = s3.sign({ method: 'PUT', url: URL_, headers: { 'Content-Type': 'text/plain' }, body: 'hi', date: DATE });
    expect(signed.headers).toEqual({
      'Content-Type': 'text/plain',
      host: 'examplebucket.s3.amazonaws.com',
      'x-amz-date': '20130524T000000Z',
      'x-amz-content-sha256': sha256Hex('hi'),
      authorization: signed.authorization,
    });
    expect(signed.signedHeaders).toBe('content-type;host;x-amz-content-sha256;x-amz-date');
  });

  it('replaces a caller\'s authorization, x-amz-date and x-amz-content-sha256 rather than sending two', () => {
    const signed = s3.sign({
      method: 'GET',
      url: URL_,
      headers: { Authorization: 'old', 'X-Amz-Date': '19990101T000000Z', 'X-Amz-Content-Sha256': UNSIGNED_PAYLOAD },
      date: DATE,
    });
    expect(Object.keys(signed.headers).sort()).toEqual(['authorization', 'host', 'x-amz-content-sha256', 'x-amz-date']);
    expect(signed.headers['x-amz-content-sha256']).toBe(UNSIGNED_PAYLOAD); // the caller's value is the payload hash
    expect(signed.headers['x-amz-date']).toBe('20130524T000000Z');
  });

  it('an explicit payloadHash wins over the header and the body', () => {
    const signed = s3.sign({
      method: 'PUT',
      url: URL_,
      headers: { 'x-amz-content-sha256': EMPTY_SHA256 },
      body: 'ignored',
      payloadHash: UNSIGNED_PAYLOAD,
      date: DATE,
    });
    expect(signed.payloadHash).toBe(UNSIGNED_PAYLOAD);
    expect(signed.canonicalRequest.endsWith('\nUNSIGNED-PAYLOAD')).toBe(true);
  });

  it('sends and signs x-amz-security-token with a session token', () => {
    const signed = s3WithToken.sign({ method: 'GET', url: URL_, date: DATE });
    expect(signed.headers['x-amz-security-token']).toBe(withToken.sessionToken);
    expect(signed.signedHeaders).toBe('host;x-amz-content-sha256;x-amz-date;x-amz-security-token');
  });

  it('a caller\'s host header wins over the URL\'s (signing for a proxy or a custom Host)', () => {
    const signed = s3.sign({ method: 'GET', url: 'http://127.0.0.1:9000/b/k', headers: { Host: 'b.example.com' }, date: DATE });
    expect(signed.canonicalRequest).toContain('\nhost:b.example.com\n');
    expect(signed.headers).not.toHaveProperty('host');
  });

  it.each([
    ['https://h.example:443/k', 'h.example'],
    ['http://h.example:80/k', 'h.example'],
    ['http://h.example:9000/k', 'h.example:9000'],
    ['https://H.Example/k', 'h.example'],
  ])('the host of %s is signed as %s', (url, host) => {
    expect(s3.sign({ method: 'GET', url, date: DATE }).headers.host).toBe(host);
  });

  it('a URL object and its string sign the same', () => {
    const url = 'https://examplebucket.s3.amazonaws.com/a%20b/c?list-type=2&prefix=x%2Fy';
    expect(s3.sign({ method: 'GET', url: new URL(url), date: DATE }).signature).toBe(
      s3.sign({ method: 'GET', url, date: DATE }).signature,
    );
  });

  it('S3 signs the path as sent: dot segments and double slashes are part of the key', () => {
    const signed = s3.sign({ method: 'GET', url: 'https://b.s3.amazonaws.com/a//b/./../c', date: DATE });
    expect(signed.canonicalRequest.split('\n')[1]).toBe('/a//b/./../c');
  });

  it('other services get no x-amz-content-sha256 header', () => {
    const sts = new SigV4Signer({ credentials, region: 'us-east-1', service: 'sts' });
    const signed = sts.sign({ method: 'POST', url: 'https://sts.amazonaws.com/', body: 'Action=GetCallerIdentity', date: DATE });
    expect(signed.headers).not.toHaveProperty('x-amz-content-sha256');
    expect(signed.canonicalRequest.endsWith(`\n${sha256Hex('Action=GetCallerIdentity')}`)).toBe(true);
  });

  it('repeated headers (pairs, array values, or names differing in case) are signed once, joined with ","', () => {
    const viaPairs = s3.sign({ method: 'GET', url: URL_, headers: [['X-Meta', ' a '], ['x-meta', 'b']], date: DATE });
    const viaArray = s3.sign({ method: 'GET', url: URL_, headers: { 'x-meta': ['a', 'b'] }, date: DATE });
    const viaCase = s3.sign({ method: 'GET', url: URL_, headers: { 'X-Meta': 'a', 'x-meta': 'b' }, date: DATE });
    for (const signed of [viaPairs, viaArray, viaCase]) expect(signed.canonicalRequest).toContain('\nx-meta:a,b\n');
    expect(viaPairs.signature).toBe(viaArray.signature);
    expect(viaCase.signature).toBe(viaArray.signature);
  });

  // (authorization is the exception: it is replaced, see above)
  it.each(UNSIGNED_HEADER_NAMES.filter((name) => name !== 'authorization'))('%s is sent but never signed', (name) => {
    const signed = s3.sign({ method: 'GET', url: URL_, headers: { [name]: 'value' }, date: DATE });
    expect(signed.headers[name]).toBe('value');
    expect(signed.signedHeaders.split(';')).not.toContain(name);
  });

  it('content-length, cache-control and date are signed', () => {
    const signed = s3.sign({
      method: 'PUT',
      url: URL_,
      headers: { 'Content-Length': '2', 'Cache-Control': 'no-cache', Date: 'Fri, 24 May 2013 00:00:00 GMT' },
      body: 'hi',
      date: DATE,
    });
    expect(signed.signedHeaders).toBe('cache-control;content-length;date;host;x-amz-content-sha256;x-amz-date');
  });

  it('signs the same way whatever other requests were signed in between (no per-request state)', () => {
    const first = s3.sign({ method: 'GET', url: URL_, date: DATE });
    s3.sign({ method: 'PUT', url: `${URL_}?uploads`, headers: { a: 'b' }, body: 'x', date: new Date('2030-01-01T00:00:00Z') });
    s3.presign({ method: 'GET', url: URL_, date: new Date('2001-01-01T00:00:00Z') });
    expect(s3.sign({ method: 'GET', url: URL_, date: DATE })).toEqual(first);
  });
});

describe('presign()', () => {
  it('keeps the caller\'s query first, then appends the X-Amz-* parameters and the signature', () => {
    const presigned = s3.presign({
      method: 'GET',
      url: `${URL_}?response-content-type=text%2Fplain&versionId=3`,
      expiresIn: 60,
      date: DATE,
    });
    expect(presigned.url).toBe(
      `${URL_}?response-content-type=text%2Fplain&versionId=3&X-Amz-Algorithm=AWS4-HMAC-SHA256` +
        '&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z' +
        `&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=${presigned.signature}`,
    );
    expect(presigned.canonicalRequest.split('\n')[2]).toBe(
      'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request' +
        '&X-Amz-Date=20130524T000000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&response-content-type=text%2Fplain&versionId=3',
    );
  });

  it('defaults to 3600 seconds and UNSIGNED-PAYLOAD for S3', () => {
    const presigned = s3.presign({ method: 'PUT', url: URL_, date: DATE });
    expect(presigned.url).toContain('&X-Amz-Expires=3600&');
    expect(presigned.canonicalRequest.endsWith('\nUNSIGNED-PAYLOAD')).toBe(true);
  });

  it('signs the session token as X-Amz-Security-Token', () => {
    const presigned = s3WithToken.presign({ method: 'GET', url: URL_, date: DATE });
    expect(new URL(presigned.url).searchParams.get('X-Amz-Security-Token')).toBe(withToken.sessionToken);
    expect(presigned.canonicalRequest).toContain('&X-Amz-Security-Token=token%2Fwith%2Bchars%3D&');
  });

  it('signs the headers the user of the URL must send', () => {
    const presigned = s3.presign({ method: 'PUT', url: URL_, headers: { 'Content-Type': 'image/png' }, date: DATE });
    expect(presigned.signedHeaders).toBe('content-type;host');
    expect(presigned.url).toContain('&X-Amz-SignedHeaders=content-type%3Bhost&');
  });
});

describe('signPolicy()', () => {
  it('agrees with minio\'s POST-policy signature and returns the form fields', () => {
    const policy = Buffer.from(
      JSON.stringify({ expiration: '2013-05-25T00:00:00.000Z', conditions: [{ bucket: 'examplebucket' }, ['starts-with', '$key', 'user/']] }),
    ).toString('base64');
    const signed = s3.signPolicy(policy, DATE);
    expect(signed).toEqual({
      algorithm: 'AWS4-HMAC-SHA256',
      credential: 'AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request',
      amzDate: '20130524T000000Z',
      signature: postPresignSignatureV4('us-east-1', DATE, credentials.secretAccessKey, policy),
    });
  });
});

describe('a pre-split WireUrl', () => {
  const signer = new SigV4Signer({
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
    region: 'us-east-1',
    service: 's3',
  });
  const date = new Date('2024-01-02T03:04:05Z');
  const wire = { origin: 'https://bucket.s3.amazonaws.com', host: 'bucket.s3.amazonaws.com', path: '/a%20b/./c', query: 'x=1&y' };

  it('signs and presigns exactly as the same URL given as a string', () => {
    const url = `${wire.origin}${wire.path}?${wire.query}`;
    expect(signer.sign({ method: 'GET', url: wire, date }).authorization).toBe(signer.sign({ method: 'GET', url, date }).authorization);
    expect(signer.presign({ method: 'GET', url: wire, date }).url).toBe(signer.presign({ method: 'GET', url, date }).url);
  });

  it.each([
    ['a path without a leading slash', { ...wire, path: 'a' }],
    ['an origin that is not http(s)', { ...wire, origin: 'ftp://bucket' }],
    ['an empty host', { ...wire, host: '' }],
    ['a host with a line break', { ...wire, host: 'bucket.s3.amazonaws.com\nx-injected:1' }],
    ['a path with a space', { ...wire, path: '/a b' }],
  ])('rejects %s', (_name, bad) => {
    expect(() => signer.sign({ method: 'GET', url: bad, date })).toThrow(SigningError);
  });
});
