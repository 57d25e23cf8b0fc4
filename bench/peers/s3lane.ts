/**
 * Peer: s3lane's batch uploader, `S3Client.uploadFiles(Map<key, path>, { bucket, concurrency })`.
 */
import { S3Client } from '../../src/index.js';
import { messageOf, runPeer, type FileOutcome } from './protocol.js';

await runPeer(async (manifest, server) => {
  const s3 = new S3Client({
    endpoint: server.endpoint,
    region: server.region,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    forcePathStyle: true,
  });
  try {
    const files = new Map(manifest.files.map((file) => [file.key, file.path]));
    const results = await s3.uploadFiles(files, { bucket: manifest.bucket, concurrency: manifest.concurrency });
    return results.map((result): FileOutcome =>
      result.ok ? { ok: true } : { ok: false, error: `${result.key}: ${messageOf(result.error)}` },
    );
  } finally {
    await s3.close();
  }
});
