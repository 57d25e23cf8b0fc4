import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import {
  buildCompleteMultipartUpload,
  buildCorsConfiguration,
  buildCreateBucketConfiguration,
  buildDeleteObjects,
  escapeXml,
  parseCompleteMultipartUpload,
  parseCopyObjectResult,
  parseCorsConfiguration,
  parseDeleteResult,
  parseError,
  parseInitiateMultipartUpload,
  parseListBuckets,
  parseListMultipartUploads,
  parseListObjectsV2,
  parseListParts,
  parseLocationConstraint,
  S3XmlError,
} from '../../src/s3/xml.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'xml');

const PARSERS: Record<string, (xml: string) => unknown> = {
  'list-objects-v2': parseListObjectsV2,
  'delete-result': parseDeleteResult,
  'copy-object': parseCopyObjectResult,
  'initiate-multipart-upload': parseInitiateMultipartUpload,
  'complete-multipart-upload': parseCompleteMultipartUpload,
  'list-parts': parseListParts,
  'list-multipart-uploads': parseListMultipartUploads,
  'list-buckets': parseListBuckets,
  'location-constraint': parseLocationConstraint,
  'cors-configuration': (xml) => ({ rules: parseCorsConfiguration(xml) }),
  error: (xml) => parseError(xml) ?? null,
};

function cases(dir: string): { name: string; xml: string; expected: unknown }[] {
  return readdirSync(join(FIXTURES, dir))
    .filter((f) => f.endsWith('.xml'))
    .sort()
    .map((f) => {
      const name = f.slice(0, -'.xml'.length);
      return {
        name,
        xml: readFileSync(join(FIXTURES, dir, f), 'utf8'),
        expected: JSON.parse(readFileSync(join(FIXTURES, dir, `${name}.json`), 'utf8')) as unknown,
      };
    });
}

function throwsCode(expected: unknown): string | undefined {
  if (typeof expected !== 'object' || expected === null || !('$throws' in expected)) return undefined;
  return String(expected.$throws);
}

