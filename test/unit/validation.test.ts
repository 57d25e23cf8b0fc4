/**
 * The other side of the bad-input table: inputs at S3's limits and unusual but valid names pass
 * the validation layer untouched, so the rules refuse only what S3 would.
 */
import { describe, expect, it } from 'vitest';
import { checkBucketName, checkInput, checkRegion, type BucketUse } from '../../src/s3/validation/index.js';
import { displayEndpoint, redactText } from '../../src/s3/redact.js';

describe('valid input passes', () => {
  it.each<[string, BucketUse, boolean]>([
    ['abc', 'create', false],
    ['my-bucket.logs.2024', 'create', false],
    ['a'.repeat(63), 'create', false],
    ['0-9', 'write', false],
    ['data-s3alias', 'read', false], // an access point alias addresses a real bucket
    ['Legacy_Bucket', 'read', true], // legacy names are still readable in us-east-1
    ['l'.repeat(255), 'read', true],
  ])('bucket %s for %s', (name, use, legacy) => {
    expect(() => checkBucketName(name, 'bucket', use, legacy)).not.toThrow();
  });

  // The last accepted name is remembered (bucket.ts): a name accepted for one use is still judged
  // anew for another, and for the same use outside us-east-1.
  it.each<[string, [BucketUse, boolean, boolean][]]>([
    ['data-s3alias', [['read', false, true], ['create', false, false], ['read', false, true], ['create', false, false]]],
    ['Legacy_Bucket', [['read', true, true], ['read', false, false], ['write', true, false], ['read', true, true]]],
  ])('bucket %s, judged again for each use', (name, uses) => {
    for (const [use, legacy, accepted] of uses) {
      const check = (): void => checkBucketName(name, 'bucket', use, legacy);
      if (accepted) expect(check).not.toThrow();
      else expect(check).toThrow(expect.objectContaining({ code: 'InvalidBucketName' }));
    }
  });

  it.each(['us-east-1', 'us-gov-west-1', 'cn-north-1', 'auto', 'garage', 'default', 'fr-par', 'my_zone.1'])('region %s', (region) => {
    expect(() => checkRegion(region)).not.toThrow();
  });

  it.each<[string, unknown]>([
    ['a key of exactly 1024 UTF-8 bytes', { key: `${'é'.repeat(511)}ab` }],
    ['a key with a surrogate pair', { key: 'photos/😀.jpg' }],
    ['a key with dot segments and spaces', { key: 'a/../b/ c ' }],
    ['undefined optional fields', { key: 'k', versionId: undefined, range: undefined }],
    ['a suffix range', { key: 'k', range: { suffix: 10 } }],
    ['an open range', { key: 'k', range: { start: 10 } }],
  ])('get: %s', (_name, input) => {
    expect(() => checkInput('get', input)).not.toThrow();
  });

  it('metadata of exactly 2 KB', () => {
    expect(() => checkInput('put', { key: 'k', body: 'x', metadata: { m: 'v'.repeat(2047) } })).not.toThrow();
    expect(() => checkInput('put', { key: 'k', body: 'x', metadata: { m: 'v'.repeat(2048) } })).toThrow(/2048 bytes/);
  });

  it('presignPost with every kind of condition', () => {
    const conditions = [{ acl: 'private' }, ['starts-with', '$Content-Type', 'image/'], ['content-length-range', 0, 10]];
    expect(() => checkInput('presignPost', { keyPrefix: '', conditions, fields: { success_action_status: '201' } })).not.toThrow();
  });
});

describe('endpoints and secrets in text', () => {
  it.each([
    ['https://host/?X-Amz-Security-Token=abc', '"https://host/?…"'],
    ['https://user:pass@host:9000/prefix', '"https://…@host:9000/prefix"'],
    ['http://127.0.0.1:9000', '"http://127.0.0.1:9000"'],
  ])('displayEndpoint(%s)', (endpoint, shown) => {
    expect(displayEndpoint(endpoint)).toBe(shown);
  });

  it.each([
    ['as is', (t: string) => t],
    ['URL-encoded', (t: string) => encodeURIComponent(t)],
    ['URL-encoded, lower-case hex', (t: string) => encodeURIComponent(t).replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase())],
    ['+ read as a space', (t: string) => t.replace(/\+/g, ' ')],
    ['form-encoded', (t: string) => new URLSearchParams({ t }).toString().slice(2)],
    ['hex bytes, spaced, upper case', (t: string) => [...Buffer.from(t)].map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ')],
  ])('a token %s is redacted', (_name, form) => {
    const token = 'FQoG+abc/def==ghi+jkl';
    const text = `before ${form(token)} after`;
    expect(redactText(text, [token])).toBe('before <redacted> after');
  });
});
