/**
 * S3's XML: response parsers returning typed plain objects, and the three request bodies we build.
 * Element names and shapes follow the Amazon S3 API Reference,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_Operations_Amazon_Simple_Storage_Service.html
 */
import { createRequire } from 'node:module';
import type { EntityDecoderOptions, XMLParser } from 'fast-xml-parser';

/** The namespace S3 puts on every document it sends and expects on the ones it receives. */
export const S3_XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** A response body that is not the document its operation promises (truncated, wrong root, bad value). */
export class S3XmlError extends Error {
  override name = 'S3XmlError';
  readonly code = 'MalformedResponse';
  readonly retryable = false;
  /** The operation whose response this was, e.g. `ListObjectsV2`. */
  readonly operation: string;

  constructor(operation: string, message: string, options?: { cause?: unknown }) {
    super(`${operation}: ${message}`, options);
    this.operation = operation;
  }
}

// ---------------------------------------------------------------------------------------------
// Parser

// Elements that repeat. Listed by full path because a name can be a list in one document and a
// single leaf in another: `Bucket` is a list item in ListAllMyBucketsResult but the bucket name in
// ListPartsResult; `Error` is a list item in DeleteResult but the root of an error body.
const ARRAY_PATHS: ReadonlySet<string> = new Set([
  'ListBucketResult.Contents',
  'ListBucketResult.CommonPrefixes',
  'DeleteResult.Deleted',
  'DeleteResult.Error',
  'ListPartsResult.Part',
  'ListMultipartUploadsResult.Upload',
  'ListMultipartUploadsResult.CommonPrefixes',
  'ListAllMyBucketsResult.Buckets.Bucket',
  'Tagging.TagSet.Tag',
  'ListVersionsResult.Version',
  'ListVersionsResult.DeleteMarker',
  'ListVersionsResult.CommonPrefixes',
  'CORSConfiguration.CORSRule',
  'CORSConfiguration.CORSRule.AllowedOrigin',
  'CORSConfiguration.CORSRule.AllowedMethod',
  'CORSConfiguration.CORSRule.AllowedHeader',
  'CORSConfiguration.CORSRule.ExposeHeader',
]);

const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/**
 * XML's own entity rules, replacing fast-xml-parser's decoder, which leaves `&#13;` undecoded and
 * silently drops `&#1;`. S3 writes control characters in keys exactly that way ("carriage returns
 * … must be replaced with their equivalent XML entity code", see
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html#object-key-xml-related-constraints),
 * so both must decode. Internal DTD entities are ignored: S3 never declares any, and ignoring them
 * rules out entity-expansion attacks from a hostile endpoint.
 */
