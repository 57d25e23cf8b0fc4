/**
 * Object tags: validated against S3's limits, sent as `x-amz-tagging` with a write, and read,
 * replaced or removed with the tagging calls (GetObjectTagging, PutObjectTagging, DeleteObjectTagging).
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-tagging.html
 */
import type { CallOptions } from '../deadline.js';
import { uriEncode } from '../../signer/index.js';
import { S3ConfigError } from '../config-error.js';
import { headerValue, readHead, readText, type RequestPipeline } from '../pipeline.js';
import { buildTagging, parseTagging } from '../xml.js';
import { xmlRequestBody } from '../xml-body.js';

export type Tags = Record<string, string>;

/** S3's limits: 10 tags an object; keys 1..128 and values 0..256 Unicode characters. */
export const TAG_LIMITS = { maxTags: 10, maxKeyLength: 128, maxValueLength: 256 } as const;

const characters = (s: string): number => [...s].length;

export function checkTags(tags: unknown, field = 'tags'): Tags {
  if (typeof tags !== 'object' || tags === null || Array.isArray(tags)) {
    throw new S3ConfigError('InvalidTags', `${field} must be an object of tag names to values, e.g. { project: 'alpha' }.`);
  }
  const entries = Object.entries(tags as Record<string, unknown>);
  if (entries.length > TAG_LIMITS.maxTags) {
    throw new S3ConfigError('InvalidTags', `${field} has ${entries.length} tags; S3 allows at most ${TAG_LIMITS.maxTags} an object.`);
  }
  for (const [key, value] of entries) {
    if (characters(key) < 1 || characters(key) > TAG_LIMITS.maxKeyLength) {
      throw new S3ConfigError('InvalidTags', `${field}: tag keys are 1 to ${TAG_LIMITS.maxKeyLength} characters; ${JSON.stringify(key.slice(0, 40))}… is not.`);
    }
    if (typeof value !== 'string' || characters(value) > TAG_LIMITS.maxValueLength) {
      throw new S3ConfigError('InvalidTags', `${field}: the value of tag ${JSON.stringify(key)} must be a string of at most ${TAG_LIMITS.maxValueLength} characters.`);
    }
  }
  return tags as Tags;
}

/** `x-amz-tagging`: the tags as a URL query (`a=1&b=x%20y`), so any Unicode stays ASCII on the wire. */
export function taggingHeaders(tags: Tags | undefined): Record<string, string> {
  if (tags === undefined) return {};
  const query = Object.entries(checkTags(tags))
    .map(([key, value]) => `${uriEncode(key, true)}=${uriEncode(value, true)}`)
    .join('&');
  return { 'x-amz-tagging': query };
}

export interface TaggingInput extends CallOptions {
  bucket?: string;
  key: string;
  /** A version's tags; the current version's when left out. */
  versionId?: string;
}

export interface PutTagsInput extends TaggingInput {
  tags: Tags;
}

function taggingQuery(input: TaggingInput): Record<string, string> {
  return input.versionId === undefined ? { tagging: '' } : { tagging: '', versionId: input.versionId };
}

export async function getObjectTags(pipeline: RequestPipeline, bucket: string, input: TaggingInput): Promise<Tags> {
  const { text } = await pipeline.send({ method: 'GET', bucket, key: input.key, query: taggingQuery(input), signal: input.signal }, readText);
  // Ceph RGW 16 answers 200 with an empty body for an object that has never had a tag set.
  return text.trim() === '' ? {} : parseTagging(text);
}

/** Replaces all of the object's tags with `tags`. */
export async function putObjectTags(pipeline: RequestPipeline, bucket: string, input: PutTagsInput): Promise<{ versionId: string | undefined }> {
  const { body, headers } = xmlRequestBody(buildTagging(checkTags(input.tags)));
  const response = await pipeline.send({
    method: 'PUT',
    bucket,
    key: input.key,
    query: taggingQuery(input),
    headers,
    body,
    payloadSigning: 'sha256',
    signal: input.signal,
  }, readHead);
  return { versionId: headerValue(response.headers, 'x-amz-version-id') };
}

export async function deleteObjectTags(pipeline: RequestPipeline, bucket: string, input: TaggingInput): Promise<void> {
  const response = await pipeline.send({ method: 'DELETE', bucket, key: input.key, query: taggingQuery(input), signal: input.signal }, readHead);
}
