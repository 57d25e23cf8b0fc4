/**
 * s3lane cp SRC DST: uploads (a file, a tree through uploadFiles' one pool, stdin), downloads (an
 * object, or every object under a prefix, through a pool of `--concurrency`), server-side copies,
 * and an object to stdout.
 */
import { mkdir, stat } from 'node:fs/promises';
import { basename, dirname, join, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BatchProgress, ByteRange, ListedObject, S3Client, UploadProgress } from '../../index.js';
import { contentTypeOf } from '../content-type.js';
import type { CommandContext } from '../context.js';
import { listTree } from '../local-tree.js';
import type { TransferSnapshot } from '../live-display.js';
import { forEachLimited } from '../pool.js';
import { folderPrefix, formatS3Url, parseEndpoint, type S3Location } from '../s3-url.js';
import { parseCount, parseRange, parseSize } from '../size.js';
import { TransferTracker } from '../tracker.js';
import { UsageError } from '../usage.js';

const DEFAULT_CONCURRENCY = 16;
const MAX_CONCURRENCY = 1000;

export async function cp(context: CommandContext): Promise<void> {
  const [fromText = '', toText = ''] = context.args;
  const from = parseEndpoint(fromText);
  const to = parseEndpoint(toText);
  const { options } = context;
  const concurrency = options.concurrency === undefined ? DEFAULT_CONCURRENCY : parseCount(options.concurrency, 'concurrency', MAX_CONCURRENCY);
  const partSize = options.partSize === undefined ? undefined : parseSize(options.partSize, 'part-size');
  const range = options.range === undefined ? undefined : parseRange(options.range);
  if (options.recursive && (from.kind === 'stdio' || to.kind === 'stdio')) throw new UsageError('--recursive does not go with - (stdin/stdout)');
  if (range && (from.kind !== 's3' || to.kind === 's3' || options.recursive)) {
    throw new UsageError('--range is for downloading part of one object: cp s3://bucket/key FILE|- --range A-B');
  }
  if (partSize !== undefined && from.kind === 's3') throw new UsageError('--part-size is for uploads');
  if (partSize !== undefined && (partSize < 5 * 2 ** 20 || partSize > 5 * 2 ** 30)) {
    throw new UsageError(`--part-size must be from 5MiB to 5GiB (S3's limits), got ${options.partSize}`);
  }

  if (from.kind === 'local' && to.kind === 's3') return uploadLocal(context, from.path, to.location, concurrency, partSize);
  if (from.kind === 'stdio' && to.kind === 's3') return uploadStdin(context, to.location, partSize);
  if (from.kind === 's3' && to.kind === 'local') return download(context, from.location, to.path, concurrency, range);
  if (from.kind === 's3' && to.kind === 'stdio') return downloadToStdout(context, from.location, range);
  if (from.kind === 's3' && to.kind === 's3') return copy(context, from.location, to.location, concurrency);
  throw new UsageError('cp needs an s3:// URL on one side at least');
}

/** The key for one file copied to `target`: the target key itself, or the file's name under a "folder". */
function keyFor(target: S3Location, name: string): string {
  return target.key === '' || target.key.endsWith('/') ? target.key + name : target.key;
}

function requireObjectKey(location: S3Location): string {
  if (location.key === '' || location.key.endsWith('/')) {
    throw new UsageError(`${formatS3Url(location)} names a prefix, not an object: add --recursive, or name the key`);
  }
  return location.key;
}

function batchSnapshot(progress: BatchProgress): TransferSnapshot {
  const active = [];
  for (const [name, file] of progress.files) {
    if (file.started && !file.done) active.push({ name, bytes: file.bytesSent, total: file.totalBytes });
  }
  return { ...progress, bytesDone: progress.bytesSent, active };
}