const xmlEntities: EntityDecoderOptions = {
  setExternalEntities: () => {},
  addInputEntities: () => {},
  reset: () => {},
  setXmlVersion: () => {},
  decode: (text) =>
    text.includes('&')
      ? text.replace(/&(?:#(\d+)|#x([0-9a-fA-F]+)|(lt|gt|amp|quot|apos));/g, (ref, dec?: string, hex?: string, name?: string) => {
          if (name !== undefined) return PREDEFINED[name] ?? ref;
          const cp = dec !== undefined ? Number.parseInt(dec, 10) : Number.parseInt(hex ?? '', 16);
          // NUL, surrogates and out-of-range values are not characters: keep the reference visible.
          if (cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return ref;
          return String.fromCodePoint(cp);
        })
      : text,
};

/**
 * A fast-xml-parser parser, the library loaded on demand, synchronously (its CommonJS build): a
 * client that only puts and gets never parses XML, so it never pays the ~70 ms of loading it.
 * Every module that parses XML (this one, STS credentials) builds its parser here, on first use.
 */
export function createXmlParser(options: ConstructorParameters<typeof XMLParser>[0]): XMLParser {
  const { XMLParser: Parser } = createRequire(import.meta.url)('fast-xml-parser') as typeof import('fast-xml-parser');
  return new Parser(options);
}

/** One parser, built on the first document parsed and reused (its options are compiled once). */
let parser: XMLParser | undefined;
function xmlParser(): XMLParser {
  parser ??= createXmlParser(PARSER_OPTIONS);
  return parser;
}

const PARSER_OPTIONS: ConstructorParameters<typeof XMLParser>[0] = {
  // S3 keeps data in elements only; the sole attribute it sends is xmlns.
  ignoreAttributes: true,
  // Values stay strings: keys "0012", "true" or "1e5" must not become numbers or booleans.
  parseTagValue: false,
  // Keys may begin or end with spaces; whitespace between elements lands in '#text', which we skip.
  trimValues: false,
  processEntities: true,
  entityDecoder: xmlEntities,
  ignoreDeclaration: true,
  ignorePiTags: true,
  isArray: (_name, jPath) => typeof jPath === 'string' && ARRAY_PATHS.has(jPath),
};

// ---------------------------------------------------------------------------------------------
// Narrowing the parser's output (typed `any` by the library) to what we read.

type XmlValue = string | XmlElement | XmlValue[];
interface XmlElement {
  [name: string]: XmlValue | undefined;
}

function isElement(v: unknown): v is XmlElement {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `<Buckets/>` and `<DeleteResult></DeleteResult>` parse to '': an element with no children. */
function asElement(v: unknown): XmlElement | undefined {
  if (isElement(v)) return v;
  return v === '' ? {} : undefined;
}

interface Document {
  root: string;
  body: XmlElement | string;
}

function parseDocument(xml: string, operation: string): Document {
  // S3 may send whitespace before the document to keep a long CompleteMultipartUpload or CopyObject
  // alive (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html).
  const text = xml.replace(/^\uFEFF/, '').trim();
  let doc: unknown;
  try {
    doc = xmlParser().parse(text);
  } catch (cause) {
    throw new S3XmlError(operation, `response is not well-formed XML (${errorMessage(cause)})`, { cause });
  }
  if (!isElement(doc)) throw new S3XmlError(operation, 'response is not XML');
  const roots = Object.keys(doc).filter((k) => k !== '#text');
  const root = roots[0];
  const body = root === undefined ? undefined : doc[root];
  if (root === undefined || roots.length > 1 || body === undefined || Array.isArray(body)) {
    throw new S3XmlError(operation, `expected one root element, got ${roots.length ? roots.join(', ') : 'none'}`);
  }
  // fast-xml-parser accepts a document cut short and returns what it read so far. A listing cut
  // after <IsTruncated>false</IsTruncated> would then silently lose keys, so require the end tag.
  const complete = /<\/([^\s>]+)\s*>$/.exec(text)?.[1] === root || (text.endsWith('/>') && body === '');
  if (!complete) throw new S3XmlError(operation, `response ends before </${root}> (truncated body?)`);
  return { root, body };
}

function readRoot(xml: string, operation: string, roots: readonly string[]): XmlElement {
  const { root, body } = parseDocument(xml, operation);
  if (!roots.includes(root)) {
    const code = root === 'Error' && isElement(body) ? text(body, 'Code') : undefined;
    const what = code ? `an error document (${code})` : `<${root}>`;
    throw new S3XmlError(operation, `expected <${roots.join('> or <')}>, got ${what}`);
  }
  return asElement(body) ?? {};
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function first(el: XmlElement, name: string): XmlValue | undefined {
  const v = el[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The text of a child element, exactly as sent (keys keep their spaces). */
function text(el: XmlElement, name: string): string | undefined {
  const v = first(el, name);
  return typeof v === 'string' ? v : undefined;
}

/** Text of a child element that is an identifier (code, ETag, token, number): trimmed, '' → absent. */
function token(el: XmlElement, name: string): string | undefined {
  const v = text(el, name)?.trim();
  return v === '' ? undefined : v;
}

function requireText(el: XmlElement, name: string, operation: string): string {
  const v = text(el, name);
  if (v === undefined) throw new S3XmlError(operation, `missing <${name}>`);
  return v;
}

function integer(el: XmlElement, name: string, operation: string): number | undefined {
  const v = token(el, name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) {
    throw new S3XmlError(operation, `<${name}> is not a non-negative integer: ${JSON.stringify(v)}`);
  }
  return Number(v);
}

function requireInteger(el: XmlElement, name: string, operation: string): number {
  const v = integer(el, name, operation);
  if (v === undefined) throw new S3XmlError(operation, `missing <${name}>`);
  return v;
}

function bool(el: XmlElement, name: string): boolean {
  return token(el, name)?.toLowerCase() === 'true';
}

function date(el: XmlElement, name: string, operation: string): Date | undefined {
  const v = token(el, name);
  if (v === undefined) return undefined;
  // S3 sends ISO 8601 in UTC ("2009-10-12T17:50:30.000Z"), but the CopyObject example in the API
  // reference has no zone designator; JavaScript would read that as local time.
  const iso = /^\d{4}-\d{2}-\d{2}T[\d:.]+$/.test(v) ? `${v}Z` : v;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) throw new S3XmlError(operation, `<${name}> is not a date: ${JSON.stringify(v)}`);
  return d;
}

function requireDate(el: XmlElement, name: string, operation: string): Date {
  const v = date(el, name, operation);
  if (v === undefined) throw new S3XmlError(operation, `missing <${name}>`);
  return v;
}

/** Child elements named `name`, as a list whether the parser made one or not. */
function elements(el: XmlElement, name: string, operation: string): XmlElement[] {
  const v = el[name];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).map((item) => {
    const child = asElement(item);
    if (!child) throw new S3XmlError(operation, `<${name}> has text where elements were expected`);
    return child;
  });
}

/**
 * With `encoding-type=url`, S3 percent-encodes keys, prefixes, delimiters and markers, and echoes
 * `<EncodingType>url</EncodingType>`. We decode only when it is echoed — as botocore does — because a
 * server that ignored the parameter sends raw keys, where decoding would corrupt '%' and '+'.
 * Spaces may arrive as '+' (form encoding); a literal '+' is always sent as %2B.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html#API_ListObjectsV2_ResponseSyntax
 */
function keyDecoder(root: XmlElement, operation: string): (s: string) => string {
  if (token(root, 'EncodingType')?.toLowerCase() !== 'url') return (s) => s;
  return (s) => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch (cause) {
      throw new S3XmlError(operation, `EncodingType is url but ${JSON.stringify(s)} is not percent-encoded`, { cause });
    }
  };
}

/** Sets `obj[name]` only when `value` is defined, so absent fields stay absent (not `undefined`). */
function put<T extends object, K extends keyof T>(obj: T, name: K, value: T[K] | undefined): void {
  if (value !== undefined) obj[name] = value;
}

// ---------------------------------------------------------------------------------------------
// Error bodies

/**
 * The fields of an S3 `<Error>` document. Known elements get camelCase names; every other text
 * element keeps its XML name (e.g. `Resource`, `AWSAccessKeyId`, `ServerTime`).
 * https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#RESTErrorResponses
 */
export interface S3ErrorFields {
  code?: string;
  message?: string;
  requestId?: string;
  hostId?: string;
  /** From AuthorizationHeaderMalformed and similar: the region the server expected. */
  region?: string;
  /** `<BucketName>` (NoSuchBucket) or `<Bucket>` (PermanentRedirect). */
  bucket?: string;
  key?: string;
  /** SignatureDoesNotMatch, AWS only: the server's canonical request and string to sign. */
  canonicalRequest?: string;
  stringToSign?: string;
  /** PermanentRedirect / TemporaryRedirect: the endpoint to use instead. */
  endpoint?: string;
  [extra: string]: string | undefined;
}

const ERROR_FIELD_NAMES: Readonly<Record<string, keyof S3ErrorFields>> = {
  Code: 'code',
  Message: 'message',
  RequestId: 'requestId',
  HostId: 'hostId',
  Region: 'region',
  BucketName: 'bucket',
  Bucket: 'bucket',
  Key: 'key',
  CanonicalRequest: 'canonicalRequest',
  StringToSign: 'stringToSign',
  Endpoint: 'endpoint',
};

// Free text where leading/trailing whitespace is part of the value.
const VERBATIM_ERROR_FIELDS: ReadonlySet<string> = new Set(['Key', 'CanonicalRequest', 'StringToSign']);

/**
 * Parses an S3 error body. Returns `undefined` for anything that is not one (empty body, HTML from
 * a proxy, a success document) and never throws: it runs on the error path.
 *
 * @example
 * parseError('<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>')
 * // { code: 'NoSuchKey', message: 'The specified key does not exist.' }
 */
export function parseError(xml: string): S3ErrorFields | undefined {
  let doc: Document;
  try {
    doc = parseDocument(xml, 'Error');
  } catch {
    return undefined;
  }
  // `<ErrorResponse><Error>…` is the query-protocol wrapping that some S3-compatible servers use.
  let body = asElement(doc.body);
  if (doc.root === 'ErrorResponse' && body) body = asElement(first(body, 'Error'));
  else if (doc.root !== 'Error') return undefined;
  if (!body) return undefined;
  return errorFields(body);
}

function errorFields(body: XmlElement): S3ErrorFields {
  const out: S3ErrorFields = {};
  for (const [name, raw] of Object.entries(body)) {
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (name === '#text' || typeof value !== 'string') continue;
    const v = VERBATIM_ERROR_FIELDS.has(name) ? value : value.trim();
    if (v === '') continue; // Ceph RGW sends <Message></Message>
    const known = ERROR_FIELD_NAMES[name];
    if (known === undefined) out[name] = v;
    else out[known] ??= v;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Listings

export interface ObjectSummary {
  key: string;
  size: number;
  /** As S3 sends it, quotes included: `"fba9dede5f27731c9771645a39863328"`. */
  etag: string;
  lastModified: Date;
  storageClass?: string;
}

export interface ListObjectsV2Result {
  contents: ObjectSummary[];
  commonPrefixes: string[];
  isTruncated: boolean;
  /** Opaque; pass back as `continuation-token`. Never URL-decoded. */
  nextContinuationToken?: string;
  keyCount: number;
  prefix?: string;
  delimiter?: string;
  startAfter?: string;
}

/**
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
 * Keys are URL-decoded when the response says `<EncodingType>url</EncodingType>` (send
 * `encoding-type=url` so keys with control characters survive XML).
 */
export function parseListObjectsV2(xml: string): ListObjectsV2Result {
  const op = 'ListObjectsV2';
  const root = readRoot(xml, op, ['ListBucketResult']);
  const decode = keyDecoder(root, op);
  const contents = elements(root, 'Contents', op).map((c): ObjectSummary => {
    const item: ObjectSummary = {
      key: decode(requireText(c, 'Key', op)),
      size: requireInteger(c, 'Size', op),
      // Some S3-compatible servers omit the ETag of objects they did not checksum.
      etag: token(c, 'ETag') ?? '',
      lastModified: requireDate(c, 'LastModified', op),
    };
    put(item, 'storageClass', token(c, 'StorageClass'));
    return item;
  });
  const commonPrefixes = elements(root, 'CommonPrefixes', op).map((p) => decode(requireText(p, 'Prefix', op)));
  const result: ListObjectsV2Result = {
    contents,
    commonPrefixes,
    isTruncated: bool(root, 'IsTruncated'),
    keyCount: integer(root, 'KeyCount', op) ?? contents.length + commonPrefixes.length,
  };
  put(result, 'nextContinuationToken', token(root, 'NextContinuationToken'));
  for (const [field, name] of [['prefix', 'Prefix'], ['delimiter', 'Delimiter'], ['startAfter', 'StartAfter']] as const) {
    const v = text(root, name);
    if (v) result[field] = decode(v);
  }
  return result;
}

export interface DeleteResult {
  deleted: string[];
  errors: { key: string; code: string; message: string }[];
}

/** https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html */
export function parseDeleteResult(xml: string): DeleteResult {
  const op = 'DeleteObjects';
  const root = readRoot(xml, op, ['DeleteResult']);
  return {
    deleted: elements(root, 'Deleted', op).map((d) => requireText(d, 'Key', op)),
    errors: elements(root, 'Error', op).map((e) => ({
      key: requireText(e, 'Key', op),
      code: token(e, 'Code') ?? 'Unknown',
      message: text(e, 'Message')?.trim() ?? '',
    })),
  };
}

export interface MultipartUploadSummary {
  key: string;
  uploadId: string;
  initiated: Date;
}

export interface ListMultipartUploadsResult {
  uploads: MultipartUploadSummary[];
  commonPrefixes: string[];
  isTruncated: boolean;
  nextKeyMarker?: string;
  nextUploadIdMarker?: string;
}

/** https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListMultipartUploads.html */
export function parseListMultipartUploads(xml: string): ListMultipartUploadsResult {
  const op = 'ListMultipartUploads';
  const root = readRoot(xml, op, ['ListMultipartUploadsResult']);
  const decode = keyDecoder(root, op);
  const result: ListMultipartUploadsResult = {
    uploads: elements(root, 'Upload', op).map((u) => ({
      key: decode(requireText(u, 'Key', op)),
      uploadId: requireText(u, 'UploadId', op).trim(),
      initiated: requireDate(u, 'Initiated', op),
    })),
    commonPrefixes: elements(root, 'CommonPrefixes', op).map((p) => decode(requireText(p, 'Prefix', op))),
    isTruncated: bool(root, 'IsTruncated'),
  };
  const nextKeyMarker = text(root, 'NextKeyMarker');
  if (nextKeyMarker) result.nextKeyMarker = decode(nextKeyMarker);
  put(result, 'nextUploadIdMarker', token(root, 'NextUploadIdMarker'));
  return result;
}

export interface PartSummary {
  partNumber: number;
  etag: string;
  size: number;
  lastModified: Date;
}

export interface ListPartsResult {
  bucket?: string;
  key?: string;
  uploadId?: string;
  parts: PartSummary[];
  isTruncated: boolean;
  nextPartNumberMarker?: number;
  maxParts?: number;
}

/** https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListParts.html */
export function parseListParts(xml: string): ListPartsResult {
  const op = 'ListParts';
  const root = readRoot(xml, op, ['ListPartsResult']);
  const result: ListPartsResult = {
    parts: elements(root, 'Part', op).map((p) => ({
      partNumber: requireInteger(p, 'PartNumber', op),
      etag: token(p, 'ETag') ?? '',
      size: requireInteger(p, 'Size', op),
      lastModified: requireDate(p, 'LastModified', op),
    })),
    isTruncated: bool(root, 'IsTruncated'),
  };
  put(result, 'bucket', token(root, 'Bucket'));
  put(result, 'key', text(root, 'Key'));
  put(result, 'uploadId', token(root, 'UploadId'));
  put(result, 'nextPartNumberMarker', integer(root, 'NextPartNumberMarker', op));
  put(result, 'maxParts', integer(root, 'MaxParts', op));
  return result;
}

export interface BucketSummary {
  name: string;
  creationDate: Date;
  /** Sent by AWS since 2024 (`<BucketRegion>`). */
  region?: string;
}

export interface ListBucketsResult {
  buckets: BucketSummary[];
  continuationToken?: string;
}

/** https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListBuckets.html */
export function parseListBuckets(xml: string): ListBucketsResult {
  const op = 'ListBuckets';
  const root = readRoot(xml, op, ['ListAllMyBucketsResult']);
  const list = asElement(first(root, 'Buckets')) ?? {};
  const result: ListBucketsResult = {
    buckets: elements(list, 'Bucket', op).map((b) => {
      const bucket: BucketSummary = {
        name: requireText(b, 'Name', op).trim(),
        creationDate: requireDate(b, 'CreationDate', op),
      };
      put(bucket, 'region', token(b, 'BucketRegion'));
      return bucket;
    }),
  };
  put(result, 'continuationToken', token(root, 'ContinuationToken'));
  return result;
}

/**
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketLocation.html
 * "Buckets in Region us-east-1 have a LocationConstraint of null", sent as an empty element; "EU"
 * is the legacy name of eu-west-1.
 */
export function parseLocationConstraint(xml: string): string {
  const op = 'GetBucketLocation';
  const { root, body } = parseDocument(xml, op);
  if (root !== 'LocationConstraint' || typeof body !== 'string') {
    throw new S3XmlError(op, `expected <LocationConstraint>, got <${root}>`);
  }
  const region = body.trim();
  if (region === '') return 'us-east-1';
  if (region === 'EU') return 'eu-west-1';
  return region;
}

// ---------------------------------------------------------------------------------------------
// Bucket CORS

/** One CORS rule of a bucket. https://docs.aws.amazon.com/AmazonS3/latest/API/API_CORSRule.html */
export interface CorsRule {
  /** Origins allowed to send cross-origin requests, e.g. `https://app.example.com`; each may hold one `*`. */
  allowedOrigins: string[];
  /** Methods those origins may use: `GET`, `PUT`, `POST`, `DELETE`, `HEAD`. */
  allowedMethods: string[];
  /** Request headers a preflight may ask for (`Access-Control-Request-Headers`); each may hold one `*`. */
  allowedHeaders?: string[];
  /** Response headers the browser's script may read, e.g. `ETag` (needed to complete a multipart upload). */
  exposeHeaders?: string[];
  /** How long the browser may cache the preflight answer, in seconds. */
  maxAgeSeconds?: number;
  /** A name for the rule (at most 255 characters). */
  id?: string;
}

/** https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketCors.html */
export function parseCorsConfiguration(xml: string): CorsRule[] {
  const op = 'GetBucketCors';
  const root = readRoot(xml, op, ['CORSConfiguration']);
  const texts = (rule: XmlElement, name: string): string[] => {
    const v = rule[name];
    if (v === undefined) return [];
    return (Array.isArray(v) ? v : [v]).map((item) => {
      if (typeof item !== 'string') throw new S3XmlError(op, `<${name}> has elements where text was expected`);
      return item.trim();
    });
  };
  return elements(root, 'CORSRule', op).map((r) => {
    const rule: CorsRule = { allowedOrigins: texts(r, 'AllowedOrigin'), allowedMethods: texts(r, 'AllowedMethod') };
    const allowedHeaders = texts(r, 'AllowedHeader');
    if (allowedHeaders.length) rule.allowedHeaders = allowedHeaders;
    const exposeHeaders = texts(r, 'ExposeHeader');
    if (exposeHeaders.length) rule.exposeHeaders = exposeHeaders;
    put(rule, 'maxAgeSeconds', integer(r, 'MaxAgeSeconds', op));
    put(rule, 'id', token(r, 'ID'));
    return rule;
  });
}

// ---------------------------------------------------------------------------------------------
// Results that may be an error inside a 200

/**
 * CopyObject, UploadPartCopy and CompleteMultipartUpload answer 200 before they finish, so a
 * failure arrives as an `<Error>` document in a 200 response. Callers must check for `error` (and
 * can build an S3Error with `S3Error.fromResponse({ statusCode: 200, body, … })`).
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html#API_CopyObject_ResponseSyntax
 */
export interface EmbeddedError {
  error: S3ErrorFields;
}

function embeddedError(doc: Document): EmbeddedError | undefined {
  if (doc.root !== 'Error') return undefined;
  return { error: errorFields(asElement(doc.body) ?? {}) };
}

function expectRoot(doc: Document, operation: string, roots: readonly string[]): XmlElement {
  if (!roots.includes(doc.root)) {
    throw new S3XmlError(operation, `expected <${roots.join('> or <')}>, got <${doc.root}>`);
  }
  return asElement(doc.body) ?? {};
}

export interface CopyObjectResult {
  etag: string;
  lastModified?: Date;
}

/** CopyObject (`<CopyObjectResult>`) and UploadPartCopy (`<CopyPartResult>`). */
export function parseCopyObjectResult(xml: string): CopyObjectResult | EmbeddedError {
  const op = 'CopyObject';
  const doc = parseDocument(xml, op);
  const failed = embeddedError(doc);
  if (failed) return failed;
  const root = expectRoot(doc, op, ['CopyObjectResult', 'CopyPartResult']);
  const result: CopyObjectResult = { etag: token(root, 'ETag') ?? '' };
  put(result, 'lastModified', date(root, 'LastModified', op));
  return result;
}

export interface InitiateMultipartUploadResult {
  uploadId: string;
  bucket?: string;
  key?: string;
}

/** https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateMultipartUpload.html */
export function parseInitiateMultipartUpload(xml: string): InitiateMultipartUploadResult {
  const op = 'CreateMultipartUpload';
  const root = readRoot(xml, op, ['InitiateMultipartUploadResult']);
  const uploadId = token(root, 'UploadId');
  if (uploadId === undefined) throw new S3XmlError(op, 'missing <UploadId>');
  const result: InitiateMultipartUploadResult = { uploadId };
  put(result, 'bucket', token(root, 'Bucket'));
  put(result, 'key', text(root, 'Key'));
  return result;
}

export interface CompleteMultipartUploadResult {
  /** '' when the server sends none (Ceph RGW sends `<ETag></ETag>`); HEAD the object if needed. */
  etag: string;
  location?: string;
  bucket?: string;
  key?: string;
}

/** https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html */
export function parseCompleteMultipartUpload(xml: string): CompleteMultipartUploadResult | EmbeddedError {
  const op = 'CompleteMultipartUpload';
  const doc = parseDocument(xml, op);
  const failed = embeddedError(doc);
  if (failed) return failed;
  const root = expectRoot(doc, op, ['CompleteMultipartUploadResult']);
  const result: CompleteMultipartUploadResult = { etag: token(root, 'ETag') ?? '' };
  put(result, 'location', token(root, 'Location'));
  put(result, 'bucket', token(root, 'Bucket'));
  put(result, 'key', text(root, 'Key'));
  return result;
}

// ---------------------------------------------------------------------------------------------
// Request bodies

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

/**
 * Escapes text for an XML element. Besides the five markup characters, control characters become
 * numeric references: S3 requires it for CR and LF, which XML parsers would otherwise normalise
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html#object-key-xml-related-constraints).
 */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"'\u0000-\u001f\u007f]/g, (c) => {
    switch (c) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      case "'":
        return '&apos;';
      default:
        return `&#${c.charCodeAt(0)};`;
    }
  });
}

