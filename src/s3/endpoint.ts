/**
 * Endpoint resolution: (config, bucket, key, query) → the exact URL that is signed and sent.
 * Every store (AWS, MinIO, Ceph, R2, Backblaze, DigitalOcean, Wasabi, a local test server) goes
 * through here, so the choice between virtual-hosted and path style is made in one place.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html
 *
 * Hot path: `EndpointResolver#resolve`. Build one resolver per client; it parses the endpoint once
 * and memoises the per-bucket routing, so a request costs one map lookup, the key encoding and a
 * few string concatenations. `resolveEndpoint(config, ...)` is the same thing for callers that
 * hold only option values: it shares one resolver per distinct set of options.
 *
 * The wire path is final. It must never be re-parsed by `new URL` (or `fetch`, or undici's
 * `request(string)`, which call it): WHATWG URL parsing removes `.`/`..` segments, including
 * `%2e%2e`, but S3 keys are literal, so `a/../b` would silently address another object and no
 * longer match the signature. Send `origin` and `path` separately (undici `Dispatcher#request`
 * `{ origin, path }` sends `path` verbatim).
 */
import { uriEncode } from '../signer/index.js';
import { isIP } from 'node:net';
import { S3ConfigError, quoteForMessage } from './config-error.js';
import { defaultEndpoint, interpretRegion, isAwsHost, regionFromHost } from './region.js';
import { displayEndpoint } from './redact.js';

export { S3ConfigError, type S3ConfigErrorCode } from './config-error.js';
export {
  defaultEndpoint,
  dnsSuffixForRegion,
  interpretRegion,
  isAwsHost,
  regionFromHost,
  validateRegion,
  type RegionChoice,
} from './region.js';

export interface EndpointConfig {
  /**
   * Where requests go, with scheme and optionally port and a path prefix: `https://s3.us-west-2.amazonaws.com`,
   * `http://127.0.0.1:9000`, `https://<account>.r2.cloudflarestorage.com`, `https://proxy.example.com/s3`.
   * Default: `defaultEndpoint(region)`.
   */
  endpoint?: string;
  /**
   * The region (pseudo-regions included). Only used here to pick the default AWS endpoint when
   * `endpoint` is unset.
   */
  region: string;
  /** Use AWS's FIPS endpoint (`s3-fips.{region}`) when `endpoint` is unset. */
  fips?: boolean | undefined;
  /**
   * `true`: always path style. `false`: virtual-hosted whenever the bucket name and the endpoint
   * allow it, on any endpoint. `undefined`: automatic: virtual-hosted on AWS's own S3 endpoints
   * only, path style on every other (see `EndpointResolver`).
   */
  forcePathStyle?: boolean | undefined;
}

export type AddressingStyle = 'virtual-hosted' | 'path';

/**
 * @example
 * // resolveEndpoint({ region: 'us-east-1' }, 'my-bucket', 'photos/a b.jpg', 'versionId=3')
 * {
 *   url: 'https://my-bucket.s3.us-east-1.amazonaws.com/photos/a%20b.jpg?versionId=3',
 *   origin: 'https://my-bucket.s3.us-east-1.amazonaws.com',
 *   path: '/photos/a%20b.jpg',
 *   host: 'my-bucket.s3.us-east-1.amazonaws.com',
 *   style: 'virtual-hosted',
 * }
 */
/** Also a signer `WireUrl` (origin, host, path, query): it is signed as resolved, without re-parsing. */
export interface ResolvedEndpoint {
  /** Absolute wire URL: origin + path + (`?` + query, if any). Do not pass it through `new URL`. */
  url: string;
  /** Scheme, host and non-default port, no trailing slash. */
  origin: string;
  /** Encoded wire path; also the SigV4 canonical URI, which S3 uses unnormalised. */
  path: string;
  /** The encoded query string without `?`; '' when there is none. */
  query: string;
  /** The HTTP request target: path plus (`?` + query, if any). What goes on the request line. */
  target: string;
  /** The Host header value: hostname plus the port when it is not the scheme's default. */
  host: string;
  style: AddressingStyle;
}

