/**
 * The per-day signing-key cache: one derivation per UTC day, a new key past midnight without
 * any help, bounded size. Time is controlled through the `date` argument; nothing sleeps.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SigV4Signer } from '../../../src/signer/index.js';
import { SigningKeyCache, deriveSigningKey } from '../../../src/signer/signing-key.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: SECRET };
const URL_ = 'https://examplebucket.s3.amazonaws.com/test.txt';

/** The signature computed from scratch for a string to sign: derivation + HMAC, no cache. */
function independentSignature(stringToSign: string, dateStamp: string): string {
  const key = deriveSigningKey(SECRET, dateStamp, 'us-east-1', 's3');
  return createHmac('sha256', key).update(stringToSign).digest('hex');
}

describe('signing-key derivation', () => {
  it('derives the documented key (AWS example: 20120215 / us-east-1 / iam)', () => {
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html (the older "deriving a key" example)
    const key = deriveSigningKey('wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', '20120215', 'us-east-1', 'iam');
    expect(key.toString('hex')).toBe('f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d');
  });
});

describe('signing-key cache', () => {
  it('returns the same entry for the same UTC day and a new one for the next', () => {
    const cache = new SigningKeyCache('AK', SECRET, 'us-east-1', 's3');
    const day = 15_849;
    const first = cache.forDay(day);
    expect(cache.forDay(day)).toBe(first);
    const next = cache.forDay(day + 1);
    expect(next).not.toBe(first);
    expect([first.dateStamp, next.dateStamp]).toEqual(['20130524', '20130525']);
    expect(next.scope).toBe('20130525/us-east-1/s3/aws4_request');
    expect(cache.forDay(day)).toBe(first); // going back a day (clock skew) still hits
  });

  it('keeps at most three days', () => {
    const cache = new SigningKeyCache('AK', SECRET, 'us-east-1', 's3');
    for (let day = 20_000; day < 20_010; day++) cache.forDay(day);
    expect(cache.size).toBe(3);
  });

  it('a request after UTC midnight is signed with the new day\'s key, by itself', () => {
    const signer = new SigV4Signer({ credentials, region: 'us-east-1', service: 's3' });
    const before = signer.sign({ method: 'GET', url: URL_, date: new Date('2013-05-24T23:59:59Z') });
    const after = signer.sign({ method: 'GET', url: URL_, date: new Date('2013-05-25T00:00:01Z') });

    expect(before.scope).toBe('20130524/us-east-1/s3/aws4_request');
    expect(after.scope).toBe('20130525/us-east-1/s3/aws4_request');
    expect(before.signature).toBe(independentSignature(before.stringToSign, '20130524'));
    expect(after.signature).toBe(independentSignature(after.stringToSign, '20130525'));
    // ...and the old day still signs correctly afterwards (a request dated just before midnight).
    const late = signer.sign({ method: 'GET', url: URL_, date: new Date('2013-05-24T23:59:59Z') });
    expect(late.signature).toBe(before.signature);
  });

  it('presign and the chunk signer use the day of their own date', () => {
    const signer = new SigV4Signer({ credentials, region: 'us-east-1', service: 's3' });
    signer.sign({ method: 'GET', url: URL_, date: new Date('2013-05-24T12:00:00Z') });
    const presigned = signer.presign({ method: 'GET', url: URL_, expiresIn: 60, date: new Date('2013-05-26T00:00:00Z') });
    expect(presigned.scope).toBe('20130526/us-east-1/s3/aws4_request');
    expect(presigned.signature).toBe(independentSignature(presigned.stringToSign, '20130526'));
  });

  it('signing with the default date uses the current time', () => {
    const signer = new SigV4Signer({ credentials, region: 'us-east-1', service: 's3' });
    const before = Date.now();
    const signed = signer.sign({ method: 'GET', url: URL_ });
    const after = Date.now();
    const signedAt = new Date(signed.amzDate.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z')).getTime();
    expect(signedAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(signedAt).toBeLessThanOrEqual(after);
  });
});
