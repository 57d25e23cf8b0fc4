/**
 * Canned ACLs (x-amz-acl) for objects and buckets. Buckets created since April 2023 have ACLs
 * disabled on AWS (Object Ownership "bucket owner enforced"): there, only 'private' and
 * 'bucket-owner-full-control' are accepted. https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html#canned-acl
 */
import { S3ConfigError } from './config-error.js';

export type CannedAcl =
  | 'private'
  | 'public-read'
  | 'public-read-write'
  | 'authenticated-read'
  | 'bucket-owner-read'
  | 'bucket-owner-full-control';

const CANNED_ACLS: ReadonlySet<string> = new Set<CannedAcl>([
  'private',
  'public-read',
  'public-read-write',
  'authenticated-read',
  'bucket-owner-read',
  'bucket-owner-full-control',
]);

export function aclHeaders(acl: CannedAcl | undefined): Record<string, string> {
  if (acl === undefined) return {};
  if (!CANNED_ACLS.has(acl)) {
    throw new S3ConfigError('InvalidAcl', `acl must be one of ${[...CANNED_ACLS].join(', ')}; got ${JSON.stringify(String(acl))}.`);
  }
  return { 'x-amz-acl': acl };
}
