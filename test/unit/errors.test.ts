import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { isExpiredCredentialsCode, isRetryableCode, S3Error, S3NetworkError, type ResponseHeaders } from '../../src/s3/errors.js';
import { redactHeaders, redactText, redactUrl } from '../../src/s3/redact.js';

const ERRORS = join(import.meta.dirname, '..', 'fixtures', 'xml', 'error');
const fixture = (name: string): string => readFileSync(join(ERRORS, name), 'utf8');

/** Everything a reader or a log could see of an error. */
function everything(e: Error): string {
  return `${e.message}\n${e.stack ?? ''}\n${JSON.stringify(e)}\n${inspect(e, { depth: 5 })}`;
}

describe('S3Error.fromResponse: status, body and headers → code, retryable', () => {
  interface Row {
    name: string;
    status: number;
    body?: string; // fixture file in test/fixtures/xml/error
    method?: string;
    headers?: ResponseHeaders;
    code: string;
    retryable: boolean;
    region?: string;
    requestId?: string;
  }
  const rows: Row[] = [
    { name: 'HEAD object 404, no body', status: 404, method: 'HEAD', code: 'NotFound', retryable: false },
    { name: 'GET 404 NoSuchKey body', status: 404, body: 'no-such-key.xml', code: 'NoSuchKey', retryable: false, requestId: '4442587FB7D0A2F9' },
    { name: 'GET 404 NoSuchKey, Ceph RGW', status: 404, body: 'ceph-rgw-no-such-key.xml', code: 'NoSuchKey', retryable: false },
    { name: 'GET 404 NoSuchBucket', status: 404, body: 'no-such-bucket.xml', code: 'NoSuchBucket', retryable: false },
    { name: 'HEAD 403, no body', status: 403, method: 'HEAD', code: 'Forbidden', retryable: false },
    { name: '403 AccessDenied', status: 403, body: 'access-denied.xml', code: 'AccessDenied', retryable: false },
    { name: '403 InvalidAccessKeyId', status: 403, body: 'invalid-access-key-id.xml', code: 'InvalidAccessKeyId', retryable: false },
    { name: '403 SignatureDoesNotMatch', status: 403, body: 'signature-does-not-match.xml', code: 'SignatureDoesNotMatch', retryable: false },
    { name: '403 RequestTimeTooSkewed', status: 403, body: 'request-time-too-skewed.xml', code: 'RequestTimeTooSkewed', retryable: false },
    { name: '400 ExpiredToken', status: 400, body: 'expired-token.xml', code: 'ExpiredToken', retryable: false },
    {
      name: 'HEAD 301, no body, x-amz-bucket-region',
      status: 301,
      method: 'HEAD',
      headers: { 'x-amz-bucket-region': 'eu-west-1', 'x-amz-request-id': 'HEADREQ1' },
      code: 'PermanentRedirect',
      retryable: false,
      region: 'eu-west-1',
      requestId: 'HEADREQ1',
    },
    {
      name: '301 PermanentRedirect body',
      status: 301,
      body: 'permanent-redirect.xml',
      headers: { 'X-Amz-Bucket-Region': 'eu-west-1' },
      code: 'PermanentRedirect',
      retryable: false,
      region: 'eu-west-1',
    },
    { name: '400 AuthorizationHeaderMalformed', status: 400, body: 'authorization-header-malformed.xml', code: 'AuthorizationHeaderMalformed', retryable: false, region: 'eu-central-1' },
    { name: '503 SlowDown', status: 503, body: 'slow-down.xml', code: 'SlowDown', retryable: true },
    { name: 'HEAD 503, no body', status: 503, method: 'HEAD', code: 'ServiceUnavailable', retryable: true },
    { name: '500 InternalError', status: 500, body: 'internal-error.xml', code: 'InternalError', retryable: true },
    { name: '200 with an InternalError body (CompleteMultipartUpload)', status: 200, body: 'internal-error.xml', code: 'InternalError', retryable: true },
    { name: '502 HTML page from a proxy', status: 502, body: 'proxy-html.xml', code: 'BadGateway', retryable: true },
    { name: '501 no body', status: 501, code: 'NotImplemented', retryable: false },
    { name: '418 no body', status: 418, code: 'Http418', retryable: false },
    { name: 'x-amz-request-id header when the body has none', status: 404, method: 'HEAD', headers: { 'x-amz-request-id': ['ABC', 'DEF'] }, code: 'NotFound', retryable: false, requestId: 'ABC' },
  ];

  it.each(rows)('$name → $code, retryable $retryable', (row) => {
    const e = S3Error.fromResponse({
      statusCode: row.status,
      headers: row.headers ?? {},
      body: row.body ? fixture(row.body) : '',
      method: row.method ?? 'GET',
      bucket: 'examplebucket',
      key: 'photos/a.jpg',
    });
    expect(e).toBeInstanceOf(S3Error);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('S3Error');
    expect(e.code).toBe(row.code);
    expect(e.statusCode).toBe(row.status);
    expect(e.retryable).toBe(row.retryable);
    if (row.region !== undefined) expect(e.region).toBe(row.region);
    if (row.requestId !== undefined) expect(e.requestId).toBe(row.requestId);
  });
});

