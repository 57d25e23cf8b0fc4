/**
 * Peer: @aws-sdk/client-s3 + @aws-sdk/lib-storage, as a typical user writes a batch upload:
 * one `Upload` per file, streamed from disk, p-limit(concurrency) across files. lib-storage's
 * defaults apply: a file under 5 MiB is one PutObject, a larger one is multipart with 5 MiB parts,
 * 4 at a time per file.
 */
import { createReadStream } from 'node:fs';
import { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import pLimit from 'p-limit';
import { messageOf, runPeer, type FileOutcome } from './protocol.js';

await runPeer(async (manifest, server) => {
  const client = new S3Client({
    endpoint: server.endpoint,
    region: server.region,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    forcePathStyle: true,
    // Ceph RGW rejects the SDK's default CRC32 trailer checksum with 411 MissingContentLength.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const limit = pLimit(manifest.concurrency);
  try {
    return await Promise.all(
      manifest.files.map((file) =>
        limit(async (): Promise<FileOutcome> => {
          try {
            const params = { Bucket: manifest.bucket, Key: file.key, Body: createReadStream(file.path) };
            await new Upload({ client, params }).done();
            return { ok: true };
          } catch (error) {
            return { ok: false, error: `${file.key}: ${messageOf(error)}` };
          }
        }),
      ),
    );
  } finally {
    client.destroy();
  }
});
