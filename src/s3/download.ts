/**
 * download(): an object (or a range of it) streamed to a file. The bytes go to a temporary file
 * beside the target and are renamed into place only when complete, so a failed or aborted
 * download never leaves a half-written file under the target's name.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pipeline as pipeStreams } from 'node:stream/promises';
import { checksumCheckFor, sendGetObject, type GetInput } from './objects.js';
import { headerValue, type RequestPipeline } from './pipeline.js';

export interface DownloadInput extends GetInput {
  /** Where to write. Replaced atomically once every byte has arrived. */
  file: string;
}

export interface DownloadOutput {
  bytes: number;
  etag: string | undefined;
  contentRange: string | undefined;
}

export async function download(pipeline: RequestPipeline, bucket: string, input: DownloadInput): Promise<DownloadOutput> {
  const response = await sendGetObject(pipeline, bucket, input);
  const partial = join(dirname(input.file), `.${basename(input.file)}.${randomBytes(6).toString('hex')}.part`);
  try {
    // Node stream to Node stream: no web-stream hop per chunk. pipeline() destroys both on failure,
    // which releases the connection.
    const file = createWriteStream(partial, { flags: 'wx' });
    // With `checksum: true`, a mismatch fails the pipeline before the rename: no corrupt file is kept.
    const check = checksumCheckFor(response, bucket, input);
    if (check) await pipeStreams(response.body, check.transform(), file, { signal: input.signal });
    else await pipeStreams(response.body, file, { signal: input.signal });
    await rename(partial, input.file);
  } catch (error) {
    response.body.destroy();
    await rm(partial, { force: true });
    throw error;
  }
  return {
    bytes: Number(headerValue(response.headers, 'content-length') ?? 0),
    etag: headerValue(response.headers, 'etag'),
    contentRange: headerValue(response.headers, 'content-range'),
  };
}