describe('isRetryableCode', () => {
  it.each([
    ['SlowDown', 503, true],
    ['RequestTimeout', 400, true],
    ['Throttling', 400, true],
    ['ThrottlingException', 400, true],
    ['OperationAborted', 409, true],
    ['InternalError', 200, true],
    ['SomethingNew', 500, true],
    ['SomethingNew', 429, true],
    ['SomethingNew', 408, true],
    ['NotImplemented', 501, false],
    ['NoSuchKey', 404, false],
    ['AccessDenied', 403, false],
    ['SignatureDoesNotMatch', 403, false],
    ['ExpiredToken', 400, false],
    ['ECONNRESET', 0, true],
    ['UND_ERR_SOCKET', 0, true],
    ['EAI_AGAIN', 0, true],
    ['ENOTFOUND', 0, false],
    ['ABORT_ERR', 0, false],
  ])('%s with status %d → %s', (code, status, expected) => {
    expect(isRetryableCode(code, status)).toBe(expected);
  });

  it('marks expired-token codes as needing fresh credentials', () => {
    expect(isExpiredCredentialsCode('ExpiredToken')).toBe(true);
    expect(isExpiredCredentialsCode('AccessDenied')).toBe(false);
  });
});

describe('S3Error message', () => {
  it('reads "<code>: <message> (HTTP <status>, <method> bucket/key, request id …)" then a hint', () => {
    const e = S3Error.fromResponse({ statusCode: 404, headers: {}, body: fixture('no-such-key.xml'), method: 'GET', bucket: 'examplebucket', key: 'photos/a.jpg' });
    expect(e.message.split('\n')[0]).toBe(
      'NoSuchKey: The specified key does not exist. (HTTP 404, GET examplebucket/photos/a.jpg, request id 4442587FB7D0A2F9)',
    );
    expect(e.message).toContain('Hint: No object at key "photos/a.jpg"');
    expect(e.serverMessage).toBe('The specified key does not exist.');
    expect(e.hostId).toBe('Uuag1LuByRx9e6j5Onimru9pO4ZVKnJ2Qz7/C1NPcfTWAtRPfTaOFg==');
  });

  it('takes bucket and key from the body when the caller did not give them', () => {
    const e = S3Error.fromResponse({ statusCode: 404, headers: {}, body: fixture('no-such-bucket.xml'), method: 'GET' });
    expect(e.bucket).toBe('examplebucket');
    expect(e.message).toContain('GET examplebucket,');
  });

  it('explains a HEAD 404 without a body', () => {
    const e = S3Error.fromResponse({ statusCode: 404, headers: {}, body: '', method: 'HEAD', bucket: 'b', key: 'k' });
    expect(e.message).toMatch(/^NotFound: the bucket or key does not exist \(a HEAD response has no body to say which\) \(HTTP 404, HEAD b\/k\)/);
  });

  it.each([
    ['no-such-bucket.xml', 404, /Bucket "examplebucket" does not exist at this endpoint/],
    ['access-denied.xml', 403, /check the IAM and bucket policies/],
    ['invalid-access-key-id.xml', 403, /does not know access key "AKIAI44QH8DHBEXAMPLE"/],
    ['request-time-too-skewed.xml', 403, /server time 2024-03-11T09:30:00Z, request time 20240311T090000Z.*NTP/],
    ['permanent-redirect.xml', 301, /another region \(eu-west-1\).*examplebucket\.s3\.eu-west-1\.amazonaws\.com/],
    ['authorization-header-malformed.xml', 400, /server expects "eu-central-1"/],
    ['expired-token.xml', 400, /the client asks it again and retries once by itself; with static credentials, pass fresh ones/],
    ['slow-down.xml', 503, /lower the concurrency/],
    ['proxy-html.xml', 502, /not an S3 error document: "<html> <head><title>502 Bad Gateway.*A proxy or load balancer answered/s],
  ])('%s gives a next step', (file, status, hint) => {
    const e = S3Error.fromResponse({
      statusCode: status,
      headers: file === 'permanent-redirect.xml' ? { 'x-amz-bucket-region': 'eu-west-1' } : {},
      body: fixture(file),
      method: 'GET',
      bucket: 'examplebucket',
      key: 'k',
    });
    expect(e.message).toMatch(hint);
  });

  it('uses the status text when the body has an empty <Message> (Ceph RGW)', () => {
    const e = S3Error.fromResponse({ statusCode: 404, headers: {}, body: fixture('ceph-rgw-no-such-key.xml'), method: 'GET', key: 'k' });
    expect(e.message.split('\n')[0]).toBe(
      'NoSuchKey: Not Found (HTTP 404, GET rgw-bucket/k, request id tx00000e2b4c6d8f0a1b3c5-0065eed9a8-1c2f4-default)',
    );
  });

  it('takes a client-side message for errors the client detects itself', () => {
    const e = new S3Error({ code: 'MissingETag', message: 'UploadPart 3 answered without an ETag.', statusCode: 200, bucket: 'b', key: 'k' });
    expect(e.message).toBe('MissingETag: UploadPart 3 answered without an ETag. (HTTP 200)');
    expect(e.serverMessage).toBeUndefined();
    expect(e.retryable).toBe(false);
  });

  it('names the region the request was signed for next to the one the server expects', () => {
    const e = S3Error.fromResponse({ statusCode: 400, headers: {}, body: fixture('authorization-header-malformed.xml'), method: 'GET', region: 'us-east-1' });
    expect(e.message).toContain('signed for the wrong region (signed for us-east-1); the server expects "eu-central-1"');
    expect(e.region).toBe('eu-central-1');
  });

  it('keeps Endpoint and Region, and other body fields, in details', () => {
    const redirect = S3Error.fromResponse({ statusCode: 301, headers: {}, body: fixture('permanent-redirect.xml'), method: 'GET' });
    expect(redirect.details).toEqual({ Endpoint: 'examplebucket.s3.eu-west-1.amazonaws.com' });
    const malformed = S3Error.fromResponse({ statusCode: 400, headers: {}, body: fixture('authorization-header-malformed.xml'), method: 'GET' });
    expect(malformed.details).toEqual({ Region: 'eu-central-1' });
    const skew = S3Error.fromResponse({ statusCode: 403, headers: {}, body: fixture('request-time-too-skewed.xml'), method: 'GET' });
    expect(skew.details).toMatchObject({ ServerTime: '2024-03-11T09:30:00Z', MaxAllowedSkewMilliseconds: '900000' });
  });

  it('drops the token AWS echoes in an ExpiredToken body', () => {
    const e = S3Error.fromResponse({ statusCode: 400, headers: {}, body: fixture('expired-token.xml'), method: 'GET' });
    expect(e.details).toBeUndefined();
    expect(everything(e)).not.toContain('IQoJb3JpZ2luX2VjEXAMPLE');
  });
});

describe('SignatureDoesNotMatch', () => {
  const fromFixture = (name: string, secrets: string[] = []) =>
    S3Error.fromResponse({
      statusCode: 403,
      headers: {},
      body: fixture(`${name}.xml`),
      method: 'GET',
      bucket: 'examplebucket',
      key: 'test.txt',
      canonicalRequest: fixture(`${name}.ours-creq.txt`),
      stringToSign: fixture(`${name}.ours-sts.txt`),
      secrets,
    });

  it('keeps the server canonical request and string to sign next to ours', () => {
    const e = fromFixture('signature-does-not-match');
    expect(e.serverCanonicalRequest).toContain('host:examplebucket.s3.amazonaws.com');
    expect(e.canonicalRequest).toContain('host:localhost:9000');
    expect(e.serverStringToSign?.split('\n')[3]).toBe('7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972');
    expect(e.stringToSign).toBe(fixture('signature-does-not-match.ours-sts.txt'));
  });

  it('names the first differing line, marked "- server" / "+ ours", and the likely cause', () => {
    const e = fromFixture('signature-does-not-match');
    expect(e.message).toContain('Canonical request differs from the server\'s:');
    expect(e.message).toContain('- server line 4 (header host): host:examplebucket.s3.amazonaws.com');
    expect(e.message).toContain('+ ours   line 4 (header host): host:localhost:9000');
    expect(e.message).toContain('a proxy or load balancer rewrote it');
    expect(e.message).toContain('Usual causes: a wrong secret access key, clock skew, the wrong region, a proxy rewriting Host or the path.');
    // Only the differing line: the identical range and date lines are not listed.
    expect(e.message).not.toContain('range:bytes=0-9');
  });

  it('names a path difference and contains no secret, token or signature anywhere', () => {
    const secrets = JSON.parse(fixture('signature-does-not-match-session-token.secrets.json')) as Record<string, string>;
    const e = fromFixture('signature-does-not-match-session-token', [secrets.secretAccessKey ?? '', secrets.sessionToken ?? '']);
    expect(e.message).toContain('- server line 2 (canonical URI): /2024/a/b.jpg');
    expect(e.message).toContain('+ ours   line 2 (canonical URI): /2024/a%2Fb.jpg');
    expect(e.message).toContain('a proxy decoded or re-encoded it');
    const seen = everything(e);
    for (const secret of Object.values(secrets)) expect(seen).not.toContain(secret);
    expect(seen).not.toContain('CanonicalRequestBytes');
    expect(seen).not.toContain('SignatureProvided');
    expect(e.serverCanonicalRequest).toContain('x-amz-security-token:<redacted>');
    expect(e.details).toMatchObject({ AWSAccessKeyId: 'ASIAIOSFODNN7EXAMPLE' });
    expect(e.details?.StringToSignBytes).toMatch(/^41 57 53 34/);
  });

  it('is not misled by a canonical request the caller already redacted', () => {
    const e = S3Error.fromResponse({
      statusCode: 403,
      headers: {},
      body: fixture('signature-does-not-match-session-token.xml'),
      method: 'GET',
      canonicalRequest: redactText(fixture('signature-does-not-match-session-token.ours-creq.txt')),
    });
    expect(e.message).toContain('- server line 2 (canonical URI)');
    expect(e.message).not.toContain('(header x-amz-security-token)');
  });

  it('redacts the session token by its header name even when the caller passes no secrets', () => {
    const e = fromFixture('signature-does-not-match-session-token');
    expect(everything(e)).not.toContain('IQoJb3JpZ2luX2VjEXAMPLE');
  });

  it('says the secret key is wrong when both sides built the same canonical request and string to sign', () => {
    const body = fixture('signature-does-not-match.xml');
    const fields = S3Error.fromResponse({ statusCode: 403, headers: {}, body, method: 'GET' });
    const e = S3Error.fromResponse({
      statusCode: 403,
      headers: {},
      body,
      method: 'GET',
      canonicalRequest: fields.serverCanonicalRequest,
      stringToSign: fields.serverStringToSign,
    });
    expect(e.message).toContain('the secret access key is wrong');
  });

  it('shows a credential-scope difference in the string to sign', () => {
    const body = fixture('signature-does-not-match.xml');
    const server = S3Error.fromResponse({ statusCode: 403, headers: {}, body, method: 'GET' });
    const e = S3Error.fromResponse({
      statusCode: 403,
      headers: {},
      body,
      method: 'GET',
      canonicalRequest: server.serverCanonicalRequest,
      stringToSign: server.serverStringToSign?.replace('us-east-1', 'eu-west-1'),
    });
    expect(e.message).toContain('- server line 3 (credential scope): 20130524/us-east-1/s3/aws4_request');
    expect(e.message).toContain('+ ours   line 3 (credential scope): 20130524/eu-west-1/s3/aws4_request');
  });

  it.each(['ceph-rgw-signature-does-not-match', 'minio-signature-does-not-match'])(
    '%s: says the server sent no canonical request to compare',
    (name) => {
      const e = S3Error.fromResponse({
        statusCode: 403,
        headers: {},
        body: fixture(`${name}.xml`),
        method: 'PUT',
        canonicalRequest: fixture('signature-does-not-match.ours-creq.txt'),
      });
      expect(e.message).toContain('The server sent no canonical request to compare with ours');
      expect(e.message).toContain('ours is in error.canonicalRequest');
      expect(e.serverCanonicalRequest).toBeUndefined();
    },
  );
});

describe('S3Error serialization', () => {
  it('toJSON carries the fields, redacted, without a stack', () => {
    const e = S3Error.fromResponse({
      statusCode: 403,
      headers: { 'x-amz-request-id': 'R1' },
      body: fixture('signature-does-not-match.xml'),
      method: 'GET',
      bucket: 'examplebucket',
      key: 'test.txt',
    });
    const json = JSON.parse(JSON.stringify(e)) as Record<string, unknown>;
    expect(json).toMatchObject({ name: 'S3Error', code: 'SignatureDoesNotMatch', statusCode: 403, retryable: false, bucket: 'examplebucket', key: 'test.txt' });
    expect(json).not.toHaveProperty('stack');
    expect(JSON.stringify(json)).not.toContain('2c5ab0ad2b7d4c3f0a9f1e8d7c6b5a4938271605f4e3d2c1b0a9f8e7d6c5b4a3');
  });

  it('has no undefined own properties (short util.inspect output)', () => {
    const e = S3Error.fromResponse({ statusCode: 404, headers: {}, body: '', method: 'HEAD' });
    expect(Object.keys(e).sort()).toEqual(['code', 'hint', 'method', 'name', 'retryable', 'statusCode'].sort());
  });
});

describe('S3NetworkError.from', () => {
  it('finds the socket error code under fetch()\'s "fetch failed"', () => {
    const socket = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const e = S3NetworkError.from(new TypeError('fetch failed', { cause: socket }), { method: 'PUT', bucket: 'b', key: 'k' });
    expect(e.code).toBe('ECONNRESET');
    expect(e.retryable).toBe(true);
    expect(e.message).toBe('ECONNRESET: read ECONNRESET (PUT b/k)');
    expect(e.cause).toBeInstanceOf(TypeError);
  });

  it('wraps a cause given to the constructor, with the method and origin', () => {
    const cause = new TypeError('fetch failed', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) });
    const e = new S3NetworkError(cause, 'GET', 'https://s3.eu-west-1.amazonaws.com');
    expect(e).toMatchObject({ name: 'S3NetworkError', code: 'UND_ERR_SOCKET', retryable: true });
    expect(e.message).toBe('UND_ERR_SOCKET: other side closed (GET https://s3.eu-west-1.amazonaws.com)');
  });

  it('does not retry a DNS name that does not exist', () => {
    const e = S3NetworkError.from(Object.assign(new Error('getaddrinfo ENOTFOUND nope.example'), { code: 'ENOTFOUND' }));
    expect(e.retryable).toBe(false);
  });

  it('redacts secrets in the underlying message', () => {
    const e = S3NetworkError.from(new Error('connect failed for https://h/k?X-Amz-Signature=abcdef'), {});
    expect(e.message).not.toContain('abcdef');
    expect(e.code).toBe('NetworkError');
  });
});

