/**
 * The AWS SigV4 test suite as aws-c-auth carries it (38 cases, header and query signing), plus
 * the smithy-rs extras. These are non-S3 ("service") cases: the path is normalized (unless the
 * case says `normalize: false`) and encoded a second time.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SigV4Signer, sha256Hex, type Credentials } from '../../../src/signer/index.js';
import {
  SUITE,
  SUITE_DATE,
  awsCAuthCases,
  hostOf,
  parseRawRequest,
  readExpected,
  readText,
  type AwsCAuthCase,
} from './fixtures.js';

function signerFor({ context }: AwsCAuthCase): SigV4Signer {
  const credentials: Credentials = {
    accessKeyId: context.credentials.access_key_id,
    secretAccessKey: context.credentials.secret_access_key,
    sessionToken: context.credentials.token,
  };
  return new SigV4Signer({
    credentials,
    region: context.region,
    service: context.service,
    normalizePath: context.normalize,
    signSessionToken: context.omit_session_token !== true,
  });
}

/** The query parameters of a signed request line, as a sorted multiset (the order on the wire is free). */
function queryParamsOf(target: string): string[] {
  const query = target.includes('?') ? target.slice(target.indexOf('?') + 1) : '';
  return query.split('&').filter(Boolean).sort();
}

const cases = awsCAuthCases();

describe('aws-c-auth SigV4 suite', () => {
  it('has all 38 cases', () => {
    expect(cases).toHaveLength(38);
  });

  describe.each(cases)('$name', (testCase) => {
    const { context, request, dir } = testCase;
    const date = new Date(context.timestamp);
    const url = `https://${hostOf(request)}${request.target}`;
    const body = request.body;

    it('header signing: canonical request, string to sign, signature, Authorization', () => {
      // sign_body: the harness adds x-amz-content-sha256 = SHA-256(body) and signs it.
      const headers: Array<[string, string]> = [...request.headers];
      if (context.sign_body) headers.push(['x-amz-content-sha256', sha256Hex(body ?? '')]);
      const signed = signerFor(testCase).sign({ method: request.method, url, headers, body, date });

      expect(signed.canonicalRequest).toBe(readExpected(join(dir, 'header-canonical-request.txt')));
      expect(signed.stringToSign).toBe(readExpected(join(dir, 'header-string-to-sign.txt')));
      expect(signed.signature).toBe(readExpected(join(dir, 'header-signature.txt')));
      const expectedRequest = parseRawRequest(readText(join(dir, 'header-signed-request.txt')));
      const expectedAuthorization = expectedRequest.headers.find(([name]) => name === 'Authorization')![1];
      expect(signed.headers.authorization).toBe(expectedAuthorization);
      const token = expectedRequest.headers.find(([name]) => name === 'X-Amz-Security-Token');
      expect(signed.headers['x-amz-security-token']).toBe(token?.[1]);
    });

    it('query signing: canonical request, string to sign, signature, URL parameters', () => {
      const presigned = signerFor(testCase).presign({
        method: request.method,
        url,
        headers: request.headers,
        body,
        expiresIn: context.expiration_in_seconds,
        date,
      });

      expect(presigned.canonicalRequest).toBe(readExpected(join(dir, 'query-canonical-request.txt')));
      expect(presigned.stringToSign).toBe(readExpected(join(dir, 'query-string-to-sign.txt')));
      expect(presigned.signature).toBe(readExpected(join(dir, 'query-signature.txt')));
      const expectedTarget = parseRawRequest(readText(join(dir, 'query-signed-request.txt'))).target;
      const ourTarget = presigned.url.slice(`https://${hostOf(request)}`.length);
      expect(queryParamsOf(ourTarget)).toEqual(queryParamsOf(expectedTarget));
    });
  });
});

describe('smithy-rs extras', () => {
  const extras = join(SUITE, 'smithy-rs-extras');
  const example = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

  it('get-query-plus: an encoded + in a valueless key signs as c%2Bd= (header and query)', () => {
    const dir = join(extras, 'get-query-plus');
    const request = parseRawRequest(readText(join(dir, 'request.txt')));
    const signer = new SigV4Signer({ credentials: example, region: 'us-east-1', service: 'service' });
    const url = `https://${hostOf(request)}${request.target}`;
    const signed = signer.sign({ method: 'GET', url, headers: request.headers, date: SUITE_DATE });
    expect(signed.canonicalRequest).toBe(readExpected(join(dir, 'header-canonical-request.txt')));
    expect(signed.stringToSign).toBe(readExpected(join(dir, 'header-string-to-sign.txt')));
    expect(signed.signature).toBe(readExpected(join(dir, 'header-signature.txt')));
    const presigned = signer.presign({ method: 'GET', url, headers: request.headers, expiresIn: 3600, date: SUITE_DATE });
    expect(presigned.canonicalRequest).toBe(readExpected(join(dir, 'query-canonical-request.txt')));
    expect(presigned.stringToSign).toBe(readExpected(join(dir, 'query-string-to-sign.txt')));
    expect(presigned.signature).toBe(readExpected(join(dir, 'query-signature.txt')));
  });

  it('double-url-encode: lambda path %3A is signed as %253A', () => {
    const dir = join(extras, 'double-url-encode');
    const request = parseRawRequest(readText(join(dir, 'request.txt')));
    const signer = new SigV4Signer({ credentials: example, region: 'us-east-2', service: 'lambda' });
    const signed = signer.sign({
      method: request.method,
      url: `https://${hostOf(request)}${request.target}`,
      headers: request.headers,
      date: new Date('2021-05-11T15:40:45Z'),
    });
    expect(signed.canonicalRequest).toBe(readExpected(join(dir, 'header-canonical-request.txt')));
    expect(signed.stringToSign).toBe(readExpected(join(dir, 'header-string-to-sign.txt')));
    const expectedAuthorization = parseRawRequest(readText(join(dir, 'header-signed-request.txt'))).headers.find(
      ([name]) => name === 'Authorization',
    )![1];
    expect(signed.authorization).toBe(expectedAuthorization.trim());
  });

  it('double-encode-path: canonical request (20210511T154045Z) and signature (20150830T123600Z, test credentials)', () => {
    // The case's files disagree on the date (see the suite README): the canonical request was made
    // at 20210511T154045Z, the signed request at 20150830T123600Z with smithy-rs's test credentials.
    const dir = join(extras, 'double-encode-path');
    const request = parseRawRequest(readText(join(dir, 'request.txt')));
    const url = `https://${hostOf(request)}${request.target}`;
    const forCanonical = new SigV4Signer({ credentials: example, region: 'us-east-1', service: 'service' });
    const signed = forCanonical.sign({ method: 'POST', url, headers: request.headers, date: new Date('2021-05-11T15:40:45Z') });
    expect(signed.canonicalRequest).toBe(readExpected(join(dir, 'header-canonical-request.txt')));

    const testCredentials = { accessKeyId: 'ANOTREAL', secretAccessKey: 'notrealrnrELgWzOk3IfjzDKtFBhDby' };
    const forSignature = new SigV4Signer({ credentials: testCredentials, region: 'us-east-1', service: 'service' });
    const resigned = forSignature.sign({ method: 'POST', url, headers: request.headers, date: SUITE_DATE });
    const expectedAuthorization = parseRawRequest(readText(join(dir, 'header-signed-request.txt'))).headers.find(
      ([name]) => name === 'Authorization',
    )![1];
    expect(resigned.authorization).toBe(expectedAuthorization);
  });
});