/** S3 limit per DeleteObjects request. https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html */
export const MAX_DELETE_KEYS = 1000;

/**
 * The DeleteObjects body. With `quiet`, S3 reports only the keys it failed to delete.
 *
 * @example
 * buildDeleteObjects(['a&b.txt'], true)
 * // '<?xml …?>\n<Delete xmlns="…"><Quiet>true</Quiet><Object><Key>a&amp;b.txt</Key></Object></Delete>'
 */
export function buildDeleteObjects(keys: readonly string[], quiet: boolean): string {
  if (keys.length === 0 || keys.length > MAX_DELETE_KEYS) {
    throw new RangeError(`DeleteObjects takes 1 to ${MAX_DELETE_KEYS} keys per request, got ${keys.length}`);
  }
  const objects = keys.map((k) => `<Object><Key>${escapeXml(k)}</Key></Object>`).join('');
  return `${XML_DECLARATION}<Delete xmlns="${S3_XMLNS}">${quiet ? '<Quiet>true</Quiet>' : ''}${objects}</Delete>`;
}

/** S3 part numbers. https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html */
export const MAX_PART_NUMBER = 10_000;

/**
 * The CompleteMultipartUpload body. Parts are sorted by number (S3 rejects any other order with
 * InvalidPartOrder); numbers must be unique integers 1…10000.
 */
