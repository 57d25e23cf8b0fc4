/**
 * Bucket names, as S3 requires them today:
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
 * 3–63 characters of lowercase letters, digits, `.` and `-`; a letter or digit at each end; no
 * `..`; not shaped like an IP address; not `xn--`, `sthree-` or `amzn-s3-demo-` at the start.
 * Names of a kind S3 reserves for aliases (`-s3alias`, `--ol-s3`, `.mrap`, `--x-s3`, `--table-s3`)
 * address existing access points and buckets, so only createBucket refuses them.
 *
 * Legacy names (uppercase, `_`, up to 255 characters) exist only in us-east-1, from before 2018,
 * and S3 still serves them: they are accepted for reading there, and nowhere else.
 */
import { describeValue, quoteForMessage } from '../config-error.js';
import { fail } from './rules.js';

/** What the call does with the bucket: which names S3 still accepts for it. */
export type BucketUse = 'read' | 'write' | 'create';

const IPV4_SHAPED = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];

/** The first rule `name` breaks, or undefined. `legacy` relaxes only the character set and length. */
function problem(name: string, use: BucketUse, legacy: boolean): string | undefined {
  const max = legacy ? 255 : 63;
  if (name.length < 3 || name.length > max) {
    return `has ${name.length} characters; bucket names have 3 to 63${legacy ? ' (legacy us-east-1 names up to 255)' : ''}.`;
  }
  if (name.includes('/')) return "contains '/': pass only the bucket name, and put the folder at the start of the key.";
  const bad = (legacy ? /[^A-Za-z0-9._-]/ : /[^a-z0-9.-]/).exec(name);
  if (bad !== null) {
    return `has ${JSON.stringify(bad[0])} at index ${bad.index}: use lowercase letters, digits, '.' and '-'.`;
  }
  if (!/^[A-Za-z0-9]/.test(name) || !/[A-Za-z0-9]$/.test(name)) return 'must start and end with a letter or digit.';
  if (name.includes('..')) return "has two adjacent periods ('..').";
  if (IPV4_SHAPED.test(name)) return 'is shaped like an IP address, which S3 refuses as a bucket name.';
  const prefix = RESERVED_PREFIXES.find((p) => name.startsWith(p));
  if (prefix !== undefined) return `starts with '${prefix}', a prefix S3 reserves.`;
  if (use === 'create') {
    const suffix = RESERVED_SUFFIXES.find((s) => name.endsWith(s));
    if (suffix !== undefined) return `ends with '${suffix}', a suffix S3 reserves for access point and bucket aliases.`;
  }
  return undefined;
}

/**
 * The last name accepted, and for what. A client addresses one or a few buckets, so nearly every
 * call checks a name just accepted; the rules are pure, so it need not be checked again. Replaced
 * whole, never mutated.
 */
let lastAccepted: { readonly name: string; readonly use: BucketUse; readonly legacy: boolean } = { name: '', use: 'read', legacy: false };

/**
 * Throws `InvalidBucketName` (`field` names the option) for a name S3 would refuse for `use`.
 * `legacyAllowed`: the client's region is us-east-1, where legacy names may still be read.
 */
export function checkBucketName(name: unknown, field: string, use: BucketUse, legacyAllowed: boolean): asserts name is string {
  if (typeof name !== 'string') fail('InvalidBucketName', field, `expected a bucket name string, got ${describeValue(name)}.`);
  const legacy = legacyAllowed && use === 'read';
  const last = lastAccepted;
  if (name === last.name && use === last.use && legacy === last.legacy) return;
  if (name.startsWith('arn:')) {
    fail('InvalidBucketName', field, "is an ARN: access-point and Outposts ARNs are not supported here; use the access point's alias as the bucket name.");
  }
  const why = problem(name, use, legacy);
  if (why !== undefined) fail('InvalidBucketName', field, `${quoteForMessage(name, 70)} ${why}`);
  lastAccepted = { name, use, legacy };
}