describe('redactHeaders', () => {
  it('keeps the credential and signed headers of a SigV4 Authorization, drops the signature', () => {
    const h = redactHeaders({
      Authorization:
        'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
      'x-amz-date': '20130524T000000Z',
    });
    expect(h).toEqual({
      Authorization:
        'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=<redacted>',
      'x-amz-date': '20130524T000000Z',
    });
  });

  it.each([
    ['X-Amz-Security-Token', 'FwoGZXIvYXdzEXAMPLE', '<redacted>'],
    ['cookie', 'session=abc', '<redacted>'],
    ['x-amz-server-side-encryption-customer-key', 'MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=', '<redacted>'],
    ['x-amz-server-side-encryption-customer-key-MD5', 'zR2oUg3tUqq0dL7Q5oKb2A==', 'zR2oUg3tUqq0dL7Q5oKb2A=='],
    ['authorization', 'AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=', 'AWS AKIAIOSFODNN7EXAMPLE:<redacted>'],
    ['authorization', 'Bearer eyJhbGciOi', '<redacted>'],
    ['content-type', 'text/plain', 'text/plain'],
  ])('%s: %s → %s', (name, value, expected) => {
    expect(redactHeaders({ [name]: value })[name]).toBe(expected);
  });

  it('redacts each value of a multi-value header and leaves numbers alone', () => {
    expect(redactHeaders({ 'set-cookie': ['a=1', 'b=2'], 'content-length': 5 })).toEqual({
      'set-cookie': ['<redacted>', '<redacted>'],
      'content-length': 5,
    });
  });
});

