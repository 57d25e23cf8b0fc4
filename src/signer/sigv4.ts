/**
 * SigV4Signer: header signing, presigned URLs, the seed for aws-chunked uploads and POST-policy
 * signatures, for one set of credentials, one region and one service.
 *
 * Pure: strings and bytes in, headers and URLs out; no I/O, no clock except the `date` default.
 * The only state kept between calls is the per-day signing-key cache (signing-key.ts); a call keeps
 * its own state in locals, so interleaved requests cannot disturb each other.
 *
 * Spec: https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 * S3 specifics: https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-authenticating-requests.html
 */
import { MS_PER_DAY, epochMs, timeOfDay } from './amz-date.js';
import { canonicalQuery, canonicalUri, joinCanonicalQuery, parseQuery, type QueryParam } from './canonical.js';
import { ChunkSigner } from './chunked.js';
import { uriEncode } from './encoding.js';
import { SigningError, SigningRangeError, describeValue, quote } from './errors.js';
import { hmacHex, sha256Hex } from './hash.js';
import { canonicalHeaders, readHeaders } from './headers.js';
import { resolvePayloadHash } from './payload.js';
import { SigningKeyCache, type DayKey } from './signing-key.js';
import type {
  PolicySignature,
  PresignedRequest,
  PresignRequest,
  SignedRequest,
  SignerOptions,
  SignRequest,
} from './types.js';
import { parseWireUrl } from './url.js';

const ALGORITHM = 'AWS4-HMAC-SHA256';
const METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'PATCH', 'OPTIONS']);
/** Seven days: the longest a SigV4 presigned URL may live. */
export const MAX_PRESIGN_EXPIRES = 604_800;
const DEFAULT_PRESIGN_EXPIRES = 3600;
// Query parameters presign() writes itself; a URL that already has them is a signed URL.
const PRESIGN_PARAMS: ReadonlySet<string> = new Set([
  'x-amz-algorithm',
  'x-amz-credential',
  'x-amz-date',
  'x-amz-expires',
  'x-amz-security-token',
  'x-amz-signedheaders',
  'x-amz-signature',
]);
const HEX_SIGNATURE = /^[0-9a-f]{64}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
// Region and service become path segments of the credential scope.
const SCOPE_PART = /^[^\s/]+$/;

// HTTP methods are case-sensitive (RFC 9110 §9.1): 'get' would be signed as sent and refused.
function checkMethod(method: string): string {
  if (!METHODS.has(method)) {
    throw new SigningError('InvalidMethod', `method must be one of ${[...METHODS].join(', ')}, got ${typeof method === 'string' ? quote(method) : describeValue(method)}`, 'method');
  }
  return method;
}

const SIGNER_OPTIONS = ['credentials', 'region', 'service', 'uriEscapePath', 'normalizePath', 'signSessionToken'];
const SIGN_FIELDS = ['method', 'url', 'headers', 'body', 'payloadHash', 'date'];
const PRESIGN_FIELDS = [...SIGN_FIELDS, 'expiresIn'];

/**
 * The entry points' shape check, for plain-JS callers: an object, and no option this signer does
 * not know (a misspelt `expiresIn` would otherwise silently sign for the default hour).
 */
function checkShape(value: unknown, allowed: readonly string[], what: string): void {
  if (typeof value !== 'object' || value === null) {
    throw new SigningError('InvalidType', `${what} must be an object, got ${describeValue(value)}`, what);
  }
  for (const name of Object.keys(value)) {
    if (!allowed.includes(name)) {
      throw new SigningError('UnknownOption', `${what} has no option ${quote(name)}; known: ${allowed.join(', ')}`, name);
    }
  }
}

function checkExpires(expiresIn: number): number {
  if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > MAX_PRESIGN_EXPIRES) {
    throw new SigningRangeError(
      'InvalidExpires',
      `expiresIn must be a whole number of seconds from 1 to ${MAX_PRESIGN_EXPIRES} (7 days), got ${describeValue(expiresIn)}`,
      'expiresIn',
    );
  }
  return expiresIn;
}

/** The signing instant, to the second, with its day's key material. */
interface SigningTime {
  readonly second: number;
  readonly dayKey: DayKey;
  readonly amzDate: string;
  /** The string to sign up to the canonical request's hash. */
  readonly stsPrefix: string;
}

