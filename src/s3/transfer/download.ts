/**
 * download(): an object (or a range of it) streamed to a file. The bytes go to a temporary file
 * beside the target and are renamed into place only when complete, so a failed or aborted
 * download never leaves a half-written file under the target's name. A body that breaks halfway
 * is resumed from the byte reached (resumable-read.ts).
 *
 * With `resume: true` the temporary file has a fixed name (`.<name>.s3lane-part`) and a small
 * record beside it (`.<name>.s3lane-part.json`: bucket, key, version, ETag, span). A failed run
 * keeps both; the next run with `resume: true` asks only for the missing bytes, with If-Match on
 * the recorded ETag, and starts over if the object has changed since.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Transform } from 'node:stream';
import { pipeline as pipeStreams } from 'node:stream/promises';
import { abortedError } from '../deadline.js';
import { S3Error } from '../errors.js';
import { checksumCheckFor, headObject, openObjectRead, type GetInput } from '../operations/objects.js';
import { headerValue, type RequestPipeline } from '../pipeline.js';
import { objectChanged, type ReadSpan } from '../resumable-read.js';
import { downloadRanges, rangedOptions } from './ranged-download.js';
import { byteCounter, Throttle } from './progress.js';

export interface DownloadInput extends GetInput {
  /** Where to write. Replaced atomically once every byte has arrived. */
  file: string;
  /**
   * Keep the partial file of a failed run and continue it next time (checked against the ETag it
   * was started with). Default false: a failed download leaves nothing behind.
   */
  resume?: boolean;
  /** Called at most every 100 ms while bytes arrive, and once at the end (single-connection reads). */
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
  /** Bytes taken from a partial file of an earlier run (resume: true). */
  resumedBytes: number;
}

/** What a resumable partial file holds, recorded beside it. */
interface PartRecord {
  bucket: string;
  key: string;
  versionId: string | undefined;
  /** The requested range as given, so a different request never continues this file. */
  range: string | undefined;
  span: ReadSpan;
}

export async function download(pipeline: RequestPipeline, bucket: string, input: DownloadInput): Promise<DownloadOutput> {
  const dir = dirname(input.file);
  const name = basename(input.file);
  if (!input.resume) {
    const partial = join(dir, `.${name}.${randomBytes(6).toString('hex')}.part`);
    const { concurrency, partSize } = rangedOptions(input);
    if (concurrency > 1 && input.range === undefined) return downloadInParallel(pipeline, bucket, input, partial, { partSize, concurrency });
    return downloadTo(pipeline, bucket, input, partial, undefined);
  }
  const partial = join(dir, `.${name}.s3lane-part`);
  const record = `${partial}.json`;
  const expected: Omit<PartRecord, 'span'> = {
    bucket,
    key: input.key,
    versionId: input.versionId,
    range: input.range ? JSON.stringify(input.range) : undefined,
  };
  const earlier = await readPartRecord(partial, record, expected);
  try {
    return await downloadTo(pipeline, bucket, input, partial, { record, expected, earlier });
  } catch (error) {
    if (!(error instanceof S3Error && error.code === 'ObjectChanged') || earlier === undefined) throw error;
    // The object was replaced since the earlier run: its bytes are worthless, start over.
    await rm(partial, { force: true });
    await rm(record, { force: true });
    return downloadTo(pipeline, bucket, input, partial, { record, expected, earlier: undefined });
  }
}

interface Resumption {
  record: string;
  expected: Omit<PartRecord, 'span'>;
  /** The partial file's record and length, when one for this same request exists. */
  earlier: { span: ReadSpan; bytes: number } | undefined;
}