describe('redactUrl', () => {
  it('drops signature and token of a presigned URL, keeps the credential (access key id and scope)', () => {
    const url =
      'https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request' +
      '&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-Security-Token=FwoG%2Fabc%3D&X-Amz-SignedHeaders=host' +
      '&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404';
    expect(redactUrl(url)).toBe(
      'https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request' +
        '&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-Security-Token=<redacted>&X-Amz-SignedHeaders=host' +
        '&X-Amz-Signature=<redacted>',
    );
  });

  it('drops a userinfo password and a SigV2 signature, accepts URL objects', () => {
    expect(redactUrl(new URL('http://user:pa55@minio:9000/b/k?AWSAccessKeyId=AKID&Signature=abc%2B&Expires=1'))).toBe(
      'http://user:<redacted>@minio:9000/b/k?AWSAccessKeyId=AKID&Signature=<redacted>&Expires=1',
    );
  });
});

describe('redactText', () => {
  it.each([
    ['a listed secret', 'key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY here', 'key <redacted> here'],
    ['a listed secret, URL-encoded', 'k=wJalrXUtnFEMI%2FK7MDENG%2FbPxRfiCYEXAMPLEKEY', 'k=<redacted>'],
    ['Signature= in an Authorization header', 'SignedHeaders=host, Signature=f0e8bdb87c96', 'SignedHeaders=host, Signature=<redacted>'],
    ['X-Amz-Signature= in a query', '?a=1&X-Amz-Signature=abc123&b=2', '?a=1&X-Amz-Signature=<redacted>&b=2'],
    ['a session token line of a canonical request', 'x-amz-date:1\nx-amz-security-token:FwoG+/=\nhost:h', 'x-amz-date:1\nx-amz-security-token:<redacted>\nhost:h'],
    ['a session token in JSON', '{"X-Amz-Security-Token": "FwoG"}', '{"X-Amz-Security-Token": "<redacted>"}'],
    ['<SignatureProvided> of an error body', '<SignatureProvided>abc</SignatureProvided>', '<SignatureProvided><redacted></SignatureProvided>'],
    ['<Token-0> of an ExpiredToken body', '<Token-0>FwoG</Token-0>', '<Token-0><redacted></Token-0>'],
    ['an SSE-C key header line, not its MD5', 'x-amz-server-side-encryption-customer-key:S2V5\nx-amz-server-side-encryption-customer-key-md5:TUQ1', 'x-amz-server-side-encryption-customer-key:<redacted>\nx-amz-server-side-encryption-customer-key-md5:TUQ1'],
    ['a SigV2 Authorization header', 'Authorization: AWS AKID:c2lnbmF0dXJl', 'Authorization: AWS AKID:<redacted>'],
    ['nothing secret', 'SignatureDoesNotMatch: SignedHeaders=host', 'SignatureDoesNotMatch: SignedHeaders=host'],
  ])('replaces %s', (_what, input, expected) => {
    expect(redactText(input, ['wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'])).toBe(expected);
  });

  it('ignores empty and undefined secrets', () => {
    expect(redactText('abc', ['', undefined])).toBe('abc');
  });
});
