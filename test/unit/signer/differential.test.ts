/**
 * Differential test: thousands of random S3 requests signed by s3lane and by the AWS SDK's
 * signer (@smithy/signature-v4, S3 settings: the path signed as sent) must agree byte for byte on
 * the Authorization header, and on the presigned URL's signature for a subset.
 *
 * The PRNG is seeded: a failure prints its case number and seed, and reproduces.
 */
import { createHash, createHmac } from 'node:crypto';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import {
  EMPTY_SHA256,
  SigV4Signer,
  UNSIGNED_HEADER_NAMES,
  UNSIGNED_PAYLOAD,
  sha256Hex,
  uriEncode,
  type Credentials,
} from '../../../src/signer/index.js';

const SEED = 0x5e1a_2024;
const CASES = 3000;
const PRESIGN_EVERY = 3;

/** mulberry32: small, fast, good enough to pick test inputs. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A SHA-256 for smithy built on node:crypto (HMAC when given a secret), as the SDK's Node build does. */
class NodeSha256 {
  #secret: Uint8Array | string | undefined;
  #hash: ReturnType<typeof createHash> | ReturnType<typeof createHmac>;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.#secret =
      secret === undefined || typeof secret === 'string'
        ? secret
        : ArrayBuffer.isView(secret)
          ? new Uint8Array(secret.buffer, secret.byteOffset, secret.byteLength)
          : new Uint8Array(secret);
    this.#hash = this.#fresh();
  }
  #fresh() {
    return this.#secret === undefined ? createHash('sha256') : createHmac('sha256', this.#secret);
  }
  update(data: Uint8Array): void {
    this.#hash.update(data);
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.#hash.digest()));
  }
  reset(): void {
    this.#hash = this.#fresh();
  }
}

// Headers s3lane never signs are made unsignable for smithy too; headers smithy would skip but
// s3lane signs (cache-control: object metadata) are made signable. Both lists are then exercised.
const S3LANE_UNSIGNED = new Set([...UNSIGNED_HEADER_NAMES]);
const SMITHY_ONLY_UNSIGNED = new Set(['cache-control', 'from', 'max-forwards', 'pragma', 'referer']);

const KEY_PIECES = [
  'photos', 'a', 'Z9', 'file.txt', 'my key', 'x+y', 'a=b', '~tilde', '.', '..', '', 'é', '日本語', '😀', '100%',
  'q?', 'h#', 'a&b', "it's", '(1)', 'star*', 'semi;colon', 'com,ma', 'at@', 'col:on', '$dollar', '[b]', 'tab\tx', 'ü/ö',
];
const QUERY_KEYS = [
  'prefix', 'delimiter', 'max-keys', 'list-type', 'continuation-token', 'versionId', 'uploads', 'partNumber', 'uploadId',
  'response-content-disposition', 'response-content-type', 'x-id', 'a b', 'k+1', 'ü', 'A', 'a', 'a-b', 'a_b', 'a.b', 'Z',
];
const QUERY_VALUES = [
  '', '', '1', '1000', '/', 'a/b/c', 'x y', 'x+y', 'a=b', 'a&b', 'inline; filename="r.pdf"', 'é', '😀', '~-._', '%', '*',
  "it's", 'text/plain; charset=utf-8',
];
const HEADER_NAMES = [
  'Content-Type', 'content-md5', 'Range', 'If-None-Match', 'If-Match', 'x-amz-acl', 'X-Amz-Meta-Author',
  'x-amz-meta-note', 'X-AMZ-STORAGE-CLASS', 'Content-Disposition', 'Content-Language', 'Cache-Control', 'Pragma',
  'User-Agent', 'Expect', 'X-Amzn-Trace-Id', 'Content-Length', 'x-amz-server-side-encryption', 'Referer', 'Accept',
];
const HEADER_VALUES = [
  'text/plain', '  padded  ', 'a   b    c', 'tab\tin\tvalue', 'bytes=0-99', '"etag-1"', 'private', '123', 'x', '',
  'inline; filename="a b.txt"', 'max-age=60,  public', 'aws-sdk-js/3.0 (linux)', '100-continue', 'Root=1-abc',
];

type Rng = () => number;
const pick = <T>(rng: Rng, list: readonly T[]): T => list[Math.floor(rng() * list.length)]!;
const int = (rng: Rng, max: number): number => Math.floor(rng() * max);

