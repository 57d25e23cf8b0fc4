/**
 * The real S3 servers that the integration tests run against, as scripts/s3-server.sh describes
 * them in the environment: the primary one (Ceph RGW, MinIO, or the caller's S3_ENDPOINT) and the
 * second implementation, OpenStack Swift's s3api (S3_SWIFT_ENDPOINT). Without S3_ENDPOINT there is
 * none, and `describeWithServer` skips the suite: `npx vitest run` alone runs the unit tests;
 * `bash scripts/s3-server.sh vitest run` runs everything.
 *
 * `describeEachServer` runs one suite against every server, with the client's default settings;
 * a test for a feature a server lacks checks `server.features` and asserts the clear error instead.
 */
import { randomBytes } from 'node:crypto';
import { describe } from 'vitest';
import { S3Client, type S3ClientOptions } from '../../src/index.js';

export type S3ServerKind = 'external' | 'minio' | 'ceph-rgw' | 'swift-s3api';

/** What a server implements, where S3-compatible servers differ. */
export interface S3ServerFeatures {
  /** STREAMING-AWS4-HMAC-SHA256-PAYLOAD bodies (Swift: 501 NotImplemented). */
  awsChunked: boolean;
  /** Browser POST Object uploads with a signed policy (Swift: none). */
  postPolicy: boolean;
  /** An unknown access key is InvalidAccessKeyId (Swift's tempauth says SignatureDoesNotMatch). */
  invalidAccessKeyId: boolean;
  /** PUT with If-None-Match / If-Match (Swift: 501 "Conditional object PUTs are not supported"). */
  conditionalPut: boolean;
}

export interface S3TestServer {
  /** Base URL, path style, e.g. `http://127.0.0.1:7480`. */
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  /**
   * The DNS name the server accepts for virtual-hosted style: bucket `b` is `b.<vhostDomain>:<port>`
   * (`localhost` for the servers the script starts). Undefined when an external server did not say.
   */
  vhostDomain: string | undefined;
  /** `external`: S3_ENDPOINT given by the caller; otherwise the server the script started. */
  kind: S3ServerKind;
  features: S3ServerFeatures;
  /**
   * The share of the suites' bulk workloads (thousands of keys, hundreds of files) run here: 1, or
   * 0.1 for Swift, whose object PUT costs several times RGW's CPU on a shared 2-core machine. The
   * tests scale counts by it and keep every assertion.
   */
  workloadScale: number;
}

const kinds: readonly string[] = ['external', 'minio', 'ceph-rgw'] satisfies S3ServerKind[];
const FULL_FEATURES: S3ServerFeatures = { awsChunked: true, postPolicy: true, invalidAccessKeyId: true, conditionalPut: true };
const SWIFT_FEATURES: S3ServerFeatures = { awsChunked: false, postPolicy: false, invalidAccessKeyId: false, conditionalPut: false };

/** Reads the primary server from the environment; undefined when S3_ENDPOINT is unset or empty. */
export function readS3Server(env: NodeJS.ProcessEnv = process.env): S3TestServer | undefined {
  const endpoint = env.S3_ENDPOINT;
  if (!endpoint) return undefined;
  const { S3_ACCESS_KEY: accessKeyId, S3_SECRET_KEY: secretAccessKey } = env;
  if (!accessKeyId || !secretAccessKey) {
    throw new Error('S3_ENDPOINT is set but S3_ACCESS_KEY or S3_SECRET_KEY is not: set both, or unset S3_ENDPOINT');
  }
  const kind = env.S3_SERVER_KIND || 'external';
  if (!kinds.includes(kind)) throw new Error(`S3_SERVER_KIND must be one of ${kinds.join(', ')}, not '${kind}'`);
  return {
    endpoint: endpoint.replace(/\/+$/, ''),
    accessKeyId,
    secretAccessKey,
    region: env.S3_REGION || 'us-east-1',
    vhostDomain: env.S3_VHOST_DOMAIN || undefined,
    kind: kind as S3ServerKind,
    features: FULL_FEATURES,
    workloadScale: 1,
  };
}

