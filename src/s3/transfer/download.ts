/**
 * download(): an object (or a range of it) streamed to a file. The bytes go to a temporary file
 * beside the target and are renamed into place only when complete, so a failed or aborted
 * download never leaves a half-written file under the target's name. A body that breaks halfway
 * is resumed from the byte reached (resumable-read.ts).
 *
 * With `resume: true` the temporary file has a fixed name (`.<name>.s3lane-part`) and a small
 * record beside it (part-file.ts: bucket, key, version, ETag, span, and for a parallel download the
 * spans on disk). A failed run keeps both; the next run with `resume: true` asks only for the
 * missing bytes, with If-Match on the recorded ETag, and starts over if the object has changed since.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pipeline as pipeStreams, type Readable, type Transform } from 'node:stream';
import { abortedError } from '../deadline.js';
import { S3Error } from '../errors.js';
import { checksumCheckFor, headObject, openObjectRead, type GetInput } from '../operations/objects.js';
import { headerValue, type RequestPipeline } from '../pipeline.js';
import { objectChanged, type ReadSpan } from '../resumable-read.js';
import { downloadRanges, rangedOptions, type ObjectVersion } from './ranged-download.js';
import { PartFile, spanBytes, type EarlierPart } from './part-file.js';
import { byteCounter, Throttle } from './progress.js';

/**
 * Bytes the file stream queues before the body waits. The 16 KiB default is less than one socket
 * chunk (16-64 KiB), so every chunk would pause the socket and be written on its own; with room for
 * 1 MiB the chunks arriving while a write is in flight go out together in one writev (fs.WriteStream
 * batches its queue). 256 MiB from the nginx sink: ~8,100 writes and ~6,500 epoll_ctl become ~1,400
 * writes and ~650 epoll_ctl, ~20% less CPU.
 */
export const FILE_WRITE_BUFFER = 1024 * 1024;

export interface DownloadInput extends GetInput {
  /** Where to write. Replaced atomically once every byte has arrived. */
  file: string;
  /**
   * Keep the partial file of a failed run and continue it next time (checked against the ETag it
   * was started with): the next run asks only for the bytes missing, with or without `concurrency`
   * (a parallel run records the spans it has on disk). Default false: a failed download leaves
   * nothing behind.
   */
  resume?: boolean;
  /** Called at most every 100 ms while bytes reach the file, and once at the end (with `concurrency` too). */
  onProgress?: (progress: DownloadProgress) => void;
}

export interface DownloadProgress {
  key: string;
  bytesReceived: number;
  /** The response's Content-Length (the range's length for a ranged read; with `concurrency`, the object's size once known). */
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
  const { concurrency, partSize } = rangedOptions(input);
  const parallel = concurrency > 1 && input.range === undefined ? { partSize, concurrency } : undefined;
  if (!input.resume) {
    const partial = join(dir, `.${name}.${randomBytes(6).toString('hex')}.part`);
    return parallel ? downloadInParallel(pipeline, bucket, input, partial, parallel, undefined) : downloadTo(pipeline, bucket, input, partial, undefined);
  }
  const part = new PartFile(join(dir, `.${name}.s3lane-part`), {
    bucket,
    key: input.key,
    versionId: input.versionId,
    range: input.range ? JSON.stringify(input.range) : undefined,
  });
  const run = async (found: EarlierPart | undefined): Promise<DownloadOutput> => {
    const earlier = found && (parallel ? rangeable(found) : await appendable(part, found));
    // Starting afresh: a record of some other request under this name must not outlive its bytes.
    if (!earlier) await part.discard();
    return parallel
      ? downloadInParallel(pipeline, bucket, input, part.path, parallel, { part, earlier })
      : downloadTo(pipeline, bucket, input, part.path, { part, earlier });
  };
  const earlier = await part.earlier();
  try {
    return await run(earlier);
  } catch (error) {
    if (!(error instanceof S3Error && error.code === 'ObjectChanged') || earlier === undefined) throw error;
    // The object was replaced since the earlier run: its bytes are worthless, start over.
    await part.discard();
    return run(undefined);
  }
}

interface Resumption {
  part: PartFile;
  /** What an earlier run of this same request left on disk, if anything. */
  earlier: EarlierPart | undefined;
}

