/** The one-object and bucket commands: presign, stat, cat, mb, rb. */
import type { PresignMethod } from '../../index.js';
import type { CommandContext } from '../context.js';
import { formatS3Url, requireS3Url } from '../s3-url.js';
import { parseCount, parseRange } from '../size.js';
import { UsageError } from '../usage.js';
import { writeObject } from './cp.js';

const PRESIGN_METHODS: readonly string[] = ['GET', 'PUT', 'HEAD', 'DELETE'] satisfies PresignMethod[];
const MAX_EXPIRES = 7 * 24 * 3600;

function objectLocation(context: CommandContext, command: string): { bucket: string; key: string } {
  const location = requireS3Url(context.args[0], command);
  if (location.key === '') throw new UsageError(`${command} needs an object: s3://bucket/key`);
  return location;
}

function bucketOnly(context: CommandContext, command: string): string {
  const location = requireS3Url(context.args[0], command);
  if (location.key !== '') throw new UsageError(`${command} takes a bucket (s3://bucket), not a key`);
  return location.bucket;
}

export async function presign(context: CommandContext): Promise<void> {
  const location = objectLocation(context, 'presign');
  const method = (context.options.method ?? 'GET').toUpperCase();
  if (!PRESIGN_METHODS.includes(method)) throw new UsageError(`--method must be one of ${PRESIGN_METHODS.join(', ')}, got '${context.options.method}'`);
  const expiresIn = parseCount(context.options.expiresIn ?? '3600', 'expires-in', MAX_EXPIRES);
  const url = await context.s3.presign({ ...location, method: method as PresignMethod, expiresIn });
  context.output.result(url, { type: 'presign', url, method, expiresIn, expires: new Date(Date.now() + expiresIn * 1000).toISOString() });
}

export async function statObject(context: CommandContext): Promise<void> {
  const location = objectLocation(context, 'stat');
  const info = await context.s3.head({ ...location, signal: context.signal });
  const fields: [string, string | number | undefined][] = [
    ['URL', formatS3Url(location)],
    ['Size', info.contentLength],
    ['Content-Type', info.contentType],
    ['ETag', info.etag],
    ['Last-Modified', info.lastModified?.toISOString()],
    ['Version-Id', info.versionId],
    ['Storage-Class', info.storageClass],
    ['Cache-Control', info.cacheControl],
    ['Content-Encoding', info.contentEncoding],
    ['Content-Disposition', info.contentDisposition],
    ...Object.entries(info.metadata).map(([name, value]): [string, string] => [`x-amz-meta-${name}`, value]),
  ];
  const text = fields
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `${`${name}:`.padEnd(20)} ${value}`)
    .join('\n');
  context.output.result(text, { type: 'object', bucket: location.bucket, key: location.key, ...info, lastModified: info.lastModified?.toISOString() });
}

export async function cat(context: CommandContext): Promise<void> {
  const range = context.options.range === undefined ? undefined : parseRange(context.options.range);
  await writeObject(context, objectLocation(context, 'cat'), range);
}

export async function makeBucket(context: CommandContext): Promise<void> {
  const bucket = bucketOnly(context, 'mb');
  await context.s3.createBucket({ bucket, signal: context.signal });
  context.output.result(`make_bucket: ${bucket}`, { type: 'make_bucket', bucket });
}

export async function removeBucket(context: CommandContext): Promise<void> {
  const bucket = bucketOnly(context, 'rb');
  await context.s3.deleteBucket({ bucket, signal: context.signal });
  context.output.result(`remove_bucket: ${bucket}`, { type: 'remove_bucket', bucket });
}