describe('every fixture directory has a parser', () => {
  it('maps each directory of test/fixtures/xml to a parser', () => {
    const dirs = readdirSync(FIXTURES, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    expect(dirs.sort()).toEqual(Object.keys(PARSERS).sort());
  });
});

for (const [dir, parse] of Object.entries(PARSERS)) {
  describe(`${dir} fixtures`, () => {
    for (const c of cases(dir)) {
      const code = throwsCode(c.expected);
      if (code !== undefined) {
        it(`${c.name}: throws ${code}`, () => {
          expect(() => parse(c.xml)).toThrow(expect.objectContaining({ code }) as Error);
        });
      } else {
        it(`${c.name}: parses to ${c.name}.json`, () => {
          expect(JSON.parse(JSON.stringify(parse(c.xml))) as unknown).toEqual(c.expected);
        });
      }
    }
  });
}

describe('parser configuration', () => {
  it('keeps values such as "0012", "true" and "1e5" as strings', () => {
    const keys = parseListObjectsV2(readFileSync(join(FIXTURES, 'list-objects-v2', 'awkward-keys.xml'), 'utf8')).contents.map(
      (c) => c.key,
    );
    expect(keys.slice(0, 3)).toEqual(['0012', 'true', '1e5']);
  });

  it('returns Date objects and numbers for dates and sizes', () => {
    const r = parseListObjectsV2(readFileSync(join(FIXTURES, 'list-objects-v2', 'aws-doc-example.xml'), 'utf8'));
    expect(r.contents[0]?.lastModified).toBeInstanceOf(Date);
    expect(r.contents[0]?.size).toBe(434234);
  });

  it('reads a single <Contents> as a one-element list and `Bucket` as a leaf outside ListBuckets', () => {
    const parts = parseListParts(readFileSync(join(FIXTURES, 'list-parts', 'single-part.xml'), 'utf8'));
    expect(parts.parts).toHaveLength(1);
    expect(parts.bucket).toBe('b');
  });

  it('decodes numeric character references, which fast-xml-parser leaves or drops by default', () => {
    const xml = '<DeleteResult><Deleted><Key>a&#13;b&#x0A;c&#1;d&#x1F;e</Key></Deleted></DeleteResult>';
    expect(parseDeleteResult(xml).deleted).toEqual(['a\rb\nc\u0001d\u001fe']);
    // The library default, for the record: this is why xml.ts brings its own entity decoder.
    const stock = new XMLParser({ parseTagValue: false }).parse('<a>x&#13;y&#1;z</a>') as { a: string };
    expect(stock.a).not.toBe('x\ry\u0001z');
  });

  it('does not expand entities declared in a DOCTYPE (no entity-expansion attack from a hostile endpoint)', () => {
    const xml =
      '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>' +
      '<DeleteResult><Deleted><Key>&b;</Key></Deleted></DeleteResult>';
    expect(parseDeleteResult(xml).deleted).toEqual(['&b;']);
  });

  it('rejects a body cut before its closing root tag', () => {
    expect(() => parseListBuckets('<ListAllMyBucketsResult><Buckets><Bucket><Name>a</Name>')).toThrow(S3XmlError);
    expect(() => parseListBuckets('<ListAllMyBucketsResult><Buckets/>')).toThrow(/truncated/);
  });

  it('rejects a document with the wrong root, naming both', () => {
    expect(() => parseListParts('<ListBucketResult></ListBucketResult>')).toThrow(
      /ListParts: expected <ListPartsResult>, got <ListBucketResult>/,
    );
  });

  it('rejects non-numeric sizes and unparseable dates instead of returning NaN', () => {
    const body = (size: string, date: string) =>
      `<ListBucketResult><Contents><Key>k</Key><Size>${size}</Size><LastModified>${date}</LastModified></Contents></ListBucketResult>`;
    expect(() => parseListObjectsV2(body('12x', '2024-01-01T00:00:00Z'))).toThrow(/<Size> is not a non-negative integer/);
    expect(() => parseListObjectsV2(body('1', 'yesterday'))).toThrow(/<LastModified> is not a date/);
  });

  it('rejects EncodingType=url with a key that is not percent-encoded', () => {
    const xml =
      '<ListBucketResult><EncodingType>url</EncodingType><Contents><Key>100%</Key><Size>1</Size>' +
      '<LastModified>2024-01-01T00:00:00Z</LastModified></Contents></ListBucketResult>';
    expect(() => parseListObjectsV2(xml)).toThrow(S3XmlError);
  });
});

describe('parseError', () => {
  it('never throws, whatever the body', () => {
    for (const body of ['', 'garbage', '<Error><Code>X</Code>', '<__proto__>x</__proto__>', '<a><b></a>']) {
      expect(() => parseError(body)).not.toThrow();
    }
  });

  it('reads the <ErrorResponse><Error> wrapping some S3-compatible servers use', () => {
    expect(parseError('<ErrorResponse><Error><Code>Throttling</Code><Message>Rate exceeded</Message></Error></ErrorResponse>')).toEqual({
      code: 'Throttling',
      message: 'Rate exceeded',
    });
  });

  it('keeps the canonical request verbatim, line breaks included', () => {
    const fields = parseError(readFileSync(join(FIXTURES, 'error', 'signature-does-not-match.xml'), 'utf8'));
    expect(fields?.canonicalRequest?.split('\n')).toHaveLength(10);
  });

  it('fixtures: each string to sign ends in the SHA-256 of its canonical request, and *Bytes are their hex', () => {
    for (const name of ['signature-does-not-match', 'signature-does-not-match-session-token']) {
      const f = parseError(readFileSync(join(FIXTURES, 'error', `${name}.xml`), 'utf8'));
      const creq = f?.canonicalRequest ?? '';
      const sts = f?.stringToSign ?? '';
      expect(sts.split('\n')[3]).toBe(createHash('sha256').update(creq).digest('hex'));
      expect(f?.StringToSignBytes).toBe(Buffer.from(sts).toString('hex').replace(/(..)(?!$)/g, '$1 '));
      expect(f?.CanonicalRequestBytes).toBe(Buffer.from(creq).toString('hex').replace(/(..)(?!$)/g, '$1 '));
    }
  });
});

describe('buildDeleteObjects', () => {
  const parseBody = (xml: string) => new XMLParser({ parseTagValue: false, trimValues: false }).parse(xml) as unknown;

  it('writes the documented Delete document, Quiet only when asked', () => {
    expect(buildDeleteObjects(['sample1.txt', 'sample2.txt'], true)).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Quiet>true</Quiet>' +
        '<Object><Key>sample1.txt</Key></Object><Object><Key>sample2.txt</Key></Object></Delete>',
    );
    expect(buildDeleteObjects(['a'], false)).not.toContain('Quiet');
  });

  it.each([
    ['markup characters', `Tom & Jerry's <"best">`, 'Tom &amp; Jerry&apos;s &lt;&quot;best&quot;&gt;'],
    ['carriage return and line feed', 'a\rb\nc', 'a&#13;b&#10;c'],
    ['tab and other control characters', 'a\tb\u0001c\u007f', 'a&#9;b&#1;c&#127;'],
    ['non-ASCII', '日本語 😀', '日本語 😀'],
  ])('escapes %s', (_what, key, escaped) => {
    expect(buildDeleteObjects([key], false)).toContain(`<Key>${escaped}</Key>`);
  });

  it('round-trips awkward keys through our own parser', () => {
    const keys = ['0012', ' padded ', 'a&b', '<x>', 'cr\rlf\n', 'q"\'', 'ctl\u0001'];
    const body = buildDeleteObjects(keys, false).replace('<Delete', '<DeleteResult').replace('</Delete>', '</DeleteResult>');
    expect(parseDeleteResult(body.replaceAll('<Object>', '<Deleted>').replaceAll('</Object>', '</Deleted>')).deleted).toEqual(keys);
  });

  it('produces well-formed XML', () => {
    expect(parseBody(buildDeleteObjects(['a&b'], true))).toHaveProperty('Delete');
  });

  it('refuses an empty list and more than 1000 keys', () => {
    expect(() => buildDeleteObjects([], false)).toThrow(RangeError);
    expect(() => buildDeleteObjects(Array.from({ length: 1001 }, (_, i) => `k${i}`), false)).toThrow(/1 to 1000 keys/);
    expect(() => buildDeleteObjects(Array.from({ length: 1000 }, (_, i) => `k${i}`), false)).not.toThrow();
  });
});