export function buildCompleteMultipartUpload(
  parts: readonly { partNumber: number; etag: string; checksum?: string | undefined }[],
  checksumAlgorithm?: string,
): string {
  if (parts.length === 0) throw new RangeError('CompleteMultipartUpload needs at least one part');
  const sorted = [...parts].sort((a, b) => a.partNumber - b.partNumber);
  let previous = 0;
  for (const { partNumber } of sorted) {
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > MAX_PART_NUMBER) {
      throw new RangeError(`part number must be an integer from 1 to ${MAX_PART_NUMBER}, got ${partNumber}`);
    }
    if (partNumber === previous) throw new RangeError(`part number ${partNumber} is listed twice`);
    previous = partNumber;
  }
  const body = sorted
    .map((p) => {
      // Each part's checksum, when the upload has an algorithm: <ChecksumCRC32C>…</ChecksumCRC32C>.
      const element = checksumAlgorithm && p.checksum ? `Checksum${checksumAlgorithm}` : undefined;
      const checksum = element ? `<${element}>${escapeXml(p.checksum ?? '')}</${element}>` : '';
      return `<Part><PartNumber>${p.partNumber}</PartNumber><ETag>${escapeXml(p.etag)}</ETag>${checksum}</Part>`;
    })
    .join('');
  return `${XML_DECLARATION}<CompleteMultipartUpload xmlns="${S3_XMLNS}">${body}</CompleteMultipartUpload>`;
}

