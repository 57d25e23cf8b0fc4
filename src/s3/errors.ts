/**
 * Errors as values: each has a `code`, whether retrying can help, and a message that says what
 * happened, to which request, and what to do next. Secrets never reach a message or a field.
 * S3 error codes: https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList
 */
import { STATUS_CODES } from 'node:http';
import { inspect } from 'node:util';
import { redactText, redactUrl } from './redact.js';
import { THROTTLING_CODES, TIMEOUT_CODES } from './retry.js';
import { parseError } from './xml.js';

export { S3XmlError } from './xml.js';

// ---------------------------------------------------------------------------------------------
// Retry classification: the one table the retry policy reads.

// Codes worth retrying whatever the status. Sources: S3's error code list ("Please try again",
// "Reduce your request rate") and the throttling / transient lists the AWS SDKs share,
// https://github.com/smithy-lang/smithy-typescript/blob/main/packages/service-error-classification/src/constants.ts
const RETRYABLE_CODES: ReadonlySet<string> = new Set([
  // S3, server side.
  'InternalError', // 500 "We encountered an internal error. Please try again."
  'ServiceUnavailable', // 503
  'RequestTimeout', // 400 "Your socket connection to the server was not read from or written to within the timeout period."
  'OperationAborted', // 409 "A conflicting conditional operation is currently in progress … Please try again."
  // Throttling (SlowDown among them) and timeouts, as the AWS SDKs classify them: one list, in retry.ts.
  ...THROTTLING_CODES,
  ...TIMEOUT_CODES,
  // Network failures (S3NetworkError.code): Node socket errors and undici's closed sockets.
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'EAI_AGAIN', // temporary DNS failure (ENOTFOUND is not: a wrong endpoint stays wrong)
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);

/**
 * Whether a failed request may succeed if sent again (with backoff). By code first, then by status:
 * 408, 429 and 5xx except 501 Not Implemented. `statusCode` is 0 for network errors.
 * An expired token is not "retryable" here: refresh first (see {@link isExpiredCredentialsCode}).
 *
 * @example
 * isRetryableCode('SlowDown', 503) // true
 * isRetryableCode('NoSuchKey', 404) // false
 * isRetryableCode('InternalError', 200) // true: CompleteMultipartUpload's error-in-a-200
 */
export function isRetryableCode(code: string, statusCode: number): boolean {
  if (RETRYABLE_CODES.has(code)) return true;
  return statusCode === 408 || statusCode === 429 || (statusCode >= 500 && statusCode !== 501);
}

const EXPIRED_CREDENTIALS_CODES: ReadonlySet<string> = new Set(['ExpiredToken', 'ExpiredTokenException', 'TokenRefreshRequired']);

/** Codes after which fresh credentials (CredentialsCache.invalidate()) and one more try can help. */
export function isExpiredCredentialsCode(code: string): boolean {
  return EXPIRED_CREDENTIALS_CODES.has(code);
}

// ---------------------------------------------------------------------------------------------
// S3Error

export type ResponseHeaders = Readonly<Record<string, string | string[] | undefined>>;

/** What an S3Error is made of. `fromResponse` builds it from an HTTP response. */
export interface S3ErrorInit {
  code: string;
  statusCode: number;
  /** The server's own message, when it sent one. */
  serverMessage?: string;
  /** What went wrong, for errors the client detects itself (e.g. an UploadPart answer without ETag). */
  message?: string;
  method?: string;
  requestId?: string;
  hostId?: string;
  region?: string;
  bucket?: string;
  key?: string;
  serverCanonicalRequest?: string;
  serverStringToSign?: string;
  canonicalRequest?: string;
  stringToSign?: string;
  details?: Record<string, string>;
  /** The region the request was signed for; hints compare it with the bucket's. */
  signedRegion?: string;
  /** The response had no body at all (HEAD, or a proxy): said in the message when S3 gave none. */
  emptyBody?: boolean;
  /** The request's body was sent aws-chunked: a refusal of it gets the payloadSigning hint. */
  sentAwsChunked?: boolean;
  /** Values scrubbed from every field: the secret access key, the session token. */
  secrets?: readonly (string | undefined)[];
}

export interface S3ErrorResponse {
  statusCode: number;
  headers: ResponseHeaders;
  body: string;
  method: string;
  bucket?: string;
  key?: string;
  /** The region the request was signed for (the bucket's region comes from the response). */
  region?: string;
  /** Ours, from the signer: compared with the server's on SignatureDoesNotMatch. */
  canonicalRequest?: string;
  stringToSign?: string;
  /** The request's body was sent aws-chunked (STREAMING-AWS4-HMAC-SHA256-PAYLOAD). */
  sentAwsChunked?: boolean;
  secrets?: readonly (string | undefined)[];
}

/** What stores say when they lack aws-chunked, or the x-amz-content-sha256 value that announces it. */
const AWS_CHUNKED_WORDS = /aws-chunked|chunk|x-amz-content-sha256|x-amz-decoded-content-length|content-encoding|STREAMING-AWS4/i;
/** Codes stores answer an unsupported payload encoding with (besides 501 NotImplemented). */
const UNSUPPORTED_PAYLOAD_CODES: ReadonlySet<string> = new Set([
  'InvalidArgument',
  'InvalidRequest',
  'InvalidEncoding',
  'AuthorizationHeaderMalformed',
  'BadRequest',
]);

/**
 * True when a store refused an aws-chunked body because it does not implement it: OpenStack Swift's
 * s3api answers 501 NotImplemented ("…aws-chunked is not supported"); other stores answer 400
 * with a code such as InvalidArgument naming x-amz-content-sha256 or Content-Encoding. A 501 about
 * anything else (Swift's "Conditional object PUTs are not supported") is not such a refusal, and
 * neither is XAmzContentSHA256Mismatch: that is a store checking the encoding, not lacking it.
 */
export function refusesAwsChunked(e: { readonly code: string; readonly statusCode: number; readonly serverMessage?: string | undefined }): boolean {
  const message = e.serverMessage ?? '';
  if (e.code === 'NotImplemented' || e.statusCode === 501) return message === '' || AWS_CHUNKED_WORDS.test(message);
  return e.statusCode === 400 && UNSUPPORTED_PAYLOAD_CODES.has(e.code) && AWS_CHUNKED_WORDS.test(message);
}

// Error-body fields left out of `details`: SignatureProvided is the signature we sent (replayable
// for 15 minutes), CanonicalRequestBytes is the canonical request in hex, session token included,
// and ExpiredToken echoes the token as <Token-0>.
const DROPPED_FIELDS = /^(SignatureProvided|CanonicalRequestBytes|Token-\d+)$/;
const KNOWN_FIELDS: ReadonlySet<string> = new Set(['code', 'message', 'requestId', 'hostId', 'region', 'bucket', 'key', 'canonicalRequest', 'stringToSign', 'endpoint']);

// Codes for responses without an error body: HEAD never has one, and proxies may send none.
const STATUS_ERROR_CODES: Readonly<Record<number, string>> = {
  301: 'PermanentRedirect',
  304: 'NotModified',
  307: 'TemporaryRedirect',
  400: 'BadRequest',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  411: 'MissingContentLength',
  412: 'PreconditionFailed',
  416: 'InvalidRange',
  429: 'TooManyRequests',
  500: 'InternalError',
  501: 'NotImplemented',
  502: 'BadGateway',
  503: 'ServiceUnavailable',
  504: 'GatewayTimeout',
};

export interface S3ErrorJSON {
  name: string;
  code: string;
  statusCode: number;
  message: string;
  retryable: boolean;
  requestId?: string;
  hostId?: string;
  region?: string;
  bucket?: string;
  key?: string;
  method?: string;
  hint?: string;
  serverMessage?: string;
  serverCanonicalRequest?: string;
  serverStringToSign?: string;
  canonicalRequest?: string;
  stringToSign?: string;
  details?: Record<string, string>;
}

/**
 * An error response from S3 (or from something in front of it).
 *
 * @example
 * try { await s3.get('photos', 'a.jpg') } catch (e) {
 *   if (e instanceof S3Error && e.code === 'NoSuchKey') …
 *   // e.message: 'NoSuchKey: The specified key does not exist. (HTTP 404, GET photos/a.jpg, request id 4442587FB7D0A2F9)\n  Hint: …'
 * }
 */
export class S3Error extends Error {
  override name = 'S3Error';
  readonly code: string;
  readonly statusCode: number;
  /** Whether sending the request again can succeed; see {@link isRetryableCode}. */
  readonly retryable: boolean;
  declare readonly requestId?: string;
  declare readonly hostId?: string;
  /** The bucket's region: `x-amz-bucket-region`, else the `<Region>` of the body. */
  declare readonly region?: string;
  declare readonly bucket?: string;
  declare readonly key?: string;
  declare readonly method?: string;
  /** The message S3 sent, without our context and hint. */
  declare readonly serverMessage?: string;
  /** What to do next, when we know. */
  declare readonly hint?: string;
  /** SignatureDoesNotMatch from AWS: what the server signed. */
  declare readonly serverCanonicalRequest?: string;
  declare readonly serverStringToSign?: string;
  /** What we signed, as the client recorded it. */
  declare readonly canonicalRequest?: string;
  declare readonly stringToSign?: string;
  /** Other fields of the error body by XML name (Endpoint, Region, Resource, ServerTime, …). */
  declare readonly details?: Record<string, string>;
  /** Requests sent before giving up (set by the pipeline). */
  declare readonly attempts?: number;

  constructor(init: S3ErrorInit) {
    const secrets = init.secrets ?? [];
    const redact = (s: string | undefined): string | undefined => (s === undefined ? undefined : redactText(s, secrets));
    const hint = redact(hintFor(init));
    super(redactText(composeMessage(init, hint), secrets));
    this.code = init.code;
    this.statusCode = init.statusCode;
    this.retryable = isRetryableCode(init.code, init.statusCode);
    const optional = {
      requestId: init.requestId,
      hostId: init.hostId,
      region: init.region,
      bucket: init.bucket,
      key: init.key,
      method: init.method,
      serverMessage: redact(init.serverMessage),
      hint,
      serverCanonicalRequest: redact(init.serverCanonicalRequest),
      serverStringToSign: redact(init.serverStringToSign),
      canonicalRequest: redact(init.canonicalRequest),
      stringToSign: redact(init.stringToSign),
    };
    // Only fields that exist become properties (hence `declare` above), so util.inspect stays short.
    for (const [name, value] of Object.entries(optional)) {
      if (value !== undefined) Object.defineProperty(this, name, { value, enumerable: true });
    }
    if (init.details && Object.keys(init.details).length > 0) {
      const details = Object.fromEntries(Object.entries(init.details).map(([k, v]) => [k, redactText(v, secrets)]));
      Object.defineProperty(this, 'details', { value: details, enumerable: true });
    }
  }

  /**
   * Builds the error for a non-2xx response, or a 200 whose body is an `<Error>` (CopyObject,
   * CompleteMultipartUpload). The body's code wins; without a body the status decides (HEAD 404
   * → NotFound, 403 → Forbidden, 301 → PermanentRedirect).
   */
  static fromResponse(args: S3ErrorResponse): S3Error {
    const headers = lowerCaseHeaders(args.headers);
    const body = args.body.trim() === '' ? undefined : parseError(args.body);
    const details: Record<string, string> = {};
    if (body) {
      for (const [name, value] of Object.entries(body)) {
        if (value === undefined || KNOWN_FIELDS.has(name) || DROPPED_FIELDS.test(name)) continue;
        details[name] = value;
      }
      if (body.endpoint !== undefined) details.Endpoint = body.endpoint;
      if (body.region !== undefined) details.Region = body.region;
    } else if (args.body.trim() !== '') {
      // Not S3 talking: an HTML page from a proxy or load balancer. Keep a glimpse for the reader.
      details.body = truncate(args.body.replace(/\s+/g, ' ').trim(), 300);
    }
    return new S3Error({
      code: body?.code ?? STATUS_ERROR_CODES[args.statusCode] ?? `Http${args.statusCode}`,
      statusCode: args.statusCode,
      serverMessage: body?.message,
      method: args.method,
      requestId: body?.requestId ?? headers['x-amz-request-id'],
      hostId: body?.hostId ?? headers['x-amz-id-2'],
      region: headers['x-amz-bucket-region'] ?? body?.region,
      bucket: args.bucket ?? body?.bucket,
      key: args.key ?? body?.key,
      serverCanonicalRequest: body?.canonicalRequest,
      serverStringToSign: body?.stringToSign,
      canonicalRequest: args.canonicalRequest,
      stringToSign: args.stringToSign,
      details,
      signedRegion: args.region,
      emptyBody: args.body.trim() === '',
      sentAwsChunked: args.sentAwsChunked,
      secrets: args.secrets,
    });
  }

  /** Every field (all were redacted at construction); no stack. */
  toJSON(): S3ErrorJSON {
    const out: S3ErrorJSON = {
      name: this.name,
      code: this.code,
      statusCode: this.statusCode,
      message: this.message,
      retryable: this.retryable,
    };
    const optional = {
      requestId: this.requestId,
      hostId: this.hostId,
      region: this.region,
      bucket: this.bucket,
      key: this.key,
      method: this.method,
      hint: this.hint,
      serverMessage: this.serverMessage,
      serverCanonicalRequest: this.serverCanonicalRequest,
      serverStringToSign: this.serverStringToSign,
      canonicalRequest: this.canonicalRequest,
      stringToSign: this.stringToSign,
    };
    for (const [name, value] of Object.entries(optional)) {
      if (value !== undefined) Object.assign(out, { [name]: value });
    }
    if (this.details) out.details = { ...this.details };
    return out;
  }
}

function lowerCaseHeaders(headers: ResponseHeaders): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) {
    const v = Array.isArray(value) ? value[0] : value;
    if (v !== undefined && v !== '') out[name.toLowerCase()] = v;
  }
  return out;
}