/** Wire encoding of a query component: always UriEncode, or with some safe characters left raw / lower-case hex. */
function wireComponent(rng: Rng, text: string): string {
  const encoded = uriEncode(text);
  switch (int(rng, 4)) {
    case 0: // lower-case hex digits are the same bytes
      return encoded.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase());
    case 1: {
      // the first unreserved character needlessly escaped (not a hex digit of an escape)
      let done = false;
      return encoded.replace(/%[0-9A-F]{2}|[A-Za-z~]/g, (match) => {
        if (done || match.length === 3) return match;
        done = true;
        return `%${match.charCodeAt(0).toString(16).toUpperCase()}`;
      });
    }
    case 2: // characters a browser leaves raw in a query
      return encoded.replace(/%2F/g, '/').replace(/%3A/g, ':').replace(/%40/g, '@').replace(/%2C/g, ',');
    default:
      return encoded;
  }
}

interface RandomRequest {
  readonly method: string;
  readonly protocol: 'https:' | 'http:';
  readonly hostname: string;
  readonly port: number | undefined;
  readonly path: string;
  readonly wireQuery: string;
  /** Decoded query for smithy (repeated keys as arrays). */
  readonly query: Record<string, string | string[]>;
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
  readonly payloadHash: string | undefined;
  readonly expectedPayloadHash: string;
  readonly date: Date;
  readonly withToken: boolean;
  readonly useUrlObject: boolean;
}

function randomRequest(rng: Rng, forPresign: boolean): RandomRequest {
  const pathStyle = rng() < 0.4;
  const local = rng() < 0.2;
  const protocol = local && rng() < 0.7 ? 'http:' : 'https:';
  const port = local ? pick(rng, [9000, 8080, 443, 80]) : undefined;
  const bucket = `bucket-${int(rng, 1000)}`;
  const hostname = local ? '127.0.0.1' : pathStyle ? 's3.us-west-2.amazonaws.com' : `${bucket}.s3.us-west-2.amazonaws.com`;

  const pieces = Array.from({ length: 1 + int(rng, 5) }, () => pick(rng, KEY_PIECES));
  const key = pieces.join(rng() < 0.1 ? '//' : '/');
  const path = `/${pathStyle || local ? `${bucket}/` : ''}${uriEncode(key, false)}`;

  const query: Record<string, string | string[]> = {};
  const wireParts: string[] = [];
  for (let i = int(rng, 5); i > 0; i--) {
    const name = pick(rng, QUERY_KEYS);
    const value = pick(rng, QUERY_VALUES);
    const previous = query[name];
    query[name] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
    wireParts.push(value === '' && rng() < 0.5 ? wireComponent(rng, name) : `${wireComponent(rng, name)}=${wireComponent(rng, value)}`);
  }

  const headers: Record<string, string> = {};
  const used = new Set<string>();
  for (let i = int(rng, 6); i > 0; i--) {
    const name = pick(rng, HEADER_NAMES);
    // x-amz-* headers are hoisted into the query by smithy's presign: leave them to header signing.
    if (used.has(name.toLowerCase()) || (forPresign && name.toLowerCase().startsWith('x-amz-'))) continue;
    used.add(name.toLowerCase());
    headers[name] = pick(rng, HEADER_VALUES);
  }

  const bodyKind = int(rng, 4);
  const body = bodyKind === 1 ? `body ${int(rng, 1e9)} é` : undefined;
  const payloadHash = bodyKind === 2 ? UNSIGNED_PAYLOAD : bodyKind === 3 ? sha256Hex(`other ${int(rng, 1e9)}`) : undefined;
  const expectedPayloadHash = forPresign
    ? UNSIGNED_PAYLOAD
    : payloadHash ?? (body === undefined ? EMPTY_SHA256 : sha256Hex(body));

  const date = new Date(Date.UTC(2000, 0, 1) + Math.floor(rng() * 30 * 365.25 * 86_400) * 1000);
  const hasDotSegment = pieces.some((piece) => piece === '.' || piece === '..');
  return {
    method: forPresign ? pick(rng, ['GET', 'PUT']) : pick(rng, ['GET', 'PUT', 'POST', 'DELETE', 'HEAD']),
    protocol,
    hostname,
    port,
    path,
    wireQuery: wireParts.join('&'),
    query,
    headers,
    body: forPresign ? undefined : body,
    payloadHash: forPresign ? undefined : payloadHash,
    expectedPayloadHash,
    date,
    withToken: rng() < 0.3,
    // A WHATWG URL would remove dot segments, which S3 keys may contain: only plain keys use it.
    useUrlObject: !hasDotSegment && rng() < 0.3,
  };
}

function hostHeader(r: RandomRequest): string {
  const defaultPort = r.protocol === 'https:' ? 443 : 80;
  return r.port === undefined || r.port === defaultPort ? r.hostname : `${r.hostname}:${r.port}`;
}

function urlOf(r: RandomRequest): string | URL {
  const text = `${r.protocol}//${r.hostname}${r.port === undefined ? '' : `:${r.port}`}${r.path}${r.wireQuery ? `?${r.wireQuery}` : ''}`;
  return r.useUrlObject ? new URL(text) : text;
}