/** A presigned request's canonical pieces other than method, path and caller query. */
interface PresignParts {
  /** The X-Amz-* query parameters (canonical order, encoded), without the signature. */
  readonly authQuery: string;
  /** '\n' + canonical headers + '\n' + signed headers + '\n' + payload hash: the canonical request's end. */
  readonly tail: string;
  readonly signedHeaders: string;
}

/**
 * Signs requests with AWS Signature Version 4.
 *
 * @example
 * const signer = new SigV4Signer({ credentials: { accessKeyId, secretAccessKey }, region: 'us-east-1', service: 's3' });
 * const { headers } = signer.sign({ method: 'GET', url: 'https://bucket.s3.us-east-1.amazonaws.com/photos/cat.jpg' });
 * const { url } = signer.presign({ method: 'GET', url: 'https://bucket.s3.us-east-1.amazonaws.com/photos/cat.jpg', expiresIn: 600 });
 */
export class SigV4Signer {
  readonly region: string;
  readonly service: string;
  readonly accessKeyId: string;
  // Private fields: the token never shows in util.inspect() or JSON.stringify() of a signer.
  readonly #sessionToken: string | undefined;
  readonly #signSessionToken: boolean;
  readonly #isS3: boolean;
  readonly #escapePath: boolean;
  readonly #normalizePath: boolean;
  readonly #keys: SigningKeyCache;
  // The last signing second and its x-amz-date: a busy client signs many requests per second.
  // A memo of a pure function of the time, replaced whole, so no request can see another's state.
  #lastTime: SigningTime | undefined;
  #lastPlainPresign: { time: SigningTime; expiresIn: number; host: string; parts: PresignParts } | undefined;
  // '&X-Amz-Security-Token=…' where the token goes: in the signed query, or after the signature.
  readonly #signedTokenParam: string;
  readonly #unsignedTokenParam: string;

  constructor(options: SignerOptions) {
    checkShape(options, SIGNER_OPTIONS, 'options');
    const { credentials, region, service = 's3' } = options;
    if (typeof credentials !== 'object' || credentials === null) {
      throw new SigningError('InvalidCredentials', `credentials are required, got ${describeValue(credentials)}`, 'credentials');
    }
    const { accessKeyId, secretAccessKey, sessionToken } = credentials;
    if (typeof accessKeyId !== 'string' || accessKeyId === '' || /[\s/]/.test(accessKeyId)) {
      throw new SigningError('InvalidCredentials', `credentials.accessKeyId must be a non-empty string without spaces or "/", got ${describeValue(accessKeyId)}`, 'credentials.accessKeyId');
    }
    if (typeof secretAccessKey !== 'string' || secretAccessKey === '') {
      throw new SigningError('InvalidCredentials', `credentials.secretAccessKey must be a non-empty string, got ${typeof secretAccessKey === 'string' ? 'an empty string' : describeValue(secretAccessKey)}`, 'credentials.secretAccessKey');
    }
    if (sessionToken !== undefined && (typeof sessionToken !== 'string' || /[\r\n]/.test(sessionToken))) {
      throw new SigningError('InvalidCredentials', `credentials.sessionToken must be a string without line breaks, got ${typeof sessionToken === 'string' ? `a string of ${sessionToken.length} characters with a line break` : describeValue(sessionToken)}`, 'credentials.sessionToken');
    }
    if (typeof region !== 'string' || !SCOPE_PART.test(region)) {
      // The value is not quoted: a secret pasted into the wrong field must not reach a log.
      throw new SigningError('InvalidRegion', `region must be a non-empty string without spaces or "/", e.g. "us-east-1"; got ${describeValue(region)}`, 'region');
    }
    if (typeof service !== 'string' || !SCOPE_PART.test(service)) {
      throw new SigningError('InvalidService', `service must be a non-empty string without spaces or "/", e.g. "s3"; got ${describeValue(service)}`, 'service');
    }
    this.region = region;
    this.service = service;
    this.accessKeyId = accessKeyId;
    // An empty token is the same as none (some credential files leave the field blank).
    this.#sessionToken = sessionToken === '' ? undefined : sessionToken;
    this.#signSessionToken = options.signSessionToken ?? true;
    const tokenParam = this.#sessionToken === undefined ? '' : `&X-Amz-Security-Token=${uriEncode(this.#sessionToken)}`;
    this.#signedTokenParam = this.#signSessionToken ? tokenParam : '';
    this.#unsignedTokenParam = this.#signSessionToken ? '' : tokenParam;
    this.#isS3 = service === 's3';
    this.#escapePath = options.uriEscapePath ?? !this.#isS3;
    this.#normalizePath = options.normalizePath ?? !this.#isS3;
    this.#keys = new SigningKeyCache(accessKeyId, secretAccessKey, region, service);
  }

