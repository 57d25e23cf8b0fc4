/**
 * Bucket versioning: turning it on (or suspending it), reading its state, and listing every
 * version and delete marker (ListObjectVersions). Reads, heads, deletes and the tag calls take a
 * `versionId` to address one version.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html
 */
import type { CallOptions } from '../deadline.js';
import { S3ConfigError } from '../config-error.js';
import { readHead, readText, type RequestPipeline } from '../pipeline.js';
import { buildVersioningConfiguration, parseListObjectVersions, parseVersioningConfiguration, type ObjectVersionSummary } from '../xml.js';
import { xmlRequestBody } from '../xml-body.js';

export type ObjectVersion = ObjectVersionSummary;

export interface SetVersioningInput extends CallOptions {
  bucket?: string;
  /** true: Enabled; false: Suspended (a bucket's versioning can be suspended, never turned off). */
  enabled: boolean;
}

export async function setBucketVersioning(pipeline: RequestPipeline, bucket: string, input: SetVersioningInput): Promise<void> {
  if (typeof input.enabled !== 'boolean') {
    throw new S3ConfigError('InvalidVersioning', 'enabled must be true (Enabled) or false (Suspended).');
  }
  const { body, headers } = xmlRequestBody(buildVersioningConfiguration(input.enabled ? 'Enabled' : 'Suspended'));
  const response = await pipeline.send({
    method: 'PUT',
    bucket,
    query: { versioning: '' },
    headers,
    body,
    payloadSigning: 'sha256',
    signal: input.signal,
  }, readHead);
}

/** 'Enabled', 'Suspended', or undefined for a bucket whose versioning was never turned on. */
export async function getBucketVersioning(
  pipeline: RequestPipeline,
  bucket: string,
  input: { signal?: AbortSignal | undefined },
): Promise<'Enabled' | 'Suspended' | undefined> {
  const { text } = await pipeline.send({ method: 'GET', bucket, query: { versioning: '' }, signal: input.signal }, readText);
  return parseVersioningConfiguration(text);
}

export interface ListVersionsInput extends CallOptions {
  bucket?: string;
  prefix?: string;
}

/** Every version and delete marker under the prefix, page after page; each key's newest first. */
export async function* listVersions(pipeline: RequestPipeline, bucket: string, input: ListVersionsInput): AsyncGenerator<ObjectVersion> {
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  for (;;) {
    const query: Record<string, string> = { versions: '', 'encoding-type': 'url' };
    if (input.prefix) query['prefix'] = input.prefix;
    if (keyMarker !== undefined) query['key-marker'] = keyMarker;
    if (versionIdMarker !== undefined) query['version-id-marker'] = versionIdMarker;
    const { text } = await pipeline.send({ method: 'GET', bucket, query, signal: input.signal }, readText);
    const page = parseListObjectVersions(text);
    yield* page.versions;
    // A truncated page must move the markers on; a server that does not would loop forever.
    const moved = page.nextKeyMarker !== keyMarker || page.nextVersionIdMarker !== versionIdMarker;
    if (!page.isTruncated || !moved || page.nextKeyMarker === undefined) return;
    keyMarker = page.nextKeyMarker;
    versionIdMarker = page.nextVersionIdMarker;
  }
}