function smithyRequest(r: RandomRequest, presign: boolean): HttpRequest {
  // smithy signs the host header it is given (the SDK adds it in a middleware).
  const headers: Record<string, string> = { ...r.headers, host: hostHeader(r), 'x-amz-content-sha256': r.expectedPayloadHash };
  return new HttpRequest({
    method: r.method,
    protocol: r.protocol,
    hostname: r.hostname,
    ...(r.port === undefined ? {} : { port: r.port }),
    path: r.path,
    query: { ...r.query },
    headers,
    ...(presign || r.body === undefined ? {} : { body: r.body }),
  });
}

const CREDENTIALS: Credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const WITH_TOKEN: Credentials = { ...CREDENTIALS, sessionToken: 'FQoGZXIvYXdzE+/token==' };

function signers(region: string) {
  const make = (credentials: Credentials) => ({
    ours: new SigV4Signer({ credentials, region, service: 's3' }),
    theirs: new SignatureV4({ credentials, region, service: 's3', sha256: NodeSha256, uriEscapePath: false, applyChecksum: false }),
  });
  return { plain: make(CREDENTIALS), token: make(WITH_TOKEN) };
}

describe('differential: s3lane vs @smithy/signature-v4 on random S3 requests', () => {
  it(`agrees on the Authorization header of ${CASES} requests and on the presigned signature of every ${PRESIGN_EVERY}rd`, async () => {
    const rng = prng(SEED);
    const bySigner = { 'us-east-1': signers('us-east-1'), 'eu-central-1': signers('eu-central-1') };
    let presigned = 0;
    // What the random requests covered, so a generator bug cannot make the test vacuous.
    const seen = { query: 0, emptyValue: 0, token: 0, urlObject: 0, dotSegment: 0, doubleSlash: 0, unsignedHeader: 0, body: 0 };
    for (let n = 0; n < CASES; n++) {
      const region = rng() < 0.5 ? 'us-east-1' : 'eu-central-1';
      const presign = n % PRESIGN_EVERY === 0;
      const r = randomRequest(rng, presign);
      const { ours, theirs } = r.withToken ? bySigner[region].token : bySigner[region].plain;
      if (r.wireQuery !== '') seen.query++;
      if (Object.values(r.query).flat().includes('')) seen.emptyValue++;
      if (r.withToken) seen.token++;
      if (r.useUrlObject) seen.urlObject++;
      if (/\/\.\.?(\/|$)/.test(r.path)) seen.dotSegment++;
      if (r.path.includes('//')) seen.doubleSlash++;
      if (Object.keys(r.headers).some((name) => S3LANE_UNSIGNED.has(name.toLowerCase()))) seen.unsignedHeader++;
      if (r.body !== undefined) seen.body++;
      // Built only for a failure: vitest's expect is costly enough to dominate 3000 passing cases.
      const agree = (ours: unknown, theirs: unknown): void => {
        if (ours !== theirs) {
          expect(ours, `case ${n} (seed ${SEED}): ${r.method} ${String(urlOf(r))} ${JSON.stringify(r.headers)}`).toBe(theirs);
        }
      };

      if (presign) {
        const mine = ours.presign({ method: r.method, url: urlOf(r), headers: r.headers, expiresIn: 900, date: r.date });
        const signed = await theirs.presign(smithyRequest(r, true), {
          signingDate: r.date,
          expiresIn: 900,
          unsignableHeaders: new Set([...S3LANE_UNSIGNED, 'x-amz-content-sha256']),
          unhoistableHeaders: new Set(['x-amz-content-sha256']),
          signableHeaders: SMITHY_ONLY_UNSIGNED,
        });
        const params = new URL(mine.url).searchParams;
        const theirQuery = signed.query ?? {};
        agree(params.get('X-Amz-SignedHeaders'), theirQuery['X-Amz-SignedHeaders']);
        agree(mine.signature, theirQuery['X-Amz-Signature']);
        presigned++;
      } else {
        const mine = ours.sign({
          method: r.method,
          url: urlOf(r),
          headers: r.headers,
          body: r.body,
          payloadHash: r.payloadHash,
          date: r.date,
        });
        const signed = await theirs.sign(smithyRequest(r, false), {
          signingDate: r.date,
          unsignableHeaders: S3LANE_UNSIGNED,
          signableHeaders: SMITHY_ONLY_UNSIGNED,
        });
        agree(mine.headers.authorization, signed.headers['authorization']);
      }
    }
    expect(presigned).toBe(CASES / PRESIGN_EVERY);
    for (const [what, count] of Object.entries(seen)) expect(count, what).toBeGreaterThan(CASES / 20);
  });
});