async function downloadTo(
  pipeline: RequestPipeline,
  bucket: string,
  input: DownloadInput,
  partial: string,
  resumption: Resumption | undefined,
): Promise<DownloadOutput> {
  const earlier = resumption?.earlier;
  const resumedBytes = earlier?.bytes ?? 0;
  if (earlier && earlier.span.start + earlier.bytes > earlier.span.end) {
    // Every byte is on disk already: only check the version is still the one they came from.
    await headObject(pipeline, bucket, { key: input.key, versionId: input.versionId, sseCustomerKey: input.sseCustomerKey, ifMatch: earlier.span.etag, signal: input.signal }).catch(
      (error: unknown) => {
        throw error instanceof S3Error && error.statusCode === 412 ? objectChanged(bucket, input.key, earlier.span, error.message) : error;
      },
    );
    await finish(partial, input.file, resumption);
    const { etag, start, end, objectSize } = earlier.span;
    return { bytes: earlier.bytes, etag, contentRange: rangeOf(start, end, objectSize), resumedBytes };
  }
  const { response, body } = await openObjectRead(
    pipeline,
    bucket,
    input,
    earlier ? { offset: earlier.span.start + earlier.bytes, span: earlier.span } : undefined,
  );
  const span = earlier?.span ?? body.span;
  try {
    if (resumption && !earlier && span?.etag !== undefined) {
      const record: PartRecord = { ...resumption.expected, span };
      await writeFile(resumption.record, JSON.stringify(record));
    }
    // Node stream to Node stream: no web-stream hop per chunk. pipeline() destroys both on failure,
    // which releases the connection. The signal reaches the body itself (the request carries it),
    // which then fails with the typed deadline error rather than Node's AbortError.
    const file = createWriteStream(partial, { flags: earlier ? 'a' : resumption ? 'w' : 'wx' });
    // With `checksum: true`, a mismatch fails the pipeline before the rename: no corrupt file is
    // kept. A continued partial file's first bytes were never seen by this run: it cannot check them.
    const check = earlier ? undefined : checksumCheckFor(response, bucket, input);
    const length = headerValue(response.headers, 'content-length');
    const counter = input.onProgress && progressCounter(input.key, input.onProgress, resumedBytes, length === undefined ? undefined : resumedBytes + Number(length));
    await pipeStreams([body, ...(check ? [check.transform()] : []), ...(counter ? [counter.transform] : []), file]);
    counter?.flush();
    await finish(partial, input.file, resumption);
  } catch (error) {
    body.destroy();
    // Without resume, nothing is left behind; with it, the bytes stay for the next run.
    if (!resumption) await rm(partial, { force: true });
    throw input.signal?.aborted ? abortedError(input.signal, { method: 'GET', bucket, key: input.key }, error) : error;
  }
  const bytes = resumedBytes + body.bytesRead;
  return {
    bytes,
    etag: span?.etag,
    contentRange: earlier ? rangeOf(earlier.span.start, earlier.span.end, earlier.span.objectSize) : headerValue(response.headers, 'content-range'),
    resumedBytes,
  };
}

async function finish(partial: string, file: string, resumption: Resumption | undefined): Promise<void> {
  await rename(partial, file);
  if (resumption) await rm(resumption.record, { force: true });
}

/** The earlier run's record, if it belongs to this very request and its partial file is there. */
async function readPartRecord(
  partial: string,
  record: string,
  expected: Omit<PartRecord, 'span'>,
): Promise<{ span: ReadSpan; bytes: number } | undefined> {
  let parsed: PartRecord;
  let bytes: number;
  try {
    parsed = JSON.parse(await readFile(record, 'utf8')) as PartRecord;
    bytes = (await stat(partial)).size;
  } catch {
    return undefined;
  }
  const same =
    parsed.bucket === expected.bucket &&
    parsed.key === expected.key &&
    parsed.versionId === expected.versionId &&
    parsed.range === expected.range &&
    typeof parsed.span?.etag === 'string' &&
    Number.isSafeInteger(parsed.span.start) &&
    Number.isSafeInteger(parsed.span.end) &&
    bytes <= parsed.span.end - parsed.span.start + 1;
  return same ? { span: parsed.span, bytes } : undefined;
}

function rangeOf(start: number, end: number, size: number | undefined): string {
  return `bytes ${start}-${end}/${size ?? '*'}`;
}

/** Parallel ranges pinned to the first answer's ETag, each written at its offset (ranged-download.ts). */
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
    return { bytes: result.bytes, etag: result.etag, contentRange: undefined, resumedBytes: 0 };
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(partial, { force: true });
    throw error;
  }
}

/** A pass-through that counts the bytes it sees and reports them through a 100 ms throttle. */
function progressCounter(
  key: string,
  onProgress: (progress: DownloadProgress) => void,
  alreadyOnDisk: number,
  totalBytes: number | undefined,
): { transform: Transform; flush: () => void } {
  const progress: DownloadProgress = { key, bytesReceived: alreadyOnDisk, totalBytes };
  const throttle = new Throttle(() => onProgress({ ...progress }));
  const transform = byteCounter((bytes) => {
    progress.bytesReceived += bytes;
    throttle.changed();
  });
  return { transform, flush: () => throttle.flush() };
}