async function uploadLocal(
  context: CommandContext,
  path: string,
  target: S3Location,
  concurrency: number,
  partSize: number | undefined,
): Promise<void> {
  const { s3, output, signal } = context;
  const info = await stat(path);
  const files = new Map<string, string>();
  if (info.isDirectory()) {
    if (!context.options.recursive) throw new UsageError(`${path} is a directory: add --recursive to upload the tree`);
    const prefix = folderPrefix(target.key);
    for (const [relative, file] of await listTree(path)) files.set(prefix + relative, file);
  } else {
    files.set(keyFor(target, basename(path)), path);
  }
  await s3.uploadFiles(files, {
    bucket: target.bucket,
    concurrency,
    partSize,
    signal,
    headers: (_key, file) => ({ contentType: contentTypeOf(file) }),
    onProgress: output.mode === 'live' ? (progress) => output.progress(batchSnapshot(progress)) : undefined,
    onFileDone: (result) =>
      output.item({
        action: 'upload',
        source: result.file,
        target: formatS3Url({ bucket: target.bucket, key: result.key }),
        ...(result.ok ? { bytes: result.bytes, details: { etag: result.etag } } : { error: result.error }),
      }),
  });
  output.summary('upload', { total: files.size });
}

/** Standard input, of any length: one PUT if it is short, else a multipart upload read part by part. */
async function uploadStdin(context: CommandContext, target: S3Location, partSize: number | undefined): Promise<void> {
  const { s3, output, signal } = context;
  const key = requireObjectKey(target);
  const url = formatS3Url(target);
  const show = (progress: UploadProgress): void =>
    output.progress({
      bytesDone: progress.bytesSent,
      totalBytes: progress.totalBytes,
      filesDone: 0,
      filesFailed: 0,
      totalFiles: 1,
      active: [{ name: key, bytes: progress.bytesSent, total: progress.totalBytes }],
    });
  try {
    const result = await s3.upload({ bucket: target.bucket, key, body: context.stdin as Readable, partSize, signal, onProgress: output.mode === 'live' ? show : undefined });
    output.item({ action: 'upload', source: '-', target: url, bytes: result.bytes, details: { etag: result.etag, parts: result.parts } });
  } catch (error) {
    output.item({ action: 'upload', source: '-', target: url, error });
  }
  output.summary('upload', { total: 1 });
}

/** Every object under `prefix` (S3 has no folders: keys ending in '/' are markers, not objects). */
async function listObjectsUnder(s3: S3Client, bucket: string, prefix: string, signal: AbortSignal): Promise<ListedObject[]> {
  const objects: ListedObject[] = [];
  for await (const object of s3.list({ bucket, prefix, signal })) if (!object.key.endsWith('/')) objects.push(object);
  return objects;
}

/** A key below `prefix` as a path below `dir`, or undefined when it would land outside `dir`. */
function localPathFor(dir: string, prefix: string, key: string): string | undefined {
  const segments = key.slice(prefix.length).split('/').filter((segment) => segment !== '');
  if (segments.length === 0 || segments.some((segment) => segment === '..' || segment === '.' || segment.includes(sep))) return undefined;
  return join(dir, ...segments);
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then((info) => info.isDirectory(), () => false);
}

interface DownloadItem {
  key: string;
  size: number | undefined;
  file: string | undefined;
}

