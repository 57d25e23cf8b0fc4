/**
 * Where a cp/ls/rm argument points: an S3 location (`s3://bucket/key-or-prefix`), standard
 * input/output (`-`), or a local path.
 */
import { UsageError } from './usage.js';

export interface S3Location {
  bucket: string;
  /** The key or prefix after the bucket; '' for the bucket itself. */
  key: string;
}

export type Endpoint = { kind: 's3'; location: S3Location } | { kind: 'stdio' } | { kind: 'local'; path: string };

const SCHEME = 's3://';

/** `s3://bucket/a/b` -> { bucket: 'bucket', key: 'a/b' }; undefined for anything not starting with s3://. */
export function parseS3Url(text: string): S3Location | undefined {
  if (!text.startsWith(SCHEME)) return undefined;
  const rest = text.slice(SCHEME.length);
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  if (bucket === '') throw new UsageError(`${text}: no bucket name after s3://`);
  return { bucket, key: slash < 0 ? '' : rest.slice(slash + 1) };
}

/** An argument that must be an S3 location. */
export function requireS3Url(text: string | undefined, what: string): S3Location {
  const location = text === undefined ? undefined : parseS3Url(text);
  if (!location) throw new UsageError(`${what} must be an s3://bucket/... URL, got ${text === undefined ? 'nothing' : `'${text}'`}`);
  return location;
}

export function parseEndpoint(text: string): Endpoint {
  if (text === '-') return { kind: 'stdio' };
  const location = parseS3Url(text);
  return location ? { kind: 's3', location } : { kind: 'local', path: text };
}

export function formatS3Url(location: S3Location): string {
  return `${SCHEME}${location.bucket}/${location.key}`;
}

/** A prefix that names a "folder": '' stays '', anything else ends with exactly one '/'. */
export function folderPrefix(key: string): string {
  return key === '' || key.endsWith('/') ? key : `${key}/`;
}