/**
 * The CreateBucket body: empty for us-east-1, where a LocationConstraint is an error
 * (InvalidLocationConstraint). https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html
 */
export function buildCreateBucketConfiguration(region: string): string {
  if (region === '' || region === 'us-east-1') return '';
  return (
    `${XML_DECLARATION}<CreateBucketConfiguration xmlns="${S3_XMLNS}">` +
    `<LocationConstraint>${escapeXml(region)}</LocationConstraint></CreateBucketConfiguration>`
  );
}

// ---------------------------------------------------------------------------------------------
// Tagging and versioning

/** https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObjectTagging.html */
export function parseTagging(xml: string): Record<string, string> {
  const op = 'GetObjectTagging';
  const root = readRoot(xml, op, ['Tagging']);
  const tags: Record<string, string> = {};
  for (const tag of elements(asElement(first(root, 'TagSet')) ?? {}, 'Tag', op)) {
    tags[requireText(tag, 'Key', op)] = text(tag, 'Value') ?? '';
  }
  return tags;
}

/** The PutObjectTagging body. https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObjectTagging.html */
export function buildTagging(tags: Readonly<Record<string, string>>): string {
  const set = Object.entries(tags)
    .map(([key, value]) => `<Tag><Key>${escapeXml(key)}</Key><Value>${escapeXml(value)}</Value></Tag>`)
    .join('');
  return `${XML_DECLARATION}<Tagging xmlns="${S3_XMLNS}"><TagSet>${set}</TagSet></Tagging>`;
}

