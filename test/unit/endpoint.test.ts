import { describe, expect, it } from 'vitest';
import fixtures from '../fixtures/endpoints.json' with { type: 'json' };
import {
  EndpointResolver,
  S3ConfigError,
  type S3ConfigErrorCode,
  defaultEndpoint,
  encodeKey,
  interpretRegion,
  isDnsCompatibleBucket,
  parseEndpoint,
  regionFromEndpoint,
  resolveEndpoint,
  validateBucketName,
  validateKey,
} from '../../src/s3/endpoint.js';

/** `[name, case]` rows, so vitest prints the whole case name (a `$name` template would truncate it). */
function named<T extends { name: string }>(cases: readonly T[]): [string, T][] {
  return cases.map((c) => [c.name, c]);
}

/** Runs `fn` and returns the S3ConfigError it throws; fails the test if it throws anything else or nothing. */
function configErrorFrom(fn: () => unknown): S3ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(S3ConfigError);
    if (err instanceof S3ConfigError) return err;
  }
  throw new Error('expected an S3ConfigError, but nothing was thrown');
}

function expectConfigError(fn: () => unknown, code: S3ConfigErrorCode): void {
  const err = configErrorFrom(fn);
  expect(err.name).toBe('S3ConfigError');
  expect(err.code).toBe(code);
  expect(err).toBeInstanceOf(Error);
  expect(err.message.length).toBeGreaterThan(20);
}

/** The encoding S3 expects, built a different way: encodeURIComponent leaves `!'()*` alone and escapes `/`. */
function referenceEncodeKey(key: string): string {
  return encodeURIComponent(key)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%2F/g, '/');
}

