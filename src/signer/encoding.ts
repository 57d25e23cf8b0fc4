/**
 * RFC 3986 percent-encoding as SigV4 defines it ("UriEncode" in
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html): every byte of the
 * UTF-8 form except `A-Z a-z 0-9 - _ . ~` becomes `%XX` (upper-case hex). One encoder serves the
 * signer (query strings, non-S3 paths) and the endpoint module (object keys).
 */
import { SigningError } from './errors.js';

const SLASH = 0x2f;
const PERCENT = 0x25;

/** 1 for the unreserved ASCII characters, 0 for everything else. */
const UNRESERVED = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~') UNRESERVED[c.charCodeAt(0)] = 1;

/** The first character that is not unreserved (with or without `/`). */
const NEEDS_ESCAPE = /[^A-Za-z0-9\-_.~]/;
const NEEDS_ESCAPE_BUT_SLASH = /[^A-Za-z0-9\-_.~/]/;

/** `%XX` for every byte value. */
const PERCENT_BYTE: readonly string[] = Array.from(
  { length: 256 },
  (_, b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
);

/** Hex digit value of a char code, or -1. */
function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/**
 * Percent-encodes the UTF-8 bytes of the code point starting at `str[i]` (a non-ASCII or reserved
 * char). Returns the encoding; a surrogate pair consumes two UTF-16 units (see `codePointWidth`).
 */
function encodeCodePoint(str: string, i: number): string {
  const c = str.charCodeAt(i);
  if (c < 0x80) return PERCENT_BYTE[c]!;
  if (c < 0x800) return PERCENT_BYTE[0xc0 | (c >> 6)]! + PERCENT_BYTE[0x80 | (c & 0x3f)]!;
  if (c >= 0xd800 && c <= 0xdfff) {
    const low = str.charCodeAt(i + 1);
    if (c > 0xdbff || !(low >= 0xdc00 && low <= 0xdfff)) {
      // A lone surrogate has no UTF-8 form: guessing (U+FFFD) would sign a different key.
      throw new SigningError('InvalidEncoding', `string has a lone UTF-16 surrogate at index ${i}`);
    }
    const cp = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
    return (
      PERCENT_BYTE[0xf0 | (cp >> 18)]! +
      PERCENT_BYTE[0x80 | ((cp >> 12) & 0x3f)]! +
      PERCENT_BYTE[0x80 | ((cp >> 6) & 0x3f)]! +
      PERCENT_BYTE[0x80 | (cp & 0x3f)]!
    );
  }
  return PERCENT_BYTE[0xe0 | (c >> 12)]! + PERCENT_BYTE[0x80 | ((c >> 6) & 0x3f)]! + PERCENT_BYTE[0x80 | (c & 0x3f)]!;
}

/** UTF-16 units taken by the code point at `str[i]`. */
function codePointWidth(str: string, i: number): number {
  const c = str.charCodeAt(i);
  return c >= 0xd800 && c <= 0xdbff ? 2 : 1;
}

/**
 * SigV4 UriEncode. With `encodeSlash = false`, `/` is kept (S3 object keys and paths).
 * Returns `str` itself when nothing needs escaping, which is the common case.
 *
 * @example uriEncode('photos/2024 Q1/ü+1.jpg', false) === 'photos/2024%20Q1/%C3%BC%2B1.jpg'
 */
export function uriEncode(str: string, encodeSlash = true): string {
  // A regex search runs as native code: cheaper than a charCodeAt loop to find the first
  // character that needs escaping, or to learn that none does.
  let i = str.search(encodeSlash ? NEEDS_ESCAPE : NEEDS_ESCAPE_BUT_SLASH);
  if (i === -1) return str;
  const n = str.length;

  let out = str.slice(0, i);
  let runStart = i;
  while (i < n) {
    const c = str.charCodeAt(i);
    if (c < 0x80 && (UNRESERVED[c] === 1 || (c === SLASH && !encodeSlash))) {
      i++;
      continue;
    }
    if (runStart < i) out += str.slice(runStart, i);
    out += encodeCodePoint(str, i);
    i += codePointWidth(str, i);
    runStart = i;
  }
  if (runStart < n) out += str.slice(runStart);
  return out;
}

/**
 * The canonical form of one query-string key or value as it appears on the wire: decoded, then
 * re-encoded with UriEncode. Done byte by byte, so `%xx` escapes are normalised (`%7e` -> `~`,
 * `%2f` -> `%2F`) without a decode step that could fail on bytes that are not valid UTF-8; raw
 * characters (a space, `é`, `+`) are encoded; a `%` not followed by two hex digits stands for itself.
 * `+` is a literal plus (RFC 3986), not a space as in HTML forms.
 */
export function canonicalQueryComponent(wire: string): string {
  let i = wire.search(NEEDS_ESCAPE);
  if (i === -1) return wire;
  const n = wire.length;

  let out = wire.slice(0, i);
  let runStart = i;
  while (i < n) {
    const c = wire.charCodeAt(i);
    if (c < 0x80 && UNRESERVED[c] === 1) {
      i++;
      continue;
    }
    if (runStart < i) out += wire.slice(runStart, i);
    if (c === PERCENT && i + 2 < n && hexValue(wire.charCodeAt(i + 1)) >= 0 && hexValue(wire.charCodeAt(i + 2)) >= 0) {
      const b = (hexValue(wire.charCodeAt(i + 1)) << 4) | hexValue(wire.charCodeAt(i + 2));
      out += b < 0x80 && UNRESERVED[b] === 1 ? String.fromCharCode(b) : PERCENT_BYTE[b]!;
      i += 3;
    } else {
      out += encodeCodePoint(wire, i);
      i += codePointWidth(wire, i);
    }
    runStart = i;
  }
  if (runStart < n) out += wire.slice(runStart);
  return out;
}