function truncate(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function target(e: S3ErrorInit): string {
  if (e.bucket === undefined) return e.key === undefined ? '/' : e.key;
  return e.key === undefined ? e.bucket : `${e.bucket}/${e.key}`;
}

function composeMessage(e: S3ErrorInit, hint: string | undefined): string {
  const context = [`HTTP ${e.statusCode}`];
  if (e.method !== undefined) context.push(`${e.method} ${target(e)}`);
  if (e.requestId !== undefined) context.push(`request id ${e.requestId}`);
  const head = `${e.code}: ${e.serverMessage ?? e.message ?? fallbackMessage(e)} (${context.join(', ')})`;
  return hint === undefined ? head : `${head}\n  Hint: ${hint.replace(/\n/g, '\n  ')}`;
}

function fallbackMessage(e: S3ErrorInit): string {
  const body = e.details?.body;
  if (body !== undefined) return `the response is not an S3 error document: "${truncate(body, 120)}"`;
  if (e.statusCode === 404 && e.method === 'HEAD') {
    return 'the bucket or key does not exist (a HEAD response has no body to say which)';
  }
  const status = STATUS_CODES[e.statusCode] ?? 'unexpected status';
  // Ceph RGW sends error bodies with an empty <Message>.
  return e.emptyBody ? `${status} with no error body` : status;
}

/** The next step for codes users meet often. */
function hintFor(e: S3ErrorInit): string | undefined {
  const d = e.details ?? {};
  if (e.sentAwsChunked === true && refusesAwsChunked(e)) {
    return (
      "This store does not accept aws-chunked uploads (payloadSigning 'streaming', or 'auto' for streams over http). " +
      "Set payloadSigning: 'unsigned' (or 'sha256' with bytes, a Blob or a file). The client falls back by itself for " +
      'bodies it can send again, and remembers it for this endpoint; a one-shot stream cannot be sent twice.'
    );
  }
  switch (e.code) {
    case 'SignatureDoesNotMatch':
      return signatureMismatchReport(e);
    case 'NoSuchBucket':
      return `Bucket ${quote(e.bucket)} does not exist at this endpoint: check the name, the endpoint and the region.`;
    case 'NoSuchKey':
      return `No object at key ${quote(e.key)}: keys are case-sensitive and have no leading "/".`;
    case 'NotFound':
      return e.method === 'HEAD' ? 'Check the bucket and key; if the bucket exists, the key does not.' : undefined;
    case 'AccessDenied':
    case 'Forbidden':
      return (
        'These credentials are not allowed to do this: check the IAM and bucket policies (and KMS key policy ' +
        'for SSE-KMS). Without s3:ListBucket, S3 answers 403 instead of 404 for a missing key.'
      );
    case 'InvalidAccessKeyId':
      return (
        `The endpoint does not know access key ${quote(d.AWSAccessKeyId)}: check AWS_ACCESS_KEY_ID or the profile, and ` +
        'that the key belongs to this endpoint (AWS, MinIO and Ceph keys are not interchangeable).'
      );
    case 'RequestTimeTooSkewed':
      return (
        'This machine\'s clock is more than 15 minutes off' +
        (d.ServerTime ? ` (server time ${d.ServerTime}, request time ${d.RequestTime ?? '?'})` : '') +
        ': synchronise it (NTP).'
      );
    case 'PermanentRedirect':
    case 'TemporaryRedirect':
    case 'IllegalLocationConstraintException':
      return (
        `The bucket is in another region${e.region ? ` (${e.region})` : ''}${signedFor(e)}: set the client's region to it` +
        (d.Endpoint ? ` or use endpoint ${d.Endpoint}.` : '.')
      );
    case 'AuthorizationHeaderMalformed':
      return d.Region
        ? `The request was signed for the wrong region${signedFor(e)}; the server expects ${quote(d.Region)}. Set the client's region to it.`
        : 'Check the region and the access key id in the credential scope.';
    case 'ExpiredToken':
    case 'ExpiredTokenException':
    case 'TokenRefreshRequired':
      return 'The session token has expired. With a credentials provider, the client asks it again and retries once by itself; with static credentials, pass fresh ones.';
    case 'InvalidToken':
      return 'The session token is malformed or does not belong to these keys: check AWS_SESSION_TOKEN.';
    case 'SlowDown':
      return 'S3 is throttling this prefix: lower the concurrency or spread keys over more prefixes.';
    case 'NoSuchUpload':
      return 'The multipart upload was completed, aborted, or removed by a lifecycle rule: start a new one.';
    case 'EntityTooSmall':
      return 'Every part except the last must be at least 5 MiB.';
    case 'InvalidPart':
    case 'InvalidPartOrder':
      return 'Complete with the ETags that UploadPart returned, in ascending part-number order.';
    case 'XAmzContentSHA256Mismatch':
    case 'BadDigest':
      return 'The body differs from the one that was hashed: a stream consumed twice, or modified in transit.';
    case 'BucketAlreadyExists':
      return 'Bucket names are global across all AWS accounts: choose another name.';
    case 'NotImplemented':
      return 'This server does not implement the operation or header (S3-compatible servers implement subsets).';
    default:
      return d.body === undefined ? undefined : 'A proxy or load balancer answered, not S3: check the endpoint URL.';
  }
}

function signedFor(e: S3ErrorInit): string {
  return e.signedRegion === undefined ? '' : ` (signed for ${e.signedRegion})`;
}

function quote(s: string | undefined): string {
  return s === undefined ? '(unknown)' : JSON.stringify(s);
}

// ---------------------------------------------------------------------------------------------
// SignatureDoesNotMatch: compare the server's canonical request and string to sign with ours.
// https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html

const USUAL_CAUSES =
  'Usual causes: a wrong secret access key, clock skew, the wrong region, a proxy rewriting Host or the path.';
const MAX_SHOWN_CHANGES = 3;
const MAX_LINE = 160;

function signatureMismatchReport(e: S3ErrorInit): string {
  // Compared redacted, because callers may hand us an already-redacted canonical request while the
  // server's still carries the session token: that line would otherwise be the first "difference".
  const normalise = (s: string | undefined): string | undefined => (s === undefined ? undefined : redactText(s, e.secrets ?? []));
  const server = normalise(e.serverCanonicalRequest);
  const ours = normalise(e.canonicalRequest);
  if (server === undefined && e.serverStringToSign === undefined) {
    return (
      'The server sent no canonical request to compare with ours (AWS does; Ceph RGW and MinIO do not), so the ' +
      `difference cannot be shown here${ours === undefined ? '' : '; ours is in error.canonicalRequest'}.\n${USUAL_CAUSES}`
    );
  }
  if (ours === undefined) {
    return `The server's canonical request is in error.serverCanonicalRequest; ours was not recorded.\n${USUAL_CAUSES}`;
  }
  const lines: string[] = [];
  if (server !== undefined && server !== ours) {
    const changes = diffLines(server, ours);
    lines.push('Canonical request differs from the server\'s:', ...formatChanges(changes, canonicalRequestLabels(server)));
    const cause = causeForCanonicalRequest(changes, canonicalRequestLabels(server));
    if (cause) lines.push(cause);
  } else if (e.serverStringToSign !== undefined && e.stringToSign !== undefined && e.serverStringToSign !== e.stringToSign) {
    const changes = diffLines(e.serverStringToSign, e.stringToSign);
    lines.push('String to sign differs from the server\'s:', ...formatChanges(changes, STRING_TO_SIGN_LABELS));
    if (changes.some((c) => c.line === 3)) lines.push('The credential scope differs: sign for the region and service the server expects.');
  } else {
    lines.push(
      'The server built the same canonical request and string to sign as we did, so the secret access key is ' +
        'wrong (or belongs to another access key id).',
    );
  }
  lines.push(USUAL_CAUSES);
  return lines.join('\n');
}

interface LineChange {
  /** 1-based line number in the server's text (where the difference starts). */
  line: number;
  server?: string;
  ours?: string;
}

/** Differing lines by longest common subsequence, so one extra header does not shift every line. */
function diffLines(serverText: string, oursText: string): LineChange[] {
  const a = serverText.split('\n');
  const b = oursText.split('\n');
  // Canonical requests are a few dozen lines; cap the table for pathological input.
  if (a.length * b.length > 250_000) return positionalDiff(a, b);
  const n = a.length;
  const m = b.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    const row = lcs[i] ?? [];
    const next = lcs[i + 1] ?? [];
    for (let j = m - 1; j >= 0; j--) {
      row[j] = a[i] === b[j] ? (next[j + 1] ?? 0) + 1 : Math.max(next[j] ?? 0, row[j + 1] ?? 0);
    }
  }
  const changes: LineChange[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      i++;
      j++;
      continue;
    }
    // A run of removed (server-only) and added (ours-only) lines, paired up for display.
    const removed: string[] = [];
    const added: string[] = [];
    const start = i;
    while (i < n || j < m) {
      if (i < n && j < m && a[i] === b[j]) break;
      const down = lcs[i + 1]?.[j] ?? 0;
      const right = lcs[i]?.[j + 1] ?? 0;
      if (j >= m || (i < n && down >= right)) removed.push(a[i++] ?? '');
      else added.push(b[j++] ?? '');
    }
    for (let k = 0; k < Math.max(removed.length, added.length); k++) {
      const change: LineChange = { line: start + Math.min(k, Math.max(removed.length - 1, 0)) + 1 };
      const r = removed[k];
      const o = added[k];
      if (r !== undefined) change.server = r;
      if (o !== undefined) change.ours = o;
      changes.push(change);
    }
  }
  return changes;
}

