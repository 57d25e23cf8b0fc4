/**
 * Bad input gets a typed S3ConfigError before anything is sent. The client points at a dispatcher
 * that fails the test if it is ever asked to send.
 */
import { Readable } from 'node:stream';
import { Agent } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { S3Client, S3ConfigError } from '../../src/index.js';

class NoNetwork extends Agent {
  override dispatch(): boolean {
    throw new Error('a request was sent for input that should have been rejected first');
  }
}

describe('bad input fails before any network call', () => {
  const s3 = new S3Client({
    endpoint: 'http://127.0.0.1:9',
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
    dispatcher: new NoNetwork(),
    retries: 0,
  });
  afterAll(() => s3.close());

  it.each([
    ['no bucket anywhere', () => s3.get({ key: 'k' }), 'MissingBucket'],
    ['an empty key', () => s3.get({ bucket: 'bucket', key: '' }), 'InvalidKey'],
    ['a key over 1024 bytes', () => s3.put({ bucket: 'bucket', key: 'é'.repeat(513), body: 'x' }), 'InvalidKey'],
    ['a bucket name too short', () => s3.get({ bucket: 'ab', key: 'k' }), 'InvalidBucketName'],
    ['a bucket name with a slash', () => s3.get({ bucket: 'a/b', key: 'k' }), 'InvalidBucketName'],
    ['a negative range start', () => s3.get({ bucket: 'bucket', key: 'k', range: { start: -1 } }), 'InvalidRange'],
    ['a range ending before it starts', () => s3.get({ bucket: 'bucket', key: 'k', range: { start: 5, end: 1 } }), 'InvalidRange'],
    ['a zero suffix range', () => s3.get({ bucket: 'bucket', key: 'k', range: { suffix: 0 } }), 'InvalidRange'],
    ['non-ASCII metadata', () => s3.put({ bucket: 'bucket', key: 'k', body: 'x', metadata: { a: 'é' } }), 'InvalidMetadata'],
    ['a metadata name with a space', () => s3.put({ bucket: 'bucket', key: 'k', body: 'x', metadata: { 'a b': '1' } }), 'InvalidMetadata'],
    ['a stream of unknown length', () => s3.put({ bucket: 'bucket', key: 'k', body: Readable.from(['x']) }), 'UnknownContentLength'],
    ['a negative contentLength', () => s3.put({ bucket: 'bucket', key: 'k', body: Readable.from(['x']), contentLength: -1 }), 'InvalidContentLength'],
    ['a page size over 1000', async () => { for await (const _ of s3.list({ bucket: 'bucket', pageSize: 5000 })) break; }, 'InvalidPageSize'],
  ])('%s → S3ConfigError', async (_name, call, code) => {
    const error = await call().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(S3ConfigError);
    expect((error as S3ConfigError).code).toBe(code);
  });

  it.each([
    ['an endpoint that is not http(s)', { endpoint: 'ftp://example.com' }, 'InvalidEndpoint'],
    ['negative retries', { retries: -1 }, 'InvalidRetries'],
  ])('%s in the options → S3ConfigError', async (_name, options, code) => {
    const error = await (async () => {
      const client = new S3Client({
        region: 'us-east-1',
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
        dispatcher: new NoNetwork(),
        ...options,
      });
      await client.get({ bucket: 'bucket', key: 'k' });
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(S3ConfigError);
    expect((error as S3ConfigError).code).toBe(code);
  });
});
