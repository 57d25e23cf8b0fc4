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
import { S3ConfigError } from './config-error.js';
import { headerValue, type RequestPipeline } from './pipeline.js';
import { downloadRanges } from './ranged-download.js';

export interface DownloadInput extends GetInput {
  /** Where to write. Replaced atomically once every byte has arrived. */
  file: string;
  /**
   * Connections to read the object over (default 1). Above 1, an object larger than `partSize` is
   * read as ranges in parallel, each written at its offset, all pinned to the first answer's ETag;
   * not combined with `range`.
   * @example await s3.download({ key: 'big.iso', file: '/tmp/big.iso', concurrency: 8 });
   */
  concurrency?: number;
  /** Bytes per range when `concurrency` > 1 (default 8 MiB; at least 64 KiB). */
  partSize?: number;
}

export const DEFAULT_DOWNLOAD_PART_SIZE = 8 * 1024 * 1024;
const MIN_DOWNLOAD_PART_SIZE = 64 * 1024;

export interface DownloadOutput {
  bytes: number;
  etag: string | undefined;
  contentRange: string | undefined;
}

export async function download(pipeline: RequestPipeline, bucket: string, input: DownloadInput): Promise<DownloadOutput> {
  const concurrency = input.concurrency ?? 1;
  const partSize = input.partSize ?? DEFAULT_DOWNLOAD_PART_SIZE;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
    throw new S3ConfigError('InvalidConcurrency', `concurrency must be a positive integer, got ${String(concurrency)}.`);
  }
  if (!Number.isSafeInteger(partSize) || partSize < MIN_DOWNLOAD_PART_SIZE) {
    throw new S3ConfigError('InvalidPartSize', `partSize must be an integer of at least ${MIN_DOWNLOAD_PART_SIZE} bytes, got ${String(partSize)}.`);
  }
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