async function download(
  context: CommandContext,
  source: S3Location,
  destination: string,
  concurrency: number,
  range: ByteRange | undefined,
): Promise<void> {
  const { s3, output, signal } = context;
  let items: DownloadItem[];
  if (context.options.recursive) {
    const prefix = folderPrefix(source.key);
    const objects = await listObjectsUnder(s3, source.bucket, prefix, signal);
    items = objects.map((object) => ({ key: object.key, size: object.size, file: localPathFor(destination, prefix, object.key) }));
  } else {
    const key = requireObjectKey(source);
    const intoDirectory = destination.endsWith('/') || destination.endsWith(sep) || (await isDirectory(destination));
    items = [{ key, size: undefined, file: intoDirectory ? join(destination, basename(key)) : destination }];
  }
  const tracker = new TransferTracker(items.length, items.every((item) => item.size !== undefined) ? items.reduce((sum, item) => sum + (item.size ?? 0), 0) : undefined);
  const live = output.mode === 'live';
  await forEachLimited(items, concurrency, signal, async ({ key, size, file }) => {
    const url = formatS3Url({ bucket: source.bucket, key });
    if (file === undefined) {
      const error = Object.assign(new Error(`the key would be written outside ${destination}`), { code: 'UnsafeKey' });
      tracker.start(key, size);
      tracker.finish(key, false, 0);
      output.item({ action: 'download', source: url, target: destination, error });
      return;
    }
    tracker.start(key, size);
    try {
      await mkdir(dirname(file), { recursive: true });
      const result = await s3.download({
        bucket: source.bucket,
        key,
        file,
        range,
        signal,
        onProgress: live
          ? (progress) => {
              tracker.progress(key, progress.bytesReceived, progress.totalBytes);
              output.progress(tracker.snapshot());
            }
          : undefined,
      });
      tracker.finish(key, true, result.bytes);
      output.item({ action: 'download', source: url, target: file, bytes: result.bytes, details: { etag: result.etag } });
    } catch (error) {
      tracker.finish(key, false, 0);
      output.item({ action: 'download', source: url, target: file, error });
    }
    if (live) output.progress(tracker.snapshot());
  });
  output.summary('download', { total: items.length });
}

/** Server-side copies: the bytes never pass through this machine. */
async function copy(context: CommandContext, source: S3Location, target: S3Location, concurrency: number): Promise<void> {
  const { s3, output, signal } = context;
  let pairs: { from: string; to: string; size: number | undefined }[];
  if (context.options.recursive) {
    const prefix = folderPrefix(source.key);
    const targetPrefix = folderPrefix(target.key);
    const objects = await listObjectsUnder(s3, source.bucket, prefix, signal);
    pairs = objects.map((object) => ({ from: object.key, to: targetPrefix + object.key.slice(prefix.length), size: object.size }));
  } else {
    const key = requireObjectKey(source);
    pairs = [{ from: key, to: keyFor(target, key.slice(key.lastIndexOf('/') + 1)), size: undefined }];
  }
  const tracker = new TransferTracker(pairs.length, undefined);
  await forEachLimited(pairs, concurrency, signal, async ({ from, to, size }) => {
    const item = { action: 'copy' as const, source: formatS3Url({ bucket: source.bucket, key: from }), target: formatS3Url({ bucket: target.bucket, key: to }) };
    tracker.start(from, size);
    output.progress(tracker.snapshot());
    try {
      const result = await s3.copy({ from: { bucket: source.bucket, key: from }, to: { bucket: target.bucket, key: to }, signal });
      tracker.finish(from, true, size ?? 0);
      output.item({ ...item, bytes: size, details: { etag: result.etag } });
    } catch (error) {
      tracker.finish(from, false, 0);
      output.item({ ...item, error });
    }
    output.progress(tracker.snapshot());
  });
  output.summary('copy', { total: pairs.length });
}

async function downloadToStdout(context: CommandContext, source: S3Location, range: ByteRange | undefined): Promise<void> {
  const item = { action: 'download' as const, source: formatS3Url(source), target: '-' };
  try {
    context.output.item({ ...item, bytes: await writeObject(context, source, range) });
  } catch (error) {
    context.output.item({ ...item, error });
  }
  context.output.summary('download', { total: 1 });
}

/** An object's bytes (or a range of them) to stdout; shared by `cp s3://b/k -` and `cat`. */
export async function writeObject(context: CommandContext, source: S3Location, range: ByteRange | undefined): Promise<number> {
  const object = await context.s3.get({ bucket: source.bucket, key: requireObjectKey(source), range, signal: context.signal });
  let bytes = 0;
  const counted = Readable.fromWeb(object.body as import('node:stream/web').ReadableStream<Uint8Array>);
  counted.on('data', (chunk: Uint8Array) => (bytes += chunk.byteLength));
  try {
    // stdout stays open: it is the process's, not this object's.
    await pipeline(counted, context.stdout, { signal: context.signal, end: false });
  } catch (error) {
    // The reader went away (`| head`): what it wanted, it has; that is not a failure.
    if (!(error instanceof Error && 'code' in error && error.code === 'EPIPE')) throw error;
  }
  return bytes;
}
