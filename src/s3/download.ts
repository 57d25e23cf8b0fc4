/**
 * download(): an object (or a range of it) streamed to a file. The bytes go to a temporary file
 * beside the target and are renamed into place only when complete, so a failed or aborted
 * download never leaves a half-written file under the target's name.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pipeline as pipeStreams } from 'node:stream/promises';
import { sendGetObject, type GetInput } from './objects.js';
import { headerValue, type RequestPipeline } from './pipeline.js';
import { downloadRanges, rangedOptions } from './ranged-download.js';

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
  const { concurrency, partSize } = rangedOptions(input);
  const partial = join(dirname(input.file), `.${basename(input.file)}.${randomBytes(6).toString('hex')}.part`);
  if (concurrency > 1 && input.range === undefined) return downloadInParallel(pipeline, bucket, input, partial, { partSize, concurrency });
  const response = await sendGetObject(pipeline, bucket, input);
  try {
    // Node stream to Node stream: no web-stream hop per chunk. pipeline() destroys both on failure,
    // which releases the connection.
    await pipeStreams(response.body, createWriteStream(partial, { flags: 'wx' }), { signal: input.signal });
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

async function downloadInParallel(
  pipeline: RequestPipeline,
  bucket: string,
  input: DownloadInput,
  partial: string,
  options: { partSize: number; concurrency: number },
): Promise<DownloadOutput> {
  const handle = await open(partial, 'wx');
  try {
    const result = await downloadRanges(pipeline, bucket, input, handle, options);
    await handle.close();
    await rename(partial, input.file);
    return { bytes: result.bytes, etag: result.etag, contentRange: undefined };
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(partial, { force: true });
    throw error;
  }
}
