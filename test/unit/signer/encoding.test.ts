/** The building blocks: UriEncode, query canonicalisation, header values, amz dates, wire URLs, canonical URIs. */
import { describe, expect, it } from 'vitest';
import { dateStampOfDay } from '../../../src/signer/amz-date.js';
import { canonicalQuery, canonicalUri } from '../../../src/signer/canonical.js';
import { canonicalQueryComponent } from '../../../src/signer/encoding.js';
import { canonicalHeaderValue } from '../../../src/signer/headers.js';
import { SigningError, SigningRangeError, toAmzDate, uriEncode } from '../../../src/signer/index.js';
import { parseWireUrl } from '../../../src/signer/url.js';

/** The standard library's encoder, made RFC 3986 strict: an independent reference for uriEncode. */
function reference(text: string, encodeSlash: boolean): string {
  const encoded = encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return encodeSlash ? encoded : encoded.replace(/%2F/g, '/');
}

describe('uriEncode', () => {
  it.each([
    ['', true, ''],
    ['abcXYZ019-_.~', true, 'abcXYZ019-_.~'],
    ['a b', true, 'a%20b'],
    ['a/b', true, 'a%2Fb'],
    ['a/b', false, 'a/b'],
    ['é', true, '%C3%A9'],
    ['日本', true, '%E6%97%A5%E6%9C%AC'],
    ['😀', true, '%F0%9F%98%80'],
    ["!'()*", true, '%21%27%28%29%2A'],
    ['+=&?#%$', true, '%2B%3D%26%3F%23%25%24'],
    ['photos/2024 Q1/ü+1.jpg', false, 'photos/2024%20Q1/%C3%BC%2B1.jpg'],
    ['tab\there\n', true, 'tab%09here%0A'],
  ])('uriEncode(%j, %s) === %j', (input, encodeSlash, expected) => {
    expect(uriEncode(input, encodeSlash)).toBe(expected);
  });

  it('defaults to encoding "/"', () => {
    expect(uriEncode('a/b')).toBe('a%2Fb');
  });

  it('agrees with encodeURIComponent (made RFC 3986 strict) on 2000 random strings', () => {
    const alphabet = ['a', 'Z', '0', '-', '_', '.', '~', ' ', '/', '+', '=', '%', '?', '&', '#', '!', '*', "'", 'é', '€', '😀', '\u0000', '\u007f'];
    let seed = 7;
    const next = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    for (let n = 0; n < 2000; n++) {
      const text = Array.from({ length: Math.floor(next() * 12) }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
      expect(uriEncode(text, true), text).toBe(reference(text, true));
      expect(uriEncode(text, false), text).toBe(reference(text, false));
    }
  });

  it('rejects a lone surrogate rather than signing a guessed key', () => {
    expect(() => uriEncode('a\ud800b')).toThrow(SigningError);
    expect(() => uriEncode('a\udc00')).toThrow(expect.objectContaining({ code: 'InvalidEncoding' }));
  });
});

describe('canonical query', () => {
  it.each([
    ['plain', 'abc', 'abc'],
    ['needless escape of an unreserved char', '%7e%41', '~A'],
    ['lower-case hex of a reserved char', '%2f', '%2F'],
    ['raw + is a literal plus', 'a+b', 'a%2Bb'],
    ['raw space', 'a b', 'a%20b'],
    ['escaped space stays', 'a%20b', 'a%20b'],
    ['lone %', '%', '%25'],
    ['% without two hex digits', '%zz%4', '%25zz%254'],
    ['bytes that are not UTF-8 survive', '%FF%fe', '%FF%FE'],
    ['raw UTF-8', 'é', '%C3%A9'],
    ['raw reserved chars', "/:@!$'()*,;", '%2F%3A%40%21%24%27%28%29%2A%2C%3B'],
  ])('component: %s (%j -> %j)', (_name, wire, expected) => {
    expect(canonicalQueryComponent(wire)).toBe(expected);
  });

  it.each([
    ['empty', '', ''],
    ['sorted by key', 'b=2&a=1', 'a=1&b=2'],
    ['same key sorted by value', 'a=2&a=1&a=10', 'a=1&a=10&a=2'],
    ['valueless keys get "="', 'uploads&b=', 'b=&uploads='],
    ['key sort is by key, not by "key=value"', 'a-b=1&a=2', 'a=2&a-b=1'],
    ['upper case sorts before lower case', 'b=1&B=2&_=3', 'B=2&_=3&b=1'],
    ['empty pieces are not parameters', '&&a=1&', 'a=1'],
    ['only the first "=" splits', 'a=b=c', 'a=b%3Dc'],
    ['keys and values encoded', 'prefix=a b/c&max-keys=2', 'max-keys=2&prefix=a%20b%2Fc'],
  ])('query: %s', (_name, wire, expected) => {
    expect(canonicalQuery(wire)).toBe(expected);
  });
});

describe('canonical URI', () => {
  it.each([
    ['S3: the wire path as is', '/bucket/a//b/./../c%20d', false, false, '/bucket/a//b/./../c%20d'],
    ['other services: normalized and encoded again', '/a//b/./../c%20d', true, true, '/a/c%2520d'],
    ['normalized, trailing slash kept', '//example//', true, true, '/example/'],
    ['all segments removed', '/a/b/../..', true, true, '/'],
    ['encoded again without normalizing', '/a//b/./c d', true, false, '/a//b/./c%20d'],
  ])('%s', (_name, path, escape, normalize, expected) => {
    expect(canonicalUri(path, escape, normalize)).toBe(expected);
  });
});

describe('canonical header values', () => {
  it.each([
    ['value', 'value'],
    ['', ''],
    ['  padded  ', 'padded'],
    ['a   b    c', 'a b c'],
    ['a\tb', 'a b'],
    ['value1\n  value2\n     value3', 'value1 value2 value3'],
    ['"a   b   c"', '"a b c"'],
    [' \t ', ''],
    ['a\u00a0b', 'a\u00a0b'], // only HTTP whitespace folds, not every Unicode space
  ])('%j -> %j', (value, expected) => {
    expect(canonicalHeaderValue(value)).toBe(expected);
  });
});

describe('toAmzDate', () => {
  it.each([
    ['1970-01-01T00:00:00Z', '19700101T000000Z'],
    ['2013-05-24T00:00:00Z', '20130524T000000Z'],
    ['2015-08-30T12:36:00.999Z', '20150830T123600Z'],
    ['2000-02-29T23:59:59Z', '20000229T235959Z'],
    ['1969-12-31T23:59:59Z', '19691231T235959Z'],
    ['0000-01-01T00:00:00Z', '00000101T000000Z'],
    ['9999-12-31T23:59:59.999Z', '99991231T235959Z'],
  ])('%s -> %s', (iso, expected) => {
    expect(toAmzDate(new Date(iso))).toBe(expected);
  });

  it('agrees with Date#toISOString for 5000 random instants (1900..2200)', () => {
    let seed = 11;
    const next = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    for (let n = 0; n < 5000; n++) {
      const date = new Date(Date.UTC(1900, 0, 1) + Math.floor(next() * 300 * 365.25 * 86_400_000));
      const iso = date.toISOString();
      const expected = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
      expect(toAmzDate(date), iso).toBe(expected);
    }
  });

  it('dateStampOfDay counts days from 1970-01-01', () => {
    expect(dateStampOfDay(0)).toBe('19700101');
    expect(dateStampOfDay(15_849)).toBe('20130524');
  });

  it('rejects invalid and out-of-range dates', () => {
    expect(() => toAmzDate(new Date(Number.NaN))).toThrow(expect.objectContaining({ code: 'InvalidDate' }));
    expect(() => toAmzDate(new Date('+010000-01-01T00:00:00Z'))).toThrow(SigningRangeError);
  });
});

describe('wire URL parsing', () => {
  it.each([
    ['https://b.s3.amazonaws.com/k', { origin: 'https://b.s3.amazonaws.com', host: 'b.s3.amazonaws.com', path: '/k', query: '' }],
    ['https://B.S3.Amazonaws.COM:443/k?a=1', { origin: 'https://B.S3.Amazonaws.COM:443', host: 'b.s3.amazonaws.com', path: '/k', query: 'a=1' }],
    ['http://localhost:80', { origin: 'http://localhost:80', host: 'localhost', path: '/', query: '' }],
    ['http://127.0.0.1:9000/b/k', { origin: 'http://127.0.0.1:9000', host: '127.0.0.1:9000', path: '/b/k', query: '' }],
    ['HTTPS://h/a?x=1?y#frag', { origin: 'HTTPS://h', host: 'h', path: '/a', query: 'x=1?y' }],
    ['https://h?q', { origin: 'https://h', host: 'h', path: '/', query: 'q' }],
    ['https://h/a#f?x', { origin: 'https://h', host: 'h', path: '/a', query: '' }],
    ['https://[::1]:443/a', { origin: 'https://[::1]:443', host: '[::1]', path: '/a', query: '' }],
    ['https://h/a/../b//c', { origin: 'https://h', host: 'h', path: '/a/../b//c', query: '' }],
  ])('%s', (url, expected) => {
    expect(parseWireUrl(url)).toEqual(expected);
  });

  it('a URL object gives its normalised parts (what an HTTP client sends for it)', () => {
    expect(parseWireUrl(new URL('https://H:443/a/%7e?x=1#f'))).toEqual({
      origin: 'https://h',
      host: 'h',
      path: '/a/%7e',
      query: 'x=1',
    });
  });
});