function positionalDiff(a: string[], b: string[]): LineChange[] {
  const changes: LineChange[] = [];
  for (let k = 0; k < Math.max(a.length, b.length); k++) {
    if (a[k] === b[k]) continue;
    const change: LineChange = { line: k + 1 };
    const r = a[k];
    const o = b[k];
    if (r !== undefined) change.server = r;
    if (o !== undefined) change.ours = o;
    changes.push(change);
  }
  return changes;
}

const STRING_TO_SIGN_LABELS = (line: number): string =>
  ['algorithm', 'request date', 'credential scope', 'canonical request hash'][line - 1] ?? 'extra line';

/** Names the part of a canonical request each line is (method, URI, query, header x, …). */
function canonicalRequestLabels(text: string): (line: number) => string {
  const lines = text.split('\n');
  const blank = lines.indexOf('', 3);
  return (line) => {
    const k = line - 1;
    if (k === 0) return 'method';
    if (k === 1) return 'canonical URI';
    if (k === 2) return 'canonical query string';
    if (blank === -1 || k < blank) return `header ${(lines[k] ?? '').split(':')[0] ?? ''}`;
    if (k === blank + 1) return 'signed headers';
    if (k === blank + 2) return 'payload hash';
    return 'headers';
  };
}

function formatChanges(changes: readonly LineChange[], label: (line: number) => string): string[] {
  const out: string[] = [];
  for (const c of changes.slice(0, MAX_SHOWN_CHANGES)) {
    const where = `line ${c.line} (${label(c.line)})`;
    out.push(`- server ${where}: ${c.server === undefined ? '(no such line)' : truncate(c.server, MAX_LINE)}`);
    out.push(`+ ours   ${where}: ${c.ours === undefined ? '(no such line)' : truncate(c.ours, MAX_LINE)}`);
  }
  if (changes.length > MAX_SHOWN_CHANGES) out.push(`(${changes.length - MAX_SHOWN_CHANGES} more differing lines)`);
  return out;
}