  /** Signs with an Authorization header. */
  sign(request: SignRequest): SignedRequest {
    checkShape(request, SIGN_FIELDS, 'request');
    const method = checkMethod(request.method);
    const wire = parseWireUrl(request.url);
    const { dayKey, amzDate, stsPrefix } = this.#time(request.date);
    const token = this.#sessionToken;
    const read = readHeaders(request.headers, token !== undefined, !this.#isS3);
    const payloadHash = resolvePayloadHash(request.payloadHash, read.contentSha256, request.body, false);

    const { send, signed } = read;
    if (!read.hasHost) {
      send.host = wire.host;
      signed.set('host', wire.host);
    }
    send['x-amz-date'] = amzDate;
    signed.set('x-amz-date', amzDate);
    if (token !== undefined) {
      send['x-amz-security-token'] = token;
      if (this.#signSessionToken) signed.set('x-amz-security-token', token);
    }
    if (this.#isS3) {
      // S3 requires the header on every request and checks the body against it.
      send['x-amz-content-sha256'] = payloadHash;
      signed.set('x-amz-content-sha256', payloadHash);
    }
    const { canonical, signedHeaders } = canonicalHeaders(signed);
    const canonicalRequest =
      `${method}\n${canonicalUri(wire.path, this.#escapePath, this.#normalizePath)}\n${canonicalQuery(wire.query)}\n` +
      `${canonical}\n${signedHeaders}\n${payloadHash}`;
    const stringToSign = stsPrefix + sha256Hex(canonicalRequest);
    const signature = hmacHex(dayKey.key, stringToSign);
    const authorization = `${ALGORITHM} Credential=${dayKey.credential}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
    send.authorization = authorization;
    return {
      headers: send,
      authorization,
      canonicalRequest,
      stringToSign,
      signature,
      signedHeaders,
      payloadHash,
      amzDate,
      scope: dayKey.scope,
      credential: dayKey.credential,
    };
  }

  /** Signs with query parameters: a URL anyone can use until it expires. */
  presign(request: PresignRequest): PresignedRequest {
    checkShape(request, PRESIGN_FIELDS, 'request');
    const method = checkMethod(request.method);
    const expiresIn = checkExpires(request.expiresIn ?? DEFAULT_PRESIGN_EXPIRES);
    const wire = parseWireUrl(request.url);
    const time = this.#time(request.date);
    const parts =
      request.headers === undefined && request.payloadHash === undefined && request.body === undefined
        ? this.#plainPresignParts(time, expiresIn, wire.host)
        : this.#presignParts(time, expiresIn, wire.host, request);

    const query = wire.query === '' ? parts.authQuery : this.#mergeQuery(wire.query, parts.authQuery);
    const canonicalRequest =
      `${method}\n${canonicalUri(wire.path, this.#escapePath, this.#normalizePath)}\n${query}${parts.tail}`;
    const stringToSign = time.stsPrefix + sha256Hex(canonicalRequest);
    const signature = hmacHex(time.dayKey.key, stringToSign);
    const url =
      `${wire.origin}${wire.path}?${wire.query === '' ? '' : `${wire.query}&`}` +
      `${parts.authQuery}${this.#unsignedTokenParam}&X-Amz-Signature=${signature}`;
    return {
      url,
      canonicalRequest,
      stringToSign,
      signature,
      signedHeaders: parts.signedHeaders,
      amzDate: time.amzDate,
      scope: time.dayKey.scope,
      credential: time.dayKey.credential,
    };
  }

  /**
   * The signer for the chunks of an aws-chunked upload whose headers were signed (with
   * payloadHash STREAMING_PAYLOAD) at `date` with signature `seedSignature`.
   */
  chunkSigner(options: { readonly seedSignature: string; readonly date: Date }): ChunkSigner {
    const { seedSignature, date } = options;
    if (typeof seedSignature !== 'string' || !HEX_SIGNATURE.test(seedSignature)) {
      throw new SigningError('InvalidSignature', 'seedSignature must be the 64-hex-digit signature of the signed request', 'seedSignature');
    }
    const { dayKey, amzDate } = this.#time(date);
    return new ChunkSigner(dayKey.key, amzDate, dayKey.scope, seedSignature);
  }

  /**
   * Signs a browser POST-upload policy (the base64 of its JSON) with the day's signing key.
   * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html
   */
  /**
   * The x-amz-algorithm, x-amz-credential and x-amz-date form fields of a POST policy signed at
   * `date`. They are conditions of the policy itself, so a caller needs them before signing it.
   */
  policyFields(date: Date): Omit<PolicySignature, 'signature'> {
    const { dayKey, amzDate } = this.#time(date);
    return { algorithm: ALGORITHM, credential: dayKey.credential, amzDate };
  }

  signPolicy(policyBase64: string, date: Date): PolicySignature {
    if (typeof policyBase64 !== 'string' || !BASE64.test(policyBase64)) {
      throw new SigningError('InvalidPostPolicy', `policyBase64 must be a non-empty base64 string, got ${describeValue(policyBase64)}`, 'policyBase64');
    }
    const { dayKey, amzDate } = this.#time(date);
    return { algorithm: ALGORITHM, credential: dayKey.credential, amzDate, signature: hmacHex(dayKey.key, policyBase64) };
  }

  #time(date: Date | undefined): SigningTime {
    const ms = date === undefined ? Date.now() : epochMs(date);
    const second = Math.floor(ms / 1000);
    const last = this.#lastTime;
    if (last !== undefined && last.second === second) return last;
    const day = Math.floor(ms / MS_PER_DAY);
    const dayKey = this.#keys.forDay(day);
    const amzDate = `${dayKey.dateStamp}T${timeOfDay(ms, day)}Z`;
    const time: SigningTime = { second, dayKey, amzDate, stsPrefix: `${ALGORITHM}\n${amzDate}\n${dayKey.scope}\n` };
    this.#lastTime = time;
    return time;
  }

  /**
   * The parts of a plain presigned link (no extra headers, default payload hash), which only
   * change with the second, the expiry and the host: kept from the previous call when those match.
   * Reusing the same strings also spares V8 re-flattening them for every hash.
   */
  #plainPresignParts(time: SigningTime, expiresIn: number, host: string): PresignParts {
    const last = this.#lastPlainPresign;
    if (last !== undefined && last.time === time && last.expiresIn === expiresIn && last.host === host) return last.parts;
    const payloadHash = resolvePayloadHash(undefined, undefined, undefined, this.#isS3);
    const parts = this.#assemblePresignParts(time, expiresIn, `host:${host}\n`, 'host', payloadHash);
    this.#lastPlainPresign = { time, expiresIn, host, parts };
    return parts;
  }

  #presignParts(time: SigningTime, expiresIn: number, host: string, request: PresignRequest): PresignParts {
    const read = readHeaders(request.headers, this.#sessionToken !== undefined, true);
    if (!read.hasHost) read.signed.set('host', host);
    const { canonical, signedHeaders } = canonicalHeaders(read.signed);
    const payloadHash = resolvePayloadHash(request.payloadHash, read.contentSha256, request.body, this.#isS3);
    return this.#assemblePresignParts(time, expiresIn, canonical, signedHeaders, payloadHash);
  }

  #assemblePresignParts(
    time: SigningTime,
    expiresIn: number,
    headerBlock: string,
    signedHeaders: string,
    payloadHash: string,
  ): PresignParts {
    const authQuery =
      `X-Amz-Algorithm=${ALGORITHM}&X-Amz-Credential=${time.dayKey.encodedCredential}&X-Amz-Date=${time.amzDate}` +
      `&X-Amz-Expires=${expiresIn}${this.#signedTokenParam}&X-Amz-SignedHeaders=${uriEncode(signedHeaders)}`;
    return { authQuery, tail: `\n${headerBlock}\n${signedHeaders}\n${payloadHash}`, signedHeaders };
  }

  /** The canonical query of the caller's parameters plus the X-Amz-* ones presign() adds. */
  #mergeQuery(callerQuery: string, authQuery: string): string {
    const params: QueryParam[] = parseQuery(callerQuery);
    for (const { key } of params) {
      if (PRESIGN_PARAMS.has(key.toLowerCase())) {
        throw new SigningError('InvalidUrl', `url already has a ${key} parameter: presign the URL without its old signature`, 'url');
      }
    }
    // authQuery is already canonical (keys need no encoding, values are encoded).
    for (const part of authQuery.split('&')) {
      const eq = part.indexOf('=');
      params.push({ key: part.slice(0, eq), value: part.slice(eq + 1) });
    }
    return joinCanonicalQuery(params);
  }
}