/** Reads OpenStack Swift's s3api from the environment; undefined when S3_SWIFT_ENDPOINT is unset. */
export function readSwiftServer(env: NodeJS.ProcessEnv = process.env): S3TestServer | undefined {
  const endpoint = env.S3_SWIFT_ENDPOINT;
  if (!endpoint) return undefined;
  const { S3_SWIFT_ACCESS_KEY: accessKeyId, S3_SWIFT_SECRET_KEY: secretAccessKey } = env;
  if (!accessKeyId || !secretAccessKey) {
    throw new Error('S3_SWIFT_ENDPOINT is set but S3_SWIFT_ACCESS_KEY or S3_SWIFT_SECRET_KEY is not');
  }
  return {
    endpoint: endpoint.replace(/\/+$/, ''),
    accessKeyId,
    secretAccessKey,
    region: env.S3_SWIFT_REGION || 'us-east-1',
    vhostDomain: env.S3_SWIFT_VHOST_DOMAIN || undefined,
    kind: 'swift-s3api',
    features: SWIFT_FEATURES,
    workloadScale: 0.1,
  };
}

export const s3Server: S3TestServer | undefined = readS3Server();
export const swiftServer: S3TestServer | undefined = readSwiftServer();

/** `describe` when a server is there, `describe.skip` when not. */
export const describeWithServer = s3Server ? describe : describe.skip;

/**
 * Runs the suite once per server: `title [ceph-rgw]`, `title [swift-s3api]`. When the primary server
 * runs but Swift does not (an S3_ENDPOINT of the caller's, or S3_SWIFT=0), the Swift run is a
 * skipped suite whose title says why, so the summary shows it instead of dropping it silently.
 */
export function describeEachServer(title: string, suite: (server: S3TestServer) => void): void {
  if (!s3Server) {
    describe.skip(title, () => undefined);
    return;
  }
  for (const server of [s3Server, swiftServer]) {
    if (server === undefined) {
      describe.skip(`${title} [swift-s3api: not running, S3_SWIFT_ENDPOINT unset]`, () => undefined);
    } else {
      describe(`${title} [${server.kind}]`, () => suite(server));
    }
  }
}

/**
 * A bucket name no other test or run uses: `<prefix>-<time>-<random>`, lowercase letters, digits and
 * hyphens, at most 63 characters, valid for both addressing styles. The prefix is lowercased and
 * anything outside [a-z0-9-] becomes a hyphen, so it only needs to be recognisable.
 */
export function uniqueBucketName(prefix = 's3lane'): string {
  // Milliseconds in base 36 sort by creation time; 6 random hex digits separate parallel workers.
  const suffix = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const cleaned = prefix
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .slice(0, 63 - suffix.length - 1)
    .replace(/^-+|-+$/g, '');
  return `${cleaned || 's3lane'}-${suffix}`;
}

/**
 * A client for a test server (the primary one unless given) with the default settings: endpoint,
 * region and keys only, so addressing and payload signing are what a new user gets. Throws without
 * a server.
 */
export function testClient(options: S3ClientOptions = {}, server: S3TestServer | undefined = s3Server): S3Client {
  if (!server) throw new Error('no S3 server: run the integration tests through scripts/s3-server.sh');
  return new S3Client({
    endpoint: server.endpoint,
    region: server.region,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    ...options,
  });
}

/**
 * Deterministic bytes (xorshift) that differ at nearly every offset, so a misplaced or repeated
 * chunk cannot go unnoticed, and a failure shows the same data again.
 */
export function patternBytes(length: number, seed = 1): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(length);
  const view = new DataView(out.buffer);
  let x = seed >>> 0 || 1;
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    view.setUint32(i, x >>> 0);
  }
  for (; i < length; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

/**
 * Deletes a test bucket and everything in it: unfinished multipart uploads, then objects, then the
 * bucket. Tests assert what they leave behind; this only clears the way.
 */
export async function removeTestBucket(s3: S3Client, bucket?: string): Promise<void> {
  for (const upload of await s3.listMultipartUploads({ bucket })) await s3.abortMultipartUpload({ ...upload, bucket });
  const keys: string[] = [];
  for await (const object of s3.list({ bucket })) keys.push(object.key);
  if (keys.length) await s3.deleteMany({ bucket, keys });
  await s3.deleteBucket({ bucket });
}
