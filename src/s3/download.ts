/**
 * download(): an object (or a range of it) streamed to a file. The bytes go to a temporary file
 * beside the target and are renamed into place only when complete, so a failed or aborted
 * download never leaves a half-written file under the target's name.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline as pipeStreams } from 'node:stream/promises';
import { sendGetObject, type GetInput } from './objects.js';
import { headerValue, type RequestPipeline } from './pipeline.js';
import { Throttle } from './progress.js';

export interface DownloadInput extends GetInput {
  /** Where to write. Replaced atomically once every byte has arrived. */
  file: string;
  /** Called at most every 100 ms while bytes arrive, and once at the end. */
  onProgress?: (progress: DownloadProgress) => void;
}

export interface DownloadProgress {
  key: string;
  bytesReceived: number;
  /** The response's Content-Length (the range's length for a ranged read). */
  totalBytes: number | undefined;
}

export interface DownloadOutput {
  bytes: number;
  etag: string | undefined;
  contentRange: string | undefined;
}

export async function download(pipeline: RequestPipeline, bucket: string, input: DownloadInput): Promise<DownloadOutput> {
  const response = await sendGetObject(pipeline, bucket, input);
  const length = headerValue(response.headers, 'content-length');
  const partial = join(dirname(input.file), `.${basename(input.file)}.${randomBytes(6).toString('hex')}.part`);
  try {
    // Node stream to Node stream: no web-stream hop per chunk. pipeline() destroys both on failure,
    // which releases the connection.
    const target = createWriteStream(partial, { flags: 'wx' });
    const { onProgress } = input;
    if (onProgress) {
      const progress: DownloadProgress = { key: input.key, bytesReceived: 0, totalBytes: length === undefined ? undefined : Number(length) };
      const throttle = new Throttle(() => onProgress({ ...progress }));
      const counter = new Transform({
        transform(chunk: Uint8Array, _encoding, callback) {
          progress.bytesReceived += chunk.byteLength;
          throttle.changed();
          callback(null, chunk);
        },
      });
      await pipeStreams(response.body, counter, target, { signal: input.signal });
      throttle.flush();
    } else {
      await pipeStreams(response.body, target, { signal: input.signal });
    }
    await rename(partial, input.file);
  } catch (error) {
    response.body.destroy();
    await rm(partial, { force: true });
    throw error;
  }
  return {
    bytes: Number(length ?? 0),
    etag: headerValue(response.headers, 'etag'),
    contentRange: headerValue(response.headers, 'content-range'),
  };
}