/** What of an earlier run a single stream can continue: it appends, so only the first stretch (part-file.ts). */
async function appendable(part: PartFile, earlier: EarlierPart): Promise<EarlierPart> {
  return earlier.positional ? part.keepFirstStretch(earlier) : earlier;
}

/** What of an earlier run ranges can continue: spans of the whole object, of a known version and size. */
function rangeable(earlier: EarlierPart): EarlierPart | undefined {
  const { etag, start, end, objectSize } = earlier.span;
  return etag !== undefined && objectSize !== undefined && start === 0 && end === objectSize - 1 ? earlier : undefined;
}

/** Every byte is on disk already: only check the version is still the one they came from, then finish. */
async function finishComplete(pipeline: RequestPipeline, bucket: string, input: DownloadInput, part: PartFile, span: ReadSpan): Promise<void> {
  await headObject(pipeline, bucket, { key: input.key, versionId: input.versionId, sseCustomerKey: input.sseCustomerKey, ifMatch: span.etag, signal: input.signal }).catch(
    (error: unknown) => {
      throw error instanceof S3Error && error.statusCode === 412 ? objectChanged(bucket, input.key, span, error.message) : error;
    },
  );
  await part.finish(input.file);
}

async function downloadTo(
  pipeline: RequestPipeline,
  bucket: string,
  input: DownloadInput,
  partial: string,
  resumption: Resumption | undefined,
): Promise<DownloadOutput> {
  const earlier = resumption?.earlier;
  const resumedBytes = earlier ? spanBytes(earlier.written) : 0;
  if (earlier && earlier.span.start + resumedBytes > earlier.span.end) {
    await finishComplete(pipeline, bucket, input, resumption.part, earlier.span);
    const { etag, start, end, objectSize } = earlier.span;
    return { bytes: resumedBytes, etag, contentRange: rangeOf(start, end, objectSize), resumedBytes };
  }
  const { response, body } = await openObjectRead(
    pipeline,
    bucket,
    input,
    earlier ? { offset: earlier.span.start + resumedBytes, span: earlier.span } : undefined,
  );
  const span = earlier?.span ?? body.span;
  try {
    if (resumption && !earlier && span?.etag !== undefined) await resumption.part.save(span);
    // Node stream to Node stream: no web-stream hop per chunk. pipeline() destroys both on failure,
    // which releases the connection. The signal reaches the body itself (the request carries it),
    // which then fails with the typed deadline error rather than Node's AbortError.
    const file = createWriteStream(partial, { flags: earlier ? 'a' : resumption ? 'w' : 'wx', highWaterMark: FILE_WRITE_BUFFER });
    // With `checksum: true`, a mismatch fails the pipeline before the rename: no corrupt file is
    // kept. A continued partial file's first bytes were never seen by this run: it cannot check them.
    const check = earlier ? undefined : checksumCheckFor(response, bucket, input);
    const length = headerValue(response.headers, 'content-length');
    const progress = input.onProgress && new ProgressReport(input.key, input.onProgress, resumedBytes, length === undefined ? undefined : resumedBytes + Number(length));
    await pipeToFile([body, ...(check ? [check.transform()] : []), ...(progress ? [byteCounter(progress.add)] : [])], file);
    progress?.flush();
    if (resumption) await resumption.part.finish(input.file);
    else await rename(partial, input.file);
  } catch (error) {
    body.destroy();
    // Without resume, nothing is left behind; with it, the bytes stay for the next run, unless
    // they failed their checksum: a next run would continue from corrupt bytes it cannot check.
    if (!resumption) await rm(partial, { force: true });
    else if (error instanceof S3Error && error.code === 'ChecksumMismatch') await resumption.part.discard();
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

/**
 * stream.pipeline() into a file, except that when a stream before the file fails, the file first
 * writes what it has queued (up to FILE_WRITE_BUFFER) and closes, and only then is the failure
 * reported: those bytes are good, and a resumed download continues right after them. (pipeline()
 * would destroy the file stream and drop its queue.) A failing file destroys the streams before it.
 */
function pipeToFile(streams: [Readable, ...Transform[]], file: WriteStream): Promise<void> {
  return new Promise((resolve, reject) => {
    let failure: { error: unknown } | undefined;
    const sourceFailed = (error: unknown): void => {
      if (failure) return;
      failure = { error };
      file.end();
    };
    const [first, ...rest] = streams;
    first.once('error', sourceFailed);
    const source = rest.reduce<Readable>((from, to) => pipeStreams(from, to, (error) => error && sourceFailed(error)), first);
    file.once('error', (error) => {
      failure ??= { error };
      for (const stream of streams) stream.destroy();
    });
    file.once('close', () => (failure ? reject(failure.error) : resolve()));
    source.pipe(file);
  });
}

function rangeOf(start: number, end: number, size: number | undefined): string {
  return `bytes ${start}-${end}/${size ?? '*'}`;
}

/**
 * Parallel ranges pinned to the first answer's ETag, each written at its offset (ranged-download.ts).
 * With `resume`, the record says which spans are on disk (saved after each range and on failure),
 * and a later run asks only for the others, with If-Match on the recorded ETag.
 */
async function downloadInParallel(
  pipeline: RequestPipeline,
  bucket: string,
  input: DownloadInput,
  partial: string,
  options: { partSize: number; concurrency: number },
  resumption: Resumption | undefined,
): Promise<DownloadOutput> {
  const earlier = resumption?.earlier;
  const resumedBytes = earlier ? spanBytes(earlier.written) : 0;
  const size = earlier?.span.objectSize;
  if (earlier && size !== undefined && resumedBytes === size) {
    await finishComplete(pipeline, bucket, input, resumption.part, earlier.span);
    return { bytes: size, etag: earlier.span.etag, contentRange: undefined, resumedBytes };
  }
  // A resumed file keeps its bytes ('r+' writes in place); a fresh one must not exist yet.
  const handle = await open(partial, earlier ? 'r+' : resumption ? 'w' : 'wx');
  const progress = input.onProgress && new ProgressReport(input.key, input.onProgress, resumedBytes, size);
  const part = resumption?.part;
  let version: ObjectVersion | undefined = earlier && size !== undefined && earlier.span.etag !== undefined ? { etag: earlier.span.etag, size } : undefined;
  const spanOf = (known: ObjectVersion): ReadSpan => ({ etag: known.etag, start: 0, end: known.size - 1, objectSize: known.size });
  try {
    const result = await downloadRanges(pipeline, bucket, input, handle, options, {
      earlier: version && earlier ? { version, written: earlier.written } : undefined,
      onVersion: async (known) => {
        version = known;
        progress?.total(known.size);
        await part?.save(spanOf(known), []);
      },
      onWritten: part && (async (written) => (version ? part.save(spanOf(version), written) : undefined)),
      onBytes: progress?.add,
    });
    await handle.close();
    progress?.flush();
    if (part) await part.finish(input.file);
    else await rename(partial, input.file);
    return { bytes: result.bytes, etag: result.etag, contentRange: undefined, resumedBytes };
  } catch (error) {
    await handle.close().catch(() => undefined);
    // Without resume, nothing is left behind; with it, the bytes and their record stay for the next run.
    if (!part) await rm(partial, { force: true });
    throw input.signal?.aborted ? abortedError(input.signal, { method: 'GET', bucket, key: input.key }, error) : error;
  }
}

/** onProgress for one download: counts bytes as they reach the file, reported through a 100 ms throttle. */
class ProgressReport {
  readonly #progress: DownloadProgress;
  readonly #throttle: Throttle;

  constructor(key: string, onProgress: (progress: DownloadProgress) => void, alreadyOnDisk: number, totalBytes: number | undefined) {
    const progress: DownloadProgress = { key, bytesReceived: alreadyOnDisk, totalBytes };
    this.#progress = progress;
    this.#throttle = new Throttle(() => onProgress({ ...progress }));
  }

  /** Bytes written (an arrow, so it can be handed on as a callback). */
  readonly add = (bytes: number): void => {
    this.#progress.bytesReceived += bytes;
    this.#throttle.changed();
  };

  /** The object's size, once the first answer tells it (a parallel download). */
  total(bytes: number): void {
    this.#progress.totalBytes = bytes;
  }

  flush(): void {
    this.#throttle.flush();
  }
}
