/**
 * uploadFiles(): many files, one bounded pool of connections, one result per file.
 *
 * The async replacement for Python's `asyncio.to_thread(requests.put, ...)` fan-out: no threads,
 * files streamed from disk, and, like `gather(..., return_exceptions=True)` but typed, one file's
 * failure never stops the others. Every request of the batch (small files' PUTs and large files'
 * parts alike) draws from the same p-limit pool, so a batch never holds more connections than
 * `concurrency`.
 */
import type { RequestPipeline } from '../pipeline.js';
import { throwIfAborted, type CallOptions } from '../deadline.js';
import { Throttle } from './progress.js';
import { uploadWith, type UploadContext } from './upload.js';
import type { ObjectHeaderOptions } from '../headers.js';

export interface UploadFilesOptions extends CallOptions {
  bucket?: string;
  /** Requests in flight at once across the whole batch (default 16). */
  concurrency?: number;
  /** Part size for files above it (see upload()). */
  partSize?: number;
  /** Headers for each object, e.g. `(key) => ({ contentType: key.endsWith('.json') ? 'application/json' : undefined })`. */
  headers?: (key: string, file: string) => ObjectHeaderOptions;
  /** Called at most every 100 ms, and once at the end. */
  onProgress?: (progress: BatchProgress) => void;
  /** Called as each file finishes (or fails), with the result `uploadFiles` will also return for it. */
  onFileDone?: (result: UploadFileResult) => void;
  /** Stops scheduling files, aborts those in flight, and aborts their multipart uploads. */
  signal?: AbortSignal;
}

export type UploadFileResult =
  | { key: string; file: string; ok: true; etag: string; bytes: number; versionId: string | undefined }
  | { key: string; file: string; ok: false; error: Error };

export interface FileProgress {
  /** True once the file's first request has a connection slot (it is being sent, not queued). */
  started: boolean;
  bytesSent: number;
  totalBytes: number | undefined;
  done: boolean;
  ok: boolean | undefined;
}

export interface BatchProgress {
  bytesSent: number;
  /** Sum of the sizes known so far (a file's size is known once it is opened). */
  totalBytes: number;
  filesDone: number;
  filesFailed: number;
  totalFiles: number;
  /** Per file, by key. A live view: copy what you keep. */
  files: ReadonlyMap<string, FileProgress>;
}

export const DEFAULT_BATCH_CONCURRENCY = 16;

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

export async function uploadFiles(
  pipeline: RequestPipeline,
  bucket: string,
  files: ReadonlyMap<string, string> | Readonly<Record<string, string>>,
  options: UploadFilesOptions,
): Promise<UploadFileResult[]> {
  const concurrency = options.concurrency ?? DEFAULT_BATCH_CONCURRENCY;
  const entries = files instanceof Map ? [...files] : Object.entries(files);
  const { signal, onProgress, onFileDone } = options;

  const perFile = new Map<string, FileProgress>();
  const totals = { bytesSent: 0, totalBytes: 0, filesDone: 0, filesFailed: 0 };
  const throttle = onProgress
    ? new Throttle(() => onProgress({ ...totals, totalFiles: entries.length, files: perFile }))
    : undefined;
  // p-limit loads with the first batch: a client that never sends one never pays for it.
  const { default: pLimit } = await import('p-limit');
  const schedule = pLimit(concurrency);

  const uploadOne = async (key: string, file: string): Promise<UploadFileResult> => {
    const result = await attemptOne(key, file);
    try {
      onFileDone?.(result);
    } catch (error) {
      // As with onProgress: a bug in the callback must not turn the batch into a rejection.
      process.emitWarning(`s3lane: the onFileDone callback threw: ${asError(error).message}`);
    }
    return result;
  };

  const attemptOne = async (key: string, file: string): Promise<UploadFileResult> => {
    const progress: FileProgress = { started: false, bytesSent: 0, totalBytes: undefined, done: false, ok: undefined };
    if (onProgress) perFile.set(key, progress);
    const context: UploadContext = {
      schedule: (task) =>
        schedule(() => {
          // Aborting stops the batch from starting anything new.
          throwIfAborted(signal, { key });
          if (!progress.started) {
            progress.started = true;
            throttle?.changed();
          }
          return task();
        }),
      report: throttle
        ? (delta) => {
            progress.bytesSent += delta;
            totals.bytesSent += delta;
            throttle.changed();
          }
        : undefined,
    };
    try {
      throwIfAborted(signal, { key });
      const result = await uploadWith(
        pipeline,
        bucket,
        { ...options.headers?.(key, file), key, file, partSize: options.partSize, signal },
        context,
        (size) => {
          progress.totalBytes = size;
          totals.totalBytes += size;
        },
      );
      progress.ok = true;
      return { key, file, ok: true, etag: result.etag, bytes: result.bytes, versionId: result.versionId };
    } catch (error) {
      progress.ok = false;
      totals.filesFailed++;
      return { key, file, ok: false, error: asError(error) };
    } finally {
      progress.done = true;
      totals.filesDone++;
      throttle?.changed();
    }
  };

  const results = await Promise.all(entries.map(([key, file]) => uploadOne(key, file)));
  throttle?.flush();
  return results;
}
