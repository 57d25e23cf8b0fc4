/**
 * Splits an absolute http(s) URL into the parts SigV4 signs, reading the wire form as given.
 * A string is parsed by hand rather than with `new URL()`: WHATWG parsing would remove dot segments
 * and re-encode the path (S3 signs the path exactly as sent), and it costs more than the signing.
 */
import { SigningError, quote } from './errors.js';

/**
 * A URL split into the parts signing needs. A caller that builds URLs from parts already (an S3
 * client's endpoint resolver) passes this instead of a string, and nothing is parsed again.
 */
export interface WireUrl {
  /** `scheme://authority`, as written (used to rebuild a presigned URL). */
  readonly origin: string;
  /** The Host header value: lower-cased, without a default port. */
  readonly host: string;
  /** The path as sent, `/` when empty. */
  readonly path: string;
  /** The raw query after `?`, without the fragment; '' when absent. */
  readonly query: string;
}

function invalid(url: unknown, why: string): SigningError {
  // Left out of the message: the query (a presigned URL carries a session token there) and any
  // user:password@ part (up to the last '@', since a password may contain '/').
  const shown = typeof url === 'string' ? url.split('?', 1)[0]!.replace(/^([^/]*\/\/).*@/, '$1…@') : typeof url;
  return new SigningError('InvalidUrl', `url must be an absolute http(s) URL (${why}), got ${quote(shown)}`, 'url');
}

// A DNS name or IPv4 address, or a bracketed IPv6 address, then an optional port.
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::[0-9]{0,5})?$/;

/** `scheme://authority` of a URL string and the Host header it gives. */
interface Origin {
  readonly origin: string;
  readonly host: string;
}

// The last origin parsed. Requests of a client go to one or a few origins, so checking the prefix
// against the last one skips the validation below almost every time. Replaced whole, never
// mutated, so interleaved callers always see a consistent pair.
let lastOrigin: Origin = { origin: '\u0000', host: '' };

export function parseWireUrl(url: string | URL | WireUrl): WireUrl {
  if (typeof url !== 'string') {
    if (url instanceof URL) return fromWhatwgUrl(url);
    if (isWireUrl(url)) return url;
    throw invalid(url, 'not a string, URL or { origin, host, path, query }');
  }
  let origin = lastOrigin;
  let end = origin.origin.length;
  // (slice + === is several times cheaper than startsWith in V8 here.)
  if (url.slice(0, end) !== origin.origin || !endsAuthority(url, end)) {
    origin = parseOrigin(url);
    end = origin.origin.length;
    lastOrigin = origin;
  }

  let stop = url.indexOf('#', end);
  if (stop === -1) stop = url.length;
  let queryAt = url.indexOf('?', end);
  if (queryAt > stop) queryAt = -1;
  const path = url.slice(end, queryAt === -1 ? stop : queryAt);
  return {
    origin: origin.origin,
    host: origin.host,
    path: path === '' ? '/' : path,
    query: queryAt === -1 ? '' : url.slice(queryAt + 1, stop),
  };
}

/** The cheap checks a pre-split URL must pass: the signer cannot re-derive its parts. */
function isWireUrl(url: unknown): url is WireUrl {
  if (typeof url !== 'object' || url === null) return false;
  const { origin, host, path, query } = url as Record<string, unknown>;
  return (
    typeof origin === 'string' &&
    (origin.startsWith('https://') || origin.startsWith('http://')) &&
    typeof host === 'string' &&
    // The host goes into the canonical request as a header line: the same rule as a parsed URL's.
    HOST.test(host) &&
    typeof path === 'string' &&
    path.startsWith('/') &&
    !/[\s]/.test(path) &&
    typeof query === 'string' &&
    !/[\s#]/.test(query)
  );
}

/** True when `url[at]` ends the authority: '/', '?', '#' or the end of the string. */
function endsAuthority(url: string, at: number): boolean {
  if (at === url.length) return true;
  const c = url.charCodeAt(at);
  return c === 0x2f || c === 0x3f || c === 0x23;
}

function parseOrigin(url: string): Origin {
  let authorityStart: number;
  let defaultPort: string;
  if (url.startsWith('https://')) {
    authorityStart = 8;
    defaultPort = ':443';
  } else if (url.startsWith('http://')) {
    authorityStart = 7;
    defaultPort = ':80';
  } else {
    // The scheme is case-insensitive; the common lower-case spellings took the fast path above.
    const scheme = /^(https?):\/\//i.exec(url);
    if (scheme === null) throw invalid(url, 'no http:// or https:// scheme');
    authorityStart = scheme[0].length;
    defaultPort = scheme[1]!.length === 5 ? ':443' : ':80';
  }

  let end = authorityStart;
  while (end < url.length && !endsAuthority(url, end)) end++;
  const authority = url.slice(authorityStart, end);
  if (authority.length === 0) throw invalid(url, 'no host');
  if (authority.includes('@')) throw invalid(url, 'credentials in the URL are not supported');
  if (!HOST.test(authority)) throw invalid(url, 'bad host or port');

  let host = authority.toLowerCase();
  if (host.endsWith(defaultPort)) host = host.slice(0, -defaultPort.length);
  else if (host.endsWith(':')) host = host.slice(0, -1);
  return { origin: url.slice(0, end), host };
}

function fromWhatwgUrl(url: URL): WireUrl {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalid(url.href, 'not http(s)');
  if (url.username !== '' || url.password !== '') throw invalid(url.origin, 'credentials in the URL are not supported');
  // A URL object has already normalised host, port and path: that is also what undici will send.
  return { origin: url.origin, host: url.host, path: url.pathname || '/', query: url.search.slice(1) };
}
