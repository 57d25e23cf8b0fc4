/**
 * Bucket CORS input is checked against S3's documented rules before anything is sent: each mistake
 * is an S3ConfigError 'InvalidCorsConfiguration' naming the offending field.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketCors.html
 */
import { describe, expect, it } from 'vitest';
import { S3Client, S3ConfigError } from '../../src/index.js';
import { validateCorsRules } from '../../src/s3/operations/cors.js';

const good = { allowedOrigins: ['https://app.example'], allowedMethods: ['PUT'] };

describe('validateCorsRules', () => {
  it.each<[string, unknown, string]>([
    ['no rules', [], 'rules'],
    ['not an array', good, 'rules'],
    ['more than 100 rules', Array.from({ length: 101 }, () => good), 'rules'],
    ['a rule that is not an object', [null], 'rules[0]'],
    ['no origins', [{ allowedMethods: ['GET'] }], 'rules[0].allowedOrigins'],
    ['an empty origin list', [{ ...good, allowedOrigins: [] }], 'rules[0].allowedOrigins'],
    ['an empty origin', [good, { ...good, allowedOrigins: ['https://a.example', ''] }], 'rules[1].allowedOrigins[1]'],
    ['an origin with two wildcards', [{ ...good, allowedOrigins: ['https://*.*.example'] }], 'rules[0].allowedOrigins[0]'],
    ['no methods', [{ allowedOrigins: ['*'] }], 'rules[0].allowedMethods'],
    ['a method S3 does not allow', [{ ...good, allowedMethods: ['PUT', 'OPTIONS'] }], 'rules[0].allowedMethods[1]'],
    ['a lower-case method', [{ ...good, allowedMethods: ['put'] }], 'rules[0].allowedMethods[0]'],
    ['a header that is not a string', [{ ...good, allowedHeaders: [42] }], 'rules[0].allowedHeaders[0]'],
    ['a header with a space', [{ ...good, allowedHeaders: ['content type'] }], 'rules[0].allowedHeaders[0]'],
    ['a header with two wildcards', [{ ...good, allowedHeaders: ['x-*-*'] }], 'rules[0].allowedHeaders[0]'],
    ['a wildcard exposed header', [{ ...good, exposeHeaders: ['*'] }], 'rules[0].exposeHeaders[0]'],
    ['a negative max age', [{ ...good, maxAgeSeconds: -1 }], 'rules[0].maxAgeSeconds'],
    ['a fractional max age', [{ ...good, maxAgeSeconds: 1.5 }], 'rules[0].maxAgeSeconds'],
    ['an id over 255 characters', [{ ...good, id: 'x'.repeat(256) }], 'rules[0].id'],
  ])('refuses %s, naming %s', (_what, rules, field) => {
    let thrown: unknown;
    try {
      validateCorsRules(rules);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(S3ConfigError);
    expect(thrown).toMatchObject({ code: 'InvalidCorsConfiguration', field });
    expect((thrown as Error).message).toContain(field);
  });

  it('accepts every documented form: wildcards, all five methods, all optional fields', () => {
    expect(() =>
      validateCorsRules([
        { allowedOrigins: ['*'], allowedMethods: ['GET', 'PUT', 'POST', 'DELETE', 'HEAD'] },
        { id: 'up', allowedOrigins: ['http://*.example.com'], allowedMethods: ['PUT'], allowedHeaders: ['*', 'x-amz-*'], exposeHeaders: ['ETag'], maxAgeSeconds: 0 },
      ]),
    ).not.toThrow();
  });

  it('refuses a configuration over 64 KiB before sending it', async () => {
    const s3 = new S3Client({ endpoint: 'http://127.0.0.1:9', region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    const origins = Array.from({ length: 2000 }, (_, i) => `https://host-${i}.example.com`);
    await expect(s3.putBucketCors({ bucket: 'cors-limit', rules: [{ allowedOrigins: origins, allowedMethods: ['GET'] }] })).rejects.toMatchObject({
      code: 'InvalidCorsConfiguration',
      field: 'rules',
    });
    await s3.close();
  });
});