/** https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketVersioning.html */
export function buildVersioningConfiguration(status: 'Enabled' | 'Suspended'): string {
  return `${XML_DECLARATION}<VersioningConfiguration xmlns="${S3_XMLNS}"><Status>${status}</Status></VersioningConfiguration>`;
}

/** undefined: versioning was never turned on. https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketVersioning.html */
export function parseVersioningConfiguration(xml: string): 'Enabled' | 'Suspended' | undefined {
  const op = 'GetBucketVersioning';
  const status = token(readRoot(xml, op, ['VersioningConfiguration']), 'Status');
  if (status === undefined) return undefined;
  if (status === 'Enabled' || status === 'Suspended') return status;
  throw new S3XmlError(op, `<Status> is neither Enabled nor Suspended: ${JSON.stringify(status)}`);
}

export interface ObjectVersionSummary {
  key: string;
  versionId: string;
  isLatest: boolean;
  deleteMarker: boolean;
  lastModified: Date;
  /** 0 for delete markers. */
  size: number;
  /** '' for delete markers. */
  etag: string;
}

export interface ListVersionsResult {
  versions: ObjectVersionSummary[];
  commonPrefixes: string[];
  isTruncated: boolean;
  nextKeyMarker?: string;
  nextVersionIdMarker?: string;
}

