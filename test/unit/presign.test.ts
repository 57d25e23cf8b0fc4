/**
 * s3.presign() through the client, against S3's documented presigned-URL example, and the POST
 * policy it builds.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { S3Client, S3ConfigError } from '../../src/index.js';

interface DocExample {
  name: string;
  credentials: { access_key_id: string; secret_access_key: string };
  region: string;
  x_amz_date: string;
  host: string;
  path: string;
  query: [string, string][];
  expected: { url?: string; signature: string };
}

const examples = (
  JSON.parse(readFileSync(new URL('../fixtures/sigv4/s3-doc-examples.json', import.meta.url), 'utf8')) as { examples: DocExample[] }
).examples;
const presigned = examples.filter((e) => e.name.startsWith('presigned'));

function amzDateToDate(amzDate: string): Date {
  return new Date(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
}

describe('presign through the client', () => {
  it.each(presigned.map((e) => [e.name, e] as const))('reproduces the %s example URL exactly', (_name, example) => {
    const s3 = new S3Client({
      endpoint: 'https://s3.amazonaws.com',
      region: example.region,
      credentials: { accessKeyId: example.credentials.access_key_id, secretAccessKey: example.credentials.secret_access_key },
    });
    const bucket = example.host.split('.')[0] ?? '';
    const expires = Number(example.query.find(([name]) => name === 'X-Amz-Expires')?.[1]);
    const url = s3.presignSync({
      bucket,
      key: decodeURIComponent(example.path.slice(1)),
      expiresIn: expires,
      signingDate: amzDateToDate(example.x_amz_date),
    });
    expect(url).toBe(example.expected.url);
    expect(url).toContain(`X-Amz-Signature=${example.expected.signature}`);
  });

  const s3 = new S3Client({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret/key+example', sessionToken: 'session+token/=' },
  });

  it('puts the session token in X-Amz-Security-Token and signs only host by default', () => {
    const url = new URL(s3.presignSync({ bucket: 'bucket', key: 'a b+c=d~e', signingDate: new Date('2024-01-02T03:04:05Z') }));
    expect(url.host).toBe('bucket.s3.eu-west-1.amazonaws.com');
    expect(url.pathname).toBe('/a%20b%2Bc%3Dd~e');
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe('session+token/=');
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host');
    expect(url.searchParams.get('X-Amz-Credential')).toBe('AKIDEXAMPLE/20240102/eu-west-1/s3/aws4_request');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('3600');
    expect(url.toString()).not.toContain('secret');
  });

  it('binds requested headers and Content-Type into SignedHeaders', () => {
    const url = new URL(
      s3.presignSync({ method: 'PUT', bucket: 'bucket', key: 'k', contentType: 'image/png', headers: { 'x-amz-meta-owner': 'me' } }),
    );
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('content-type;host;x-amz-meta-owner');
  });

  it.each([
    ['expiresIn 0', { expiresIn: 0 }, 'InvalidExpires'],
    ['expiresIn over 7 days', { expiresIn: 604_801 }, 'InvalidExpires'],
    ['a fractional expiresIn', { expiresIn: 1.5 }, 'InvalidExpires'],
    ['a POST', { method: 'POST' as 'GET' }, 'InvalidMethod'],
    ['a part URL for GET', { uploadId: 'u', partNumber: 1 }, 'InvalidPartNumber'],
    ['a part URL without partNumber', { method: 'PUT' as const, uploadId: 'u' }, 'InvalidPartNumber'],
    ['a part URL without uploadId', { method: 'PUT' as const, partNumber: 1 }, 'InvalidUploadId'],
    ['partNumber 0', { method: 'PUT' as const, uploadId: 'u', partNumber: 0 }, 'InvalidPartNumber'],
    ['partNumber 10001', { method: 'PUT' as const, uploadId: 'u', partNumber: 10_001 }, 'InvalidPartNumber'],
  ])('rejects %s before signing with S3ConfigError', (_name, extra, code) => {
    let error: unknown;
    try {
      s3.presignSync({ bucket: 'bucket', key: 'k', ...extra });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(S3ConfigError);
    expect((error as S3ConfigError).code).toBe(code);
  });

  it('signs a part URL: partNumber and uploadId in the signed query', () => {
    const url = new URL(s3.presignSync({ method: 'PUT', bucket: 'bucket', key: 'big.bin', uploadId: 'up/load+id', partNumber: 7 }));
    expect(url.searchParams.get('partNumber')).toBe('7');
    expect(url.searchParams.get('uploadId')).toBe('up/load+id');
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('presignSync refuses provider credentials it has not fetched yet', () => {
    const lazy = new S3Client({ region: 'us-east-1', credentials: async () => ({ accessKeyId: 'A', secretAccessKey: 'B' }) });
    expect(() => lazy.presignSync({ bucket: 'bucket', key: 'k' })).toThrow(S3ConfigError);
  });
});

describe('presignPost', () => {
  const s3 = new S3Client({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'tok' },
  });
  const signingDate = new Date('2024-05-06T07:08:09Z');

  it('builds a policy with bucket, key prefix, size range, credential, date and token, and signs it', async () => {
    const post = await s3.presignPost({
      bucket: 'uploads-bucket',
      keyPrefix: 'user/42/',
      contentLengthRange: [1, 1000],
      contentType: 'image/jpeg',
      expiresIn: 600,
      signingDate,
      conditions: [['starts-with', '$x-amz-meta-tag', '']],
    });
    expect(post.url).toBe('https://uploads-bucket.s3.us-east-1.amazonaws.com/');
    expect(post.fields).toMatchObject({
      key: 'user/42/${filename}',
      'Content-Type': 'image/jpeg',
      'x-amz-algorithm': 'AWS4-HMAC-SHA256',
      'x-amz-credential': 'AKIDEXAMPLE/20240506/us-east-1/s3/aws4_request',
      'x-amz-date': '20240506T070809Z',
      'x-amz-security-token': 'tok',
    });
    const policy = JSON.parse(Buffer.from(post.fields['Policy'] ?? '', 'base64').toString('utf8')) as {
      expiration: string;
      conditions: unknown[];
    };
    expect(policy.expiration).toBe('2024-05-06T07:18:09.000Z');
    expect(policy.conditions).toEqual([
      { bucket: 'uploads-bucket' },
      ['starts-with', '$key', 'user/42/'],
      ['content-length-range', 1, 1000],
      { 'Content-Type': 'image/jpeg' },
      { 'x-amz-algorithm': 'AWS4-HMAC-SHA256' },
      { 'x-amz-credential': 'AKIDEXAMPLE/20240506/us-east-1/s3/aws4_request' },
      { 'x-amz-date': '20240506T070809Z' },
      { 'x-amz-security-token': 'tok' },
      ['starts-with', '$x-amz-meta-tag', ''],
    ]);
    // The signature is HMAC-SHA256 of the base64 policy with the day's key: recompute it independently.
    const { createHmac } = await import('node:crypto');
    const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();
    let key = hmac('AWS4wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', '20240506');
    for (const part of ['us-east-1', 's3', 'aws4_request']) key = hmac(key, part);
    expect(post.fields['X-Amz-Signature']).toBe(hmac(key, post.fields['Policy'] ?? '').toString('hex'));
  });

  it.each([
    ['neither key nor keyPrefix', {}],
    ['both key and keyPrefix', { key: 'a', keyPrefix: 'b/' }],
    ['an inverted size range', { key: 'a', contentLengthRange: [10, 1] as const }],
    ['expiresIn over 7 days', { key: 'a', expiresIn: 604_801 }],
    ['a field presignPost sets itself', { key: 'a', fields: { Policy: 'forged' } }],
    ['a key field beside the key option', { key: 'a', fields: { KEY: 'b' } }],
  ])('rejects %s with S3ConfigError', async (_name, input) => {
    await expect(s3.presignPost({ bucket: 'bucket', ...input })).rejects.toBeInstanceOf(S3ConfigError);
  });
});
