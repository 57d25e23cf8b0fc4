/**
 * Checks that an upload really happened, so that a client that silently failed cannot look fast:
 * the listing must hold exactly the expected keys at the expected sizes, and sampled objects must
 * read back byte for byte.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { listSizes } from './scratch-bucket.js';

export interface ExpectedObject {
  key: string;
  /** The local file the object was uploaded from. */
  path: string;
  bytes: number;
}

const MAX_LISTED_PROBLEMS = 3;

/** Problems found, at most a few of each kind; empty when the bucket holds exactly what was expected. */
export async function verifyUpload(
  s3: S3Client,
  bucket: string,
  expected: readonly ExpectedObject[],
  sampleKeys: readonly string[],
): Promise<string[]> {
  const listed = await listSizes(s3, bucket);
  const problems: string[] = [];
  const missing = expected.filter((object) => !listed.has(object.key));
  const wrongSize = expected.filter((object) => listed.has(object.key) && listed.get(object.key) !== object.bytes);
  const expectedKeys = new Set(expected.map((object) => object.key));
  const extra = [...listed.keys()].filter((key) => !expectedKeys.has(key));
  if (missing.length > 0) problems.push(`${missing.length} of ${expected.length} objects missing (${keysOf(missing)})`);
  if (wrongSize.length > 0) {
    const first = wrongSize[0];
    problems.push(`${wrongSize.length} objects of the wrong size (${first?.key}: ${listed.get(first?.key ?? '')} bytes, expected ${first?.bytes})`);
  }
  if (extra.length > 0) problems.push(`${extra.length} unexpected objects (${extra.slice(0, MAX_LISTED_PROBLEMS).join(', ')})`);
  if (problems.length > 0) return problems;

  for (const key of sampleKeys) {
    const object = expected.find((candidate) => candidate.key === key);
    if (!object) continue;
    const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const body = await response.Body?.transformToByteArray();
    const remote = createHash('sha256').update(body ?? new Uint8Array()).digest('hex');
    const local = await sha256Of(createReadStream(object.path));
    if (remote !== local) problems.push(`${key}: content differs from ${object.path}`);
  }
  return problems;
}

function keysOf(objects: readonly ExpectedObject[]): string {
  const shown = objects.slice(0, MAX_LISTED_PROBLEMS).map((object) => object.key);
  return objects.length > MAX_LISTED_PROBLEMS ? `${shown.join(', ')}, …` : shown.join(', ');
}

async function sha256Of(stream: AsyncIterable<Uint8Array>): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk);
  return hash.digest('hex');
}