function utf8Order(a: string, b: string): number {
  return a === b ? 0 : Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/**
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectVersions.html
 * S3 interleaves <Version> and <DeleteMarker> in listing order (keys in UTF-8 order, each key's
 * newest first); the parser groups elements by name, so that order is restored here.
 */
export function parseListObjectVersions(xml: string): ListVersionsResult {
  const op = 'ListObjectVersions';
  const root = readRoot(xml, op, ['ListVersionsResult']);
  const decode = keyDecoder(root, op);
  const read = (el: XmlElement, deleteMarker: boolean): ObjectVersionSummary => ({
    key: decode(requireText(el, 'Key', op)),
    // Objects written before versioning was enabled have the version id "null".
    versionId: token(el, 'VersionId') ?? 'null',
    isLatest: bool(el, 'IsLatest'),
    deleteMarker,
    lastModified: requireDate(el, 'LastModified', op),
    size: deleteMarker ? 0 : requireInteger(el, 'Size', op),
    etag: deleteMarker ? '' : (token(el, 'ETag') ?? ''),
  });
  const versions = [
    ...elements(root, 'Version', op).map((v) => read(v, false)),
    ...elements(root, 'DeleteMarker', op).map((v) => read(v, true)),
  ].sort(
    (a, b) =>
      utf8Order(a.key, b.key) || Number(b.isLatest) - Number(a.isLatest) || b.lastModified.getTime() - a.lastModified.getTime(),
  );
  const result: ListVersionsResult = {
    versions,
    commonPrefixes: elements(root, 'CommonPrefixes', op).map((p) => decode(requireText(p, 'Prefix', op))),
    isTruncated: bool(root, 'IsTruncated'),
  };
  const nextKeyMarker = text(root, 'NextKeyMarker');
  if (nextKeyMarker) result.nextKeyMarker = decode(nextKeyMarker);
  put(result, 'nextVersionIdMarker', token(root, 'NextVersionIdMarker'));
  return result;
}

/**
 * The PutBucketCors body, elements in the order of S3's schema.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketCors.html
 */
export function buildCorsConfiguration(rules: readonly CorsRule[]): string {
  const list = (name: string, values: readonly string[] | undefined): string =>
    (values ?? []).map((v) => `<${name}>${escapeXml(v)}</${name}>`).join('');
  const body = rules
    .map(
      (r) =>
        '<CORSRule>' +
        (r.id !== undefined ? `<ID>${escapeXml(r.id)}</ID>` : '') +
        list('AllowedHeader', r.allowedHeaders) +
        list('AllowedMethod', r.allowedMethods) +
        list('AllowedOrigin', r.allowedOrigins) +
        list('ExposeHeader', r.exposeHeaders) +
        (r.maxAgeSeconds !== undefined ? `<MaxAgeSeconds>${r.maxAgeSeconds}</MaxAgeSeconds>` : '') +
        '</CORSRule>',
    )
    .join('');
  return `${XML_DECLARATION}<CORSConfiguration xmlns="${S3_XMLNS}">${body}</CORSConfiguration>`;
}