function causeForCanonicalRequest(changes: readonly LineChange[], label: (line: number) => string): string | undefined {
  const first = changes[0];
  if (!first) return undefined;
  const where = label(first.line);
  if (where === 'header host') {
    return 'The Host differs: a proxy or load balancer rewrote it (or the port): sign the host the server sees.';
  }
  if (where === 'canonical URI') {
    return 'The path differs: a proxy decoded or re-encoded it, or path-style and virtual-hosted addressing are mixed.';
  }
  if (where === 'canonical query string') return 'The query string was encoded differently on the way.';
  if (where === 'payload hash') return 'x-amz-content-sha256 differs: the body hash sent is not the one signed.';
  if (where === 'method') return 'The method differs: something between us and the server changed it.';
  if (where.startsWith('header ')) return `The ${where} differs: something between us and the server changed or added it.`;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Network and credentials errors

/**
 * A request that got no HTTP response: reset, refused, timed out, DNS.
 *
 * @example
 * catch (cause) { throw new S3NetworkError(cause, 'PUT', 'https://s3.eu-west-1.amazonaws.com') }
 * // message: 'ECONNRESET: read ECONNRESET (PUT https://s3.eu-west-1.amazonaws.com)'
 */
export class S3NetworkError extends Error {
  override name = 'S3NetworkError';
  /**
   * ECONNRESET, UND_ERR_SOCKET, … or 'NetworkError' when the cause has none; 'DeadlineExceeded'
   * when the call's deadline (deadlineMs, or a signal from AbortSignal.timeout()) passed first.
   */
  readonly code: string;
  readonly retryable: boolean;
  declare readonly method?: string;
  declare readonly bucket?: string;
  declare readonly key?: string;
  /** Requests sent before giving up (1 when the failure was not retried). */
  declare readonly attempts?: number;

  /** `where`: the origin, URL or bucket/key the request went to (redacted before use). */
  constructor(cause: unknown, method?: string, where?: string, secrets: readonly (string | undefined)[] = [], code?: string) {
    const found = networkCause(cause);
    const ownCode = code ?? found.code;
    const context = method === undefined ? '' : ` (${method}${where === undefined ? '' : ` ${redactUrl(where)}`})`;
    super(redactText(`${ownCode}: ${found.detail}${context}`, secrets), { cause: redactedCause(cause, secrets) });
    this.code = ownCode;
    this.retryable = code === undefined && isRetryableCode(ownCode, 0);
    if (method !== undefined) Object.defineProperty(this, 'method', { value: method, enumerable: true });
  }

  static from(error: unknown, context: NetworkErrorContext = {}): S3NetworkError {
    const where = whereOf(context);
    return withContext(new S3NetworkError(error, context.method, where, context.secrets), context);
  }

  /**
   * The call's deadline passed. The cause is the failure that made the call run that long (the
   * last attempt's), when there was one: the abort that ended the call never hides it.
   */
  static deadline(context: NetworkErrorContext, lastFailure: unknown, reason?: unknown): S3NetworkError {
    const where = whereOf(context);
    const attempts = context.attempts ?? 0;
    const detail =
      `the call's deadline passed (deadlineMs, or the signal from AbortSignal.timeout()) after ${attempts} attempt${attempts === 1 ? '' : 's'}` +
      (lastFailure instanceof Error ? `; last failure: ${lastFailure.message}` : '');
    const error = new S3NetworkError(lastFailure ?? reason, context.method, where, context.secrets, 'DeadlineExceeded');
    error.message = redactText(`DeadlineExceeded: ${detail}`, context.secrets ?? []);
    return withContext(error, context);
  }

  toJSON(): { name: string; code: string; message: string; retryable: boolean } {
    return { name: this.name, code: this.code, message: this.message, retryable: this.retryable };
  }
}

export interface NetworkErrorContext {
  method?: string | undefined;
  bucket?: string | undefined;
  key?: string | undefined;
  attempts?: number | undefined;
  secrets?: readonly (string | undefined)[];
}

function whereOf(context: NetworkErrorContext): string | undefined {
  if (context.bucket === undefined && context.key === undefined) return undefined;
  return target({ code: '', statusCode: 0, bucket: context.bucket, key: context.key });
}

function withContext(error: S3NetworkError, context: NetworkErrorContext): S3NetworkError {
  for (const name of ['bucket', 'key', 'attempts'] as const) {
    const value = context[name];
    if (value !== undefined) Object.defineProperty(error, name, { value, enumerable: true, configurable: true });
  }
  return error;
}

/**
 * Records on an error how many requests were sent before it was given up on (S3Error and
 * S3NetworkError both carry `attempts`), and says so in the message when there was more than one.
 */
export function recordAttempts<E extends S3Error | S3NetworkError>(error: E, attempts: number): E {
  Object.defineProperty(error, 'attempts', { value: attempts, enumerable: true, configurable: true });
  if (attempts > 1 && !error.message.includes(' attempts')) error.message += ` [gave up after ${attempts} attempts]`;
  return error;
}

/**
 * The cause as given, unless a secret shows anywhere in it (message, stack, fields, its own
 * causes: what util.inspect prints); then a plain copy with every string redacted.
 */
function redactedCause(cause: unknown, secrets: readonly (string | undefined)[], depth = 0): unknown {
  if (!(cause instanceof Error) || secrets.every((s) => s === undefined || s === '')) return cause;
  const shown = inspect(cause, { depth: 6 });
  if (redactText(shown, secrets) === shown) return cause;
  const copy = new Error(redactText(cause.message, secrets));
  copy.name = cause.name;
  copy.stack = redactText(cause.stack ?? '', secrets);
  for (const [name, value] of Object.entries(cause)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      Object.defineProperty(copy, name, { value: typeof value === 'string' ? redactText(value, secrets) : value, enumerable: true });
    }
  }
  if (cause.cause !== undefined && depth < 5) copy.cause = redactedCause(cause.cause, secrets, depth + 1);
  return copy;
}

/**
 * The code and message of what undici threw. fetch() hides the socket error under `cause`
 * ("fetch failed"), so both are looked up along the cause chain: the first code, the innermost message.
 */
function networkCause(error: unknown): { code: string; detail: string } {
  let code: string | undefined;
  let detail = error instanceof Error ? error.message : String(error);
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const c: unknown = Reflect.get(current, 'code');
    if (typeof c === 'string' && code === undefined) code = c;
    if (current.message) detail = current.message;
    current = current.cause;
  }
  return { code: code ?? 'NetworkError', detail };
}

export type CredentialsErrorCode = 'CredentialsNotFound' | 'InvalidCredentials' | 'CredentialsExpired' | 'CredentialsProviderError';

/** Credentials could not be found, were malformed, expired, or their provider failed. Never contains a secret. */
export class S3CredentialsError extends Error {
  override name = 'S3CredentialsError';
  readonly code: CredentialsErrorCode;
  readonly retryable = false;

  constructor(code: CredentialsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  toJSON(): { name: string; code: string; message: string } {
    return { name: this.name, code: this.code, message: this.message };
  }
}
