/**
 * Every call bounds itself by its own `deadlineMs`, including the less used ones (tags, versioning,
 * CORS, the multipart calls). A local store that accepts every request and never answers plays the
 * fault: only the deadline can end the call. The inputs are object literals, so this file also stops
 * compiling if a call's input type no longer declares deadlineMs.
 */
import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { S3Client, S3NetworkError } from '../../src/index.js';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const noDelay = { retries: 3, baseDelayMs: 0, maxDelayMs: 0 };

describe('every call takes its own deadlineMs', () => {
  const silentStore = async (): Promise<{ endpoint: string; close: () => Promise<void> }> => {
    const server = createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    return {
      endpoint: `http://127.0.0.1:${address.port}`,
      close: () => {
        server.closeAllConnections();
        return new Promise((resolve) => server.close(() => resolve()));
      },
    };
  };
  const deadlineMs = 150;
  const calls: [string, (s3: S3Client) => Promise<unknown>][] = [
    ['getObjectTags', (s3) => s3.getObjectTags({ bucket: 'bucket', key: 'k', deadlineMs })],
    ['putObjectTags', (s3) => s3.putObjectTags({ bucket: 'bucket', key: 'k', tags: { a: 'b' }, deadlineMs })],
    ['deleteObjectTags', (s3) => s3.deleteObjectTags({ bucket: 'bucket', key: 'k', deadlineMs })],
    ['setBucketVersioning', (s3) => s3.setBucketVersioning({ bucket: 'bucket', enabled: true, deadlineMs })],
    ['listVersions', async (s3) => { for await (const version of s3.listVersions({ bucket: 'bucket', deadlineMs })) return version; }],
    ['putBucketCors', (s3) => s3.putBucketCors({ bucket: 'bucket', rules: [{ allowedOrigins: ['*'], allowedMethods: ['GET'] }], deadlineMs })],
    ['createMultipartUpload', (s3) => s3.createMultipartUpload({ bucket: 'bucket', key: 'k', deadlineMs })],
    ['listParts', (s3) => s3.listParts({ bucket: 'bucket', key: 'k', uploadId: 'u', deadlineMs })],
    ['abortMultipartUpload', (s3) => s3.abortMultipartUpload({ bucket: 'bucket', key: 'k', uploadId: 'u', deadlineMs })],
  ];
  it.each(calls)('%s ends with DeadlineExceeded at its deadlineMs', async (_name, call) => {
    const store = await silentStore();
    try {
      const s3 = new S3Client({ region: 'us-east-1', endpoint: store.endpoint, credentials, retries: noDelay });
      const started = Date.now();
      const error = await call(s3).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(S3NetworkError);
      expect((error as S3NetworkError).code).toBe('DeadlineExceeded');
      expect(Date.now() - started).toBeLessThan(deadlineMs + 2000);
      // A call that may have created an upload leaves a clean-up running (see RequestPipeline.cleanUp):
      // with the store gone it fails at once, and close() waits for it.
      await store.close();
      await s3.close();
    } finally {
      await store.close();
    }
  });
});