describe('buildCompleteMultipartUpload', () => {
  it('writes parts in ascending order with escaped ETags', () => {
    expect(
      buildCompleteMultipartUpload([
        { partNumber: 2, etag: '"aaaa18db4cc2f85cedef654fccc4a4x8"' },
        { partNumber: 1, etag: '"7778aef83f66abc1fa1e8477f296d394"' },
      ]),
    ).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
        '<Part><PartNumber>1</PartNumber><ETag>&quot;7778aef83f66abc1fa1e8477f296d394&quot;</ETag></Part>' +
        '<Part><PartNumber>2</PartNumber><ETag>&quot;aaaa18db4cc2f85cedef654fccc4a4x8&quot;</ETag></Part>' +
        '</CompleteMultipartUpload>',
    );
  });

  it.each([
    ['no parts', []],
    ['part number 0', [{ partNumber: 0, etag: 'x' }]],
    ['part number 10001', [{ partNumber: 10_001, etag: 'x' }]],
    ['a fractional part number', [{ partNumber: 1.5, etag: 'x' }]],
    ['a duplicate part number', [{ partNumber: 3, etag: 'x' }, { partNumber: 3, etag: 'y' }]],
  ])('refuses %s', (_what, parts) => {
    expect(() => buildCompleteMultipartUpload(parts)).toThrow(RangeError);
  });
});

describe('buildCreateBucketConfiguration', () => {
  it('is empty for us-east-1, where a LocationConstraint is an error', () => {
    expect(buildCreateBucketConfiguration('us-east-1')).toBe('');
  });

  it('names the region otherwise', () => {
    expect(buildCreateBucketConfiguration('eu-west-1')).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
        '<LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>',
    );
  });
});

describe('buildCorsConfiguration', () => {
  it('writes the elements of each rule in the order of S3\'s schema', () => {
    expect(
      buildCorsConfiguration([
        { id: 'app', allowedOrigins: ['https://app.example'], allowedMethods: ['PUT', 'POST'], allowedHeaders: ['*'], exposeHeaders: ['ETag'], maxAgeSeconds: 600 },
      ]),
    ).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><CORSRule>' +
        '<ID>app</ID><AllowedHeader>*</AllowedHeader><AllowedMethod>PUT</AllowedMethod><AllowedMethod>POST</AllowedMethod>' +
        '<AllowedOrigin>https://app.example</AllowedOrigin><ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>600</MaxAgeSeconds>' +
        '</CORSRule></CORSConfiguration>',
    );
  });

  it('round-trips rules, optional fields absent and markup escaped, through parseCorsConfiguration', () => {
    const rules = [
      { allowedOrigins: ['https://a.example', 'http://*.b.example'], allowedMethods: ['GET'] },
      { id: 'x & <y>', allowedOrigins: ['*'], allowedMethods: ['HEAD', 'DELETE'], exposeHeaders: ['x-amz-version-id'], maxAgeSeconds: 0 },
    ];
    expect(parseCorsConfiguration(buildCorsConfiguration(rules))).toEqual(rules);
  });
});

describe('escapeXml', () => {
  it('leaves plain text alone', () => {
    expect(escapeXml('photos/2024/a-b_c.d~e.jpg')).toBe('photos/2024/a-b_c.d~e.jpg');
  });
});