/** A validated endpoint, as `parseEndpoint` returns it. */
export interface ParsedEndpoint {
  protocol: 'http:' | 'https:';
  /** Lowercase (punycode) name, or an IP literal; IPv6 keeps its brackets. */
  hostname: string;
  /** `hostname` plus the port when it is not the scheme's default. */
  host: string;
  /** Path prefix without a trailing slash: `''` or e.g. `/s3`. Already percent-encoded. */
  basePath: string;
}

/**
 * Parses and checks an endpoint URL. Throws `InvalidEndpoint` for anything that is not a plain
 * http(s) origin with an optional path prefix. Parsing the *endpoint* with `new URL` is fine: it is
 * configuration, not an object path; default ports are dropped and the host lowercased here.
 */
export function parseEndpoint(endpoint: string): ParsedEndpoint {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch (cause) {
    throw new S3ConfigError(
      'InvalidEndpoint',
      `Endpoint ${displayEndpoint(endpoint)} is not a URL: give the scheme and host, e.g. 'https://s3.eu-west-1.amazonaws.com' or 'http://127.0.0.1:9000'.`,
      { cause },
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new S3ConfigError(
      'InvalidEndpoint',
      `Endpoint ${displayEndpoint(endpoint)} has scheme '${url.protocol}': use 'https://host' (or 'http://host:port' for a local server).`,
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw new S3ConfigError(
      'InvalidEndpoint',
      'Endpoint contains credentials (user:password@): remove them and pass the access keys as credentials.',
    );
  }
  // Checked on the raw string: `new URL('https://h/?')` reports an empty search, yet the `?` was given.
  if (endpoint.includes('?') || endpoint.includes('#')) {
    throw new S3ConfigError(
      'InvalidEndpoint',
      `Endpoint ${displayEndpoint(endpoint)} has a query or fragment: give only scheme, host, port and an optional path prefix.`,
    );
  }
  return {
    protocol: url.protocol,
    hostname: url.hostname,
    host: url.host,
    basePath: url.pathname.replace(/\/+$/, ''),
  };
}

/**
 * The signing region a well-known endpoint implies (`auto` for R2, `eu-west-1` for
 * `https://s3.eu-west-1.amazonaws.com`), or `undefined` when the host does not say.
 * Throws `InvalidEndpoint` for a malformed endpoint.
 */
export function regionFromEndpoint(endpoint: string): string | undefined {
  return regionFromHost(parseEndpoint(endpoint).hostname);
}

/**
 * True for AWS's own S3 endpoints (`s3.us-west-2.amazonaws.com`, `s3-fips.…`, dualstack, PrivateLink
 * `vpce-….s3.{r}.vpce.amazonaws.com`, every partition): the hosts known to serve `bucket.` + host
 * with a matching wildcard certificate. Any other `*.amazonaws.com` name (an EC2 host running a
 * store) is a custom endpoint.
 */
export function isAwsS3Host(hostname: string): boolean {
  return isAwsHost(hostname) && regionFromHost(hostname) !== undefined;
}

// ----------------------------------------------------------------------------------------------
// Bucket names
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html

const DNS_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const IPV4_FORMATTED = /^\d+\.\d+\.\d+\.\d+$/;
/** Legacy us-east-1 names (and Ceph's relaxed names): up to 255 of A-Z a-z 0-9 . - _ */
const LEGACY_BUCKET = /^[A-Za-z0-9._-]{3,255}$/;

/**
 * True when `bucket` can be a DNS label sequence in front of the endpoint host, i.e. can be
 * addressed virtual-hosted style: 3–63 chars of lowercase letters, digits, `.` and `-`, starting
 * and ending with a letter or digit, no `..`, `.-` or `-.`, not shaped like an IPv4 address.
 */
export function isDnsCompatibleBucket(bucket: string): boolean {
  return (
    DNS_BUCKET.test(bucket) &&
    !bucket.includes('..') &&
    !bucket.includes('.-') &&
    !bucket.includes('-.') &&
    !IPV4_FORMATTED.test(bucket)
  );
}

/**
 * AWS bucket kinds with their own endpoints and signing, recognised by the name's suffix, which
 * general-purpose bucket names may not use:
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/directory-bucket-naming-rules.html
 * https://docs.aws.amazon.com/AmazonS3/latest/s3-outposts/s3-outposts-access-points-alias.html
 */
const UNSUPPORTED_AWS_BUCKETS: readonly { readonly suffix: string; readonly what: string }[] = [
  {
    suffix: '--x-s3',
    what: 'an S3 Express One Zone directory bucket, which needs its zonal endpoint and CreateSession (s3express) auth',
  },
  { suffix: '--xa-s3', what: 'an S3 Express directory bucket in a Local Zone, which needs its zonal endpoint' },
  { suffix: '--op-s3', what: 'an S3 on Outposts access point alias, which needs the Outposts endpoint and s3-outposts signing' },
];

/**
 * Throws `UnsupportedBucket` for AWS bucket kinds this client cannot address (S3 Express directory
 * buckets, Outposts aliases): on AWS's regional endpoint they would fail with a confusing answer.
 * Only applies on AWS; other stores may name buckets as they like.
 */
export function checkAwsBucketKind(bucket: string): void {
  const kind = UNSUPPORTED_AWS_BUCKETS.find((k) => bucket.endsWith(k.suffix));
  if (kind === undefined) return;
  throw new S3ConfigError(
    'UnsupportedBucket',
    `Bucket ${quoteForMessage(bucket)} is ${kind.what}: s3lane does not support it yet. Use a general-purpose bucket, or the AWS SDK for this bucket.`,
  );
}

/**
 * Throws `InvalidBucketName` for names no S3 store can address. Deliberately looser than the rules
 * for *creating* a bucket: legacy us-east-1 buckets (uppercase, `_`, up to 255 chars), Ceph relaxed
 * names and access-point aliases (`...-s3alias`) are real buckets and go path style or
 * virtual-hosted as their shape allows. What is left out could not even form a path segment.
 */
export function validateBucketName(bucket: string): void {
  if (LEGACY_BUCKET.test(bucket)) return;
  const quoted = quoteForMessage(bucket);
  if (bucket === '') {
    throw new S3ConfigError('InvalidBucketName', 'Bucket name is empty: pass the bucket to address.');
  }
  if (bucket.startsWith('arn:')) {
    throw new S3ConfigError(
      'InvalidBucketName',
      `Bucket ${quoted} is an ARN: access-point and Outposts ARNs are not supported; use the access point's alias as the bucket name.`,
    );
  }
  if (bucket.includes('/')) {
    throw new S3ConfigError(
      'InvalidBucketName',
      `Bucket ${quoted} contains '/': pass only the bucket name and put the folder at the start of the key.`,
    );
  }
  if (bucket.length < 3 || bucket.length > 255) {
    throw new S3ConfigError(
      'InvalidBucketName',
      `Bucket ${quoted} is ${bucket.length} characters long: bucket names have 3 to 63 characters (legacy us-east-1 names up to 255).`,
    );
  }
  throw new S3ConfigError(
    'InvalidBucketName',
    `Bucket ${quoted} contains characters S3 does not allow: use lowercase letters, digits, '.' and '-'.`,
  );
}

// ----------------------------------------------------------------------------------------------
// Keys
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html

const MAX_KEY_BYTES = 1024;
/** A lone UTF-16 surrogate has no UTF-8 form; encoding would silently turn it into U+FFFD. */
const LONE_SURROGATE = /\p{Cs}/u;

function loneSurrogate(key: string, index: number): S3ConfigError {
  return new S3ConfigError(
    'InvalidKey',
    `Key ${quoteForMessage(key)} has a lone UTF-16 surrogate at index ${index}: S3 keys are UTF-8, so fix the code that built the key.`,
  );
}

/** Throws `InvalidKey` for an empty key, a key over 1024 UTF-8 bytes, or one that is not valid Unicode. */
export function validateKey(key: string): void {
  if (key === '') {
    throw new S3ConfigError('InvalidKey', 'Key is empty: to address the bucket itself, leave the key out.');
  }
  const surrogate = LONE_SURROGATE.exec(key);
  if (surrogate !== null) throw loneSurrogate(key, surrogate.index);
  // 3 bytes per UTF-16 unit at most: short keys need no byte count.
  if (key.length * 3 > MAX_KEY_BYTES) {
    const bytes = Buffer.byteLength(key, 'utf8');
    if (bytes > MAX_KEY_BYTES) {
      throw new S3ConfigError(
        'InvalidKey',
        `Key ${quoteForMessage(key)} is ${bytes} UTF-8 bytes: S3 keys are at most ${MAX_KEY_BYTES} bytes; shorten it.`,
      );
    }
  }
}

/**
 * Encodes a key for the request path the way S3 and SigV4 expect: UTF-8, then every byte except
 * `A-Z a-z 0-9 - _ . ~` as `%XX` with uppercase hex; `/` stays a separator. Nothing else happens:
 * `//`, `./` and `../` stay literal because S3 does not normalise paths, and Unicode is not
 * normalised (NFC and NFD spellings are different keys). Throws `InvalidKey` for a lone surrogate,
 * which has no UTF-8 form.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html (UriEncode)
 *
 * @example encodeKey('photos/été 1+1=2.jpg') === 'photos/%C3%A9t%C3%A9%201%2B1%3D2.jpg'
 */
export function encodeKey(key: string): string {
  const surrogate = LONE_SURROGATE.exec(key);
  if (surrogate !== null) throw loneSurrogate(key, surrogate.index);
  // One encoder for the whole project: the signer's, which the canonical request relies on too.
  return uriEncode(key, false);
}

// ----------------------------------------------------------------------------------------------
// Resolution

/** Everything about addressing one bucket that does not depend on the key. */
interface BucketRoute {
  readonly style: AddressingStyle;
  readonly origin: string;
  readonly host: string;
  /** Path before the `/key` part: the endpoint prefix, plus `/bucket` in path style. */
  readonly base: string;
}

/** Bound on memoised bucket routes; a client normally touches a handful of buckets. */
const MAX_ROUTES = 1000;

/**
 * Resolves request URLs for one endpoint configuration. Construct once per client: the constructor
 * validates and parses the endpoint and throws `S3ConfigError` for a bad one.
 *
 * Addressing style for a bucket:
 * - `forcePathStyle: true` → path.
 * - Automatic (`undefined`): virtual-hosted only on AWS's own S3 endpoints (`isAwsS3Host`), where it
 *   is known to work; path style on every other endpoint (MinIO, Ceph, R2, Swift, a proxy), as
 *   botocore and minio-js do: `bucket.` + a custom host needs wildcard DNS (and a wildcard
 *   certificate) that self-hosted stores rarely have. `forcePathStyle: false` asks for
 *   virtual-hosted on any endpoint, e.g. `http://localhost:7480` + `bkt` → `http://bkt.localhost:7480/key`.
 * - Path, whatever `forcePathStyle` says, when virtual-hosted cannot work:
 *   - the endpoint host is an IP address (v4 or v6): an IP has no subdomains;
 *   - the bucket is not DNS-compatible (uppercase, `_`, > 63 chars: legacy us-east-1 names);
 *   - the bucket has a `.` and the scheme is https: `a.b.s3.amazonaws.com` does not match the
 *     wildcard certificate `*.s3.amazonaws.com`, so TLS would fail
 *     (https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html). Over http the
 *     dotted name is used as is.
 * - Otherwise virtual-hosted: `bucket.` + endpoint host, keeping scheme, port and path prefix.
 * - On AWS, the key `soap` always goes path style: S3 does not serve it virtual-hosted.
 *   https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html
 */
export class EndpointResolver {
  /** The options this resolver was built from (copied; later edits to the caller's object are ignored). */
  readonly config: Readonly<EndpointConfig>;
  readonly endpoint: ParsedEndpoint;
  /** Whether this endpoint may address a DNS-compatible bucket virtual-hosted. */
  readonly virtualHostedAllowed: boolean;
  private readonly https: boolean;
  private readonly isAws: boolean;
  /** The endpoint's scheme and host without any bucket: path-style requests go there, and it names the store. */
  readonly pathOrigin: string;
  /** ListBuckets: the endpoint itself. */
  private readonly serviceRoute: BucketRoute;
  private readonly routes = new Map<string, BucketRoute>();

  constructor(config: EndpointConfig) {
    this.config = { endpoint: config.endpoint, region: config.region, fips: config.fips, forcePathStyle: config.forcePathStyle };
    // The region is checked whether or not it picks the endpoint: with a custom endpoint it is still signed.
    interpretRegion(config.region);
    this.endpoint = parseEndpoint(config.endpoint ?? defaultEndpoint(config.region, { fips: config.fips === true }));
    const { protocol, hostname, host, basePath } = this.endpoint;
    this.https = protocol === 'https:';
    this.pathOrigin = `${protocol}//${host}`;
    this.serviceRoute = { style: 'path', origin: this.pathOrigin, host, base: basePath };
    this.isAws = isAwsS3Host(hostname);
    const isIpAddress = isIP(hostname.replace(/^\[|\]$/g, '')) !== 0;
    if (config.forcePathStyle === true || isIpAddress) {
      this.virtualHostedAllowed = false;
    } else if (config.forcePathStyle === false) {
      this.virtualHostedAllowed = true;
    } else {
      this.virtualHostedAllowed = this.isAws && basePath === '';
    }
  }

  /**
   * The wire URL for one request. `bucket` undefined addresses the service (ListBuckets);
   * `key` undefined addresses the bucket (ListObjects, bucket sub-resources). `query` is appended
   * as given after `?`: already encoded, without the leading `?`.
   * Throws `S3ConfigError` for an invalid bucket name or key.
   */
  resolve(bucket: string | undefined, key?: string, query?: string): ResolvedEndpoint {
    let route: BucketRoute;
    if (bucket === undefined) {
      if (key !== undefined) {
        throw new S3ConfigError(
          'MissingBucket',
          `Key ${quoteForMessage(key)} was given without a bucket: pass the bucket too.`,
        );
      }
      route = this.serviceRoute;
    } else {
      route = this.routes.get(bucket) ?? this.addRoute(bucket);
    }

    let path: string;
    if (key === undefined) {
      path = `${route.base}/`;
    } else {
      validateKey(key);
      if (key === 'soap' && route.style === 'virtual-hosted' && this.isAws && bucket !== undefined) {
        route = this.pathRoute(bucket);
      }
      // validateKey has ruled out lone surrogates, the one input uriEncode refuses.
      path = `${route.base}/${uriEncode(key, false)}`;
    }
    const wireQuery = query ?? '';
    const target = wireQuery === '' ? path : `${path}?${wireQuery}`;
    return { url: route.origin + target, origin: route.origin, path, query: wireQuery, target, host: route.host, style: route.style };
  }

  /** The addressing style `bucket` gets on this endpoint (for diagnostics; `resolve` uses it). */
  styleFor(bucket: string): AddressingStyle {
    return (this.routes.get(bucket) ?? this.addRoute(bucket)).style;
  }

  private addRoute(bucket: string): BucketRoute {
    validateBucketName(bucket);
    if (this.isAws) checkAwsBucketKind(bucket);
    const virtualHosted =
      this.virtualHostedAllowed && isDnsCompatibleBucket(bucket) && !(this.https && bucket.includes('.'));
    let route: BucketRoute;
    if (virtualHosted) {
      const host = `${bucket}.${this.endpoint.host}`;
      const origin = `${this.endpoint.protocol}//${host}`;
      route = { style: 'virtual-hosted', origin, host, base: this.endpoint.basePath };
    } else {
      route = this.pathRoute(bucket);
    }
    if (this.routes.size >= MAX_ROUTES) this.routes.clear();
    this.routes.set(bucket, route);
    return route;
  }

  /** Path style: bucket names that pass `validateBucketName` need no percent-encoding. */
  private pathRoute(bucket: string): BucketRoute {
    const base = `${this.endpoint.basePath}/${bucket}`;
    return { style: 'path', origin: this.pathOrigin, host: this.endpoint.host, base };
  }
}

/**
 * Function form of `EndpointResolver#resolve`, for one-off use: it parses the endpoint each call.
 * A client keeps one `EndpointResolver` per region instead (see RequestPipeline).
 *
 * @example
 * resolveEndpoint({ endpoint: 'http://127.0.0.1:9000', region: 'us-east-1' }, 'data', 'a b.txt').url
 * // 'http://127.0.0.1:9000/data/a%20b.txt'
 */
export function resolveEndpoint(
  config: EndpointConfig,
  bucket: string | undefined,
  key?: string,
  query?: string,
): ResolvedEndpoint {
  return new EndpointResolver(config).resolve(bucket, key, query);
}