/** Deterministic PRNG (mulberry32) so the random cases are the same on every run. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('resolveEndpoint (fixtures/endpoints.json)', () => {
  it.each(named(fixtures.resolve))('%s', (_, c) => {
    expect(resolveEndpoint(c.config, c.bucket, c.key, c.query)).toEqual(c.expect);
  });

  it.each(named(fixtures.resolve))('EndpointResolver agrees, url = origin + path + query: %s', (_, c) => {
    const resolved = new EndpointResolver(c.config).resolve(c.bucket, c.key, c.query);
    expect(resolved).toEqual(c.expect);
    const query = c.query === undefined || c.query === '' ? '' : `?${c.query}`;
    expect(resolved.url).toBe(resolved.origin + resolved.path + query);
    expect(new URL(resolved.origin).host).toBe(resolved.host);
  });
});

describe('typed errors before any request (fixtures/endpoints.json)', () => {
  it.each(fixtures.errors.map((c) => [`${c.name} → ${c.code}`, c] as const))('%s', (_, c) => {
    expectConfigError(() => resolveEndpoint(c.config, c.bucket, c.key), c.code as S3ConfigErrorCode);
  });

  it('a bad endpoint fails when the resolver is built, not on the first request', () => {
    const config = { endpoint: 'ftp://x.example.com', region: 'us-east-1' };
    expectConfigError(() => new EndpointResolver(config), 'InvalidEndpoint');
  });

  it('keeps the parse failure as the cause of an unparseable endpoint', () => {
    const err = configErrorFrom(() => parseEndpoint('not a url'));
    expect(err.cause).toBeInstanceOf(TypeError);
  });

  it("region 'auto' without an endpoint says to set the R2 endpoint", () => {
    expect(configErrorFrom(() => defaultEndpoint('auto')).message).toContain('r2.cloudflarestorage.com');
  });
});

describe('validateKey', () => {
  it.each([
    ['1024 ASCII bytes', 'a'.repeat(1024)],
    ['512 × é = 1024 bytes', 'é'.repeat(512)],
    ['341 × 日 = 1023 bytes', '日'.repeat(341)],
    ['256 × emoji = 1024 bytes', '😀'.repeat(256)],
  ])('accepts a key at the limit: %s', (_, key) => {
    expect(() => validateKey(key)).not.toThrow();
  });

  it.each([
    ['1025 ASCII bytes', 'a'.repeat(1025)],
    ['513 × é = 1026 bytes', 'é'.repeat(513)],
    ['342 × 日 = 1026 bytes', '日'.repeat(342)],
    ['257 × emoji = 1028 bytes', '😀'.repeat(257)],
    ['1023 ASCII + é = 1025 bytes', `${'a'.repeat(1023)}é`],
  ])('rejects a key over 1024 UTF-8 bytes: %s', (_, key) => {
    expectConfigError(() => validateKey(key), 'InvalidKey');
  });

  // Kept out of the JSON fixture: Vite's JSON loader rejects lone-surrogate escapes.
  it.each([
    ['lone high surrogate', 'a\ud800b'],
    ['lone low surrogate', '\udc00'],
    ['reversed pair', '\ude00\ud83d'],
  ])('rejects a key that is not well-formed Unicode: %s', (_, key) => {
    expectConfigError(() => validateKey(key), 'InvalidKey');
    expectConfigError(() => resolveEndpoint({ region: 'us-east-1' }, 'bkt', key), 'InvalidKey');
  });

  it('rejects a too-long key through resolve as well', () => {
    expectConfigError(() => resolveEndpoint({ region: 'us-east-1' }, 'bkt', 'k'.repeat(1025)), 'InvalidKey');
  });
});

describe('validateBucketName', () => {
  it.each(['My_Legacy_Bucket', 'a'.repeat(255), 'UPPER', 'under_score', 'my-ap-abc-s3alias'])(
    'accepts a name S3 can address: %s',
    (bucket) => {
      expect(() => validateBucketName(bucket)).not.toThrow();
    },
  );

  it('rejects a name over 255 characters', () => {
    expectConfigError(() => validateBucketName('a'.repeat(256)), 'InvalidBucketName');
  });

  it('accepts every DNS-compatible name in the table', () => {
    for (const c of fixtures.isDnsCompatibleBucket.filter((x) => x.expect)) {
      expect(() => validateBucketName(c.bucket)).not.toThrow();
    }
  });
});

describe('isDnsCompatibleBucket (fixtures/endpoints.json)', () => {
  it.each(fixtures.isDnsCompatibleBucket)('$bucket → $expect', (c) => {
    expect(isDnsCompatibleBucket(c.bucket)).toBe(c.expect);
  });
});

describe('encodeKey', () => {
  it.each(named(fixtures.encodeKey))('%s', (_, c) => {
    expect(encodeKey(c.key)).toBe(c.encoded);
  });

  it('matches the encodeURIComponent-based reference for every BMP code point and the astral planes', () => {
    for (let cp = 0; cp <= 0x10ffff; cp += cp < 0x10000 ? 1 : 0x3f) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue; // lone surrogates have no UTF-8 form
      const key = String.fromCodePoint(cp);
      if (encodeKey(key) !== referenceEncodeKey(key)) {
        expect.fail(`U+${cp.toString(16)}: ${encodeKey(key)} !== ${referenceEncodeKey(key)}`);
      }
    }
  });

  it('matches the reference and round-trips for 5000 seeded random keys', () => {
    const random = seededRandom(0x5317a7e);
    // Weighted towards ASCII so `/`, `.` runs and punctuation are common, with 2-, 3- and 4-byte characters.
    const ranges: readonly (readonly [number, number])[] = [
      [0x00, 0x7f], [0x20, 0x7e], [0x2e, 0x2f], [0x80, 0x7ff], [0x800, 0xd7ff], [0xe000, 0xffff], [0x10000, 0x10ffff],
    ];
    for (let i = 0; i < 5000; i++) {
      let key = '';
      const length = Math.floor(random() * 40);
      for (let j = 0; j < length; j++) {
        const [low, high] = ranges[Math.floor(random() * ranges.length)] ?? [0x61, 0x7a];
        key += String.fromCodePoint(low + Math.floor(random() * (high - low + 1)));
      }
      const encoded = encodeKey(key);
      expect(encoded, JSON.stringify(key)).toBe(referenceEncodeKey(key));
      expect(encoded).toMatch(/^(?:[A-Za-z0-9\-._~/]|%[0-9A-F]{2})*$/);
      expect(decodeURIComponent(encoded)).toBe(key);
    }
  });

  it.each([
    ['high surrogate at the end', 'a\ud83d'],
    ['high surrogate before a letter', '\ud83dx'],
    ['low surrogate alone', 'x\ude00'],
    ['pair in the wrong order', '\ude00\ud83d'],
  ])('refuses a lone surrogate instead of silently sending U+FFFD: %s', (_, key) => {
    expectConfigError(() => encodeKey(key), 'InvalidKey');
  });
});

describe('the wire URL is final', () => {
  it('WHATWG URL would collapse the dot segments we send, so it must not re-parse the URL', () => {
    const { url, path } = resolveEndpoint({ endpoint: 'http://127.0.0.1:9000', region: 'us-east-1' }, 'data', 'a/../b');
    expect(path).toBe('/data/a/../b');
    expect(new URL(url).pathname).toBe('/data/b'); // a different object: why the transport sends `path` as is
  });
});

describe('EndpointResolver and the function form', () => {
  it('an empty endpoint is not mistaken for an unset one', () => {
    expect(resolveEndpoint({ region: 'us-east-1' }, 'bkt', 'k').host).toBe('bkt.s3.us-east-1.amazonaws.com');
    expectConfigError(() => resolveEndpoint({ endpoint: '', region: 'us-east-1' }, 'bkt', 'k'), 'InvalidEndpoint');
  });

  it('resolveEndpoint notices when the same config object is edited', () => {
    const config: { region: string; forcePathStyle?: boolean } = { region: 'us-east-1' };
    expect(resolveEndpoint(config, 'bkt', 'k').style).toBe('virtual-hosted');
    config.forcePathStyle = true;
    expect(resolveEndpoint(config, 'bkt', 'k').style).toBe('path');
    config.region = 'eu-west-1';
    expect(resolveEndpoint(config, 'bkt', 'k').host).toBe('s3.eu-west-1.amazonaws.com');
  });

  it('an EndpointResolver keeps the options it was built with', () => {
    const config: { region: string; forcePathStyle?: boolean } = { region: 'us-east-1' };
    const resolver = new EndpointResolver(config);
    config.forcePathStyle = true;
    expect(resolver.resolve('bkt', 'k').style).toBe('virtual-hosted');
  });

  it('styleFor reports the style a bucket gets', () => {
    const resolver = new EndpointResolver({ region: 'us-east-1' });
    expect(resolver.styleFor('my-bucket')).toBe('virtual-hosted');
    expect(resolver.styleFor('my.bucket')).toBe('path');
    expect(resolver.styleFor('My_Bucket')).toBe('path');
  });

  it('keeps resolving correctly for more buckets than it memoises', () => {
    const resolver = new EndpointResolver({ endpoint: 'https://s3.example.com', region: 'us-east-1', forcePathStyle: false });
    for (let i = 0; i < 2500; i++) {
      expect(resolver.resolve(`bucket-${i}`, 'k').url).toBe(`https://bucket-${i}.s3.example.com/k`);
    }
  });

  it('rejects an invalid bucket on every call, not only the first', () => {
    const resolver = new EndpointResolver({ region: 'us-east-1' });
    expectConfigError(() => resolver.resolve('a b', 'k'), 'InvalidBucketName');
    expectConfigError(() => resolver.resolve('a b', 'k'), 'InvalidBucketName');
  });
});

describe('defaultEndpoint (fixtures/endpoints.json)', () => {
  it.each(fixtures.defaultEndpoint)('$region → $endpoint', (c) => {
    expect(defaultEndpoint(c.region)).toBe(c.endpoint);
  });
});

describe('interpretRegion: pseudo-regions as the AWS SDKs map them (fixtures/endpoints.json)', () => {
  it.each(fixtures.interpretRegion)('$region', (c) => {
    expect(interpretRegion(c.region)).toEqual(c.expect);
  });

  it.each([
    ['my-base--usw2-az1--x-s3', 'S3 Express One Zone'],
    ['my-base--use1-lax1-az1--xa-s3', 'S3 Express'],
    ['myaccess-b8i4u3xl8a1nn5zwvtd5s2zxk7bg4usw2a--op-s3', 'S3 on Outposts'],
  ])('refusing %s names what is unsupported', (bucket, what) => {
    const err = configErrorFrom(() => resolveEndpoint({ region: 'us-west-2' }, bucket, 'k'));
    expect(err.code).toBe('UnsupportedBucket');
    expect(err.message).toContain(what);
    expect(err.message).toContain('not support');
  });
});

describe('regionFromEndpoint (fixtures/endpoints.json)', () => {
  it.each(fixtures.regionFromEndpoint)('$endpoint → $region', (c) => {
    expect(regionFromEndpoint(c.endpoint)).toBe(c.region ?? undefined);
  });

  it('throws InvalidEndpoint for a malformed endpoint', () => {
    expectConfigError(() => regionFromEndpoint('s3.amazonaws.com'), 'InvalidEndpoint');
  });
});
