/**
 * Canonical headers: which request headers are signed, and in what form.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html#create-canonical-request
 */
import { SigningError, quote } from './errors.js';
import { compareStrings, sortInPlace } from './sort.js';
import type { HeaderInput } from './types.js';

/**
 * Headers never signed, even when the caller passes them. Each one may be added, changed or
 * removed between us and S3, and a signed header that changes breaks the signature.
 */
const UNSIGNED_HEADERS: ReadonlyMap<string, string> = new Map([
  ['authorization', 'it carries the signature itself'],
  ['user-agent', 'proxies rewrite it, and whoever uses a presigned URL sends their own'],
  ['expect', 'HTTP clients add or drop `Expect: 100-continue` on their own'],
  ['x-amzn-trace-id', 'AWS X-Ray and Lambda add it after the request is signed'],
  ['connection', 'hop-by-hop (RFC 9110 §7.6.1): each hop may rewrite it'],
  ['keep-alive', 'hop-by-hop'],
  ['proxy-authorization', 'meant for the proxy, which removes it'],
  ['proxy-connection', 'hop-by-hop, and proxies strip it'],
  ['te', 'hop-by-hop'],
  ['trailer', 'hop-by-hop'],
  ['transfer-encoding', 'hop-by-hop; the client chooses chunked framing after signing'],
  ['upgrade', 'hop-by-hop'],
]);

/** Why `name` (lower case) is left out of the signature, or undefined if it is signed. */
export function unsignedHeaderReason(name: string): string | undefined {
  return UNSIGNED_HEADERS.get(name);
}

/** The names left out of signing, for documentation and tests. */
export const UNSIGNED_HEADER_NAMES: readonly string[] = [...UNSIGNED_HEADERS.keys()];

// RFC 9110 token: what an HTTP header name may contain. Checking it keeps a stray ':' or newline
// from changing the shape of the canonical request.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export function checkHeaderName(name: string): void {
  if (!HEADER_NAME.test(name)) throw new SigningError('InvalidHeader', `invalid header name ${quote(name)}`, 'headers');
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/**
 * A header value as signed: leading and trailing whitespace removed and every inner run of
 * spaces, tabs or line breaks (obsolete line folding) turned into one space.
 * Returns `value` itself when it is already in that form.
 */
export function canonicalHeaderValue(value: string): string {
  const n = value.length;
  let clean = n === 0 || (!isSpace(value.charCodeAt(0)) && !isSpace(value.charCodeAt(n - 1)));
  for (let i = 1; clean && i < n - 1; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x20) {
      if (value.charCodeAt(i + 1) === 0x20) clean = false;
    } else if (c === 0x09 || c === 0x0a || c === 0x0d) clean = false;
  }
  if (clean) return value;
  let start = 0;
  let end = n;
  while (start < end && isSpace(value.charCodeAt(start))) start++;
  while (end > start && isSpace(value.charCodeAt(end - 1))) end--;
  let out = '';
  let runStart = start;
  let i = start;
  while (i < end) {
    if (!isSpace(value.charCodeAt(i))) {
      i++;
      continue;
    }
    out += `${value.slice(runStart, i)} `;
    while (isSpace(value.charCodeAt(i))) i++;
    runStart = i;
  }
  return out + value.slice(runStart, end);
}

/** Signed header names (lower case) to canonical values; repeated names are joined with ','. */
export type SignedHeaderMap = Map<string, string>;

export function addSignedHeader(map: SignedHeaderMap, lowerName: string, value: string): void {
  const previous = map.get(lowerName);
  map.set(lowerName, previous === undefined ? value : `${previous},${value}`);
}

export interface CanonicalHeaders {
  /** `name:value\n` for each signed header, sorted by name. */
  readonly canonical: string;
  /** The sorted names joined with ';' (the SignedHeaders value). */
  readonly signedHeaders: string;
}

export function canonicalHeaders(map: SignedHeaderMap): CanonicalHeaders {
  const names = sortInPlace(Array.from(map.keys()), compareStrings);
  let canonical = '';
  let signedHeaders = '';
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    canonical += `${name}:${map.get(name)!}\n`;
    signedHeaders = i === 0 ? name : `${signedHeaders};${name}`;
  }
  return { canonical, signedHeaders };
}

function isPairList(headers: HeaderInput): headers is ReadonlyArray<readonly [string, string]> {
  return Array.isArray(headers);
}

/** Calls `visit` for each (name, value) of the input, in order; array values give one call each. */
function forEachHeader(headers: HeaderInput | undefined, visit: (name: string, value: string) => void): void {
  if (headers === undefined) return;
  if (isPairList(headers)) {
    for (const pair of headers) visit(pair[0], pair[1]);
    return;
  }
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    if (typeof value === 'string') visit(name, value);
    else if (Array.isArray(value)) for (const item of value) visit(name, item);
    else throw new SigningError('InvalidHeader', `header ${quote(name)} must have a string value`, `headers.${name}`);
  }
}

/** The caller's headers, split into what is sent and what is signed. */
export interface ReadHeaders {
  readonly send: Record<string, string>;
  readonly signed: SignedHeaderMap;
  readonly hasHost: boolean;
  /** x-amz-content-sha256 as the caller set it (canonical form). */
  readonly contentSha256: string | undefined;
}

// Headers the signer writes itself, so a caller's copy is dropped rather than sent twice.
const REPLACED: ReadonlySet<string> = new Set(['authorization', 'x-amz-date']);
const REPLACED_WITH_TOKEN: ReadonlySet<string> = new Set(['authorization', 'x-amz-date', 'x-amz-security-token']);

/**
 * Reads the caller's headers: checks names, drops the ones the signer writes (authorization,
 * x-amz-date, and x-amz-security-token when it has a token), and canonicalises values.
 * `keepContentSha256` decides whether a caller's x-amz-content-sha256 stays an ordinary signed
 * header (other services) or is only read, for the signer to write its own (S3).
 */
export function readHeaders(
  headers: HeaderInput | undefined,
  hasSessionToken: boolean,
  keepContentSha256: boolean,
): ReadHeaders {
  const replaced = hasSessionToken ? REPLACED_WITH_TOKEN : REPLACED;
  const send: Record<string, string> = {};
  const signed: SignedHeaderMap = new Map();
  let hasHost = false;
  let contentSha256: string | undefined;
  forEachHeader(headers, (name, value) => {
    if (typeof value !== 'string') {
      throw new SigningError('InvalidHeader', `header ${quote(name)} must have a string value`, `headers.${name}`);
    }
    checkHeaderName(name);
    const lower = name.toLowerCase();
    if (replaced.has(lower)) return;
    const canonical = canonicalHeaderValue(value);
    if (lower === 'x-amz-content-sha256') {
      contentSha256 = canonical;
      if (!keepContentSha256) return;
    } else if (lower === 'host') {
      hasHost = true;
    }
    const previous = send[name];
    send[name] = previous === undefined ? value : `${previous},${value}`;
    if (unsignedHeaderReason(lower) === undefined) addSignedHeader(signed, lower, canonical);
  });
  return { send, signed, hasHost, contentSha256 };
}
