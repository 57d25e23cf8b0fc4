/**
 * Bucket CORS: PutBucketCors, GetBucketCors, DeleteBucketCors. A browser may only send a page's
 * requests straight to the bucket (presigned PUTs, POST policies) when the bucket has a CORS rule
 * for the page's origin; without one the browser refuses before anything reaches the store.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/cors.html
 */
import type { CallOptions } from '../deadline.js';
import { createHash } from 'node:crypto';
import { bytesBody } from '../body.js';
import { S3ConfigError } from '../config-error.js';
import { S3Error } from '../errors.js';
import { readHead, readText, type RequestPipeline } from '../pipeline.js';
import { buildCorsConfiguration, parseCorsConfiguration, type CorsRule } from '../xml.js';

export type { CorsRule } from '../xml.js';

export interface PutBucketCorsInput extends CallOptions {
  bucket?: string;
  /** 1 to 100 rules; S3 applies the first that matches a request's origin, method and headers. */
  rules: readonly CorsRule[];
}

export interface GetBucketCorsOutput {
  /** The bucket's rules, in order; empty when the bucket has no CORS configuration. */
  rules: CorsRule[];
}

/** S3's limits: https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketCors.html */
const MAX_RULES = 100;
const MAX_CONFIGURATION_BYTES = 64 * 1024;
const MAX_ID_LENGTH = 255;
const CORS_METHODS: ReadonlySet<string> = new Set(['GET', 'PUT', 'POST', 'DELETE', 'HEAD']);
// A header name is an HTTP token (RFC 9110), plus the one `*` wildcard S3 allows in it.
const HEADER_PATTERN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const encoder = new TextEncoder();

function invalid(field: string, message: string): S3ConfigError {
  return new S3ConfigError('InvalidCorsConfiguration', `${field}: ${message}`, { field });
}

function stringList(
  value: unknown,
  field: string,
  options: { required: boolean; check: (item: string, itemField: string) => void },
): void {
  if (value === undefined && !options.required) return;
  if (!Array.isArray(value) || (options.required && value.length === 0)) {
    throw invalid(field, `must be ${options.required ? 'a non-empty' : 'an'} array of strings, got ${describe(value)}.`);
  }
  value.forEach((item: unknown, i) => {
    const itemField = `${field}[${i}]`;
    if (typeof item !== 'string' || item === '') throw invalid(itemField, `must be a non-empty string, got ${describe(item)}.`);
    options.check(item, itemField);
  });
}

function atMostOneWildcard(item: string, field: string): void {
  if (item.indexOf('*') !== item.lastIndexOf('*')) throw invalid(field, `may contain at most one '*', got ${JSON.stringify(item)}.`);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 80)) : String(value);
}

/** Checks rules against S3's documented constraints, so a mistake is named before anything is sent. */
export function validateCorsRules(rules: unknown): asserts rules is readonly CorsRule[] {
  if (!Array.isArray(rules) || rules.length === 0 || rules.length > MAX_RULES) {
    throw invalid('rules', `must be an array of 1 to ${MAX_RULES} rules, got ${describe(rules)}.`);
  }
  rules.forEach((rule: unknown, i) => {
    const at = `rules[${i}]`;
    if (typeof rule !== 'object' || rule === null) throw invalid(at, `must be an object, got ${describe(rule)}.`);
    const r = rule as Record<string, unknown>;
    stringList(r['allowedOrigins'], `${at}.allowedOrigins`, { required: true, check: atMostOneWildcard });
    stringList(r['allowedMethods'], `${at}.allowedMethods`, {
      required: true,
      check: (method, field) => {
        if (!CORS_METHODS.has(method)) throw invalid(field, `must be one of GET, PUT, POST, DELETE, HEAD, got ${JSON.stringify(method)}.`);
      },
    });
    const headerName = (name: string, field: string): void => {
      if (!HEADER_PATTERN.test(name)) throw invalid(field, `is not an HTTP header name: ${JSON.stringify(name)}.`);
    };
    stringList(r['allowedHeaders'], `${at}.allowedHeaders`, {
      required: false,
      check: (name, field) => {
        headerName(name, field);
        atMostOneWildcard(name, field);
      },
    });
    stringList(r['exposeHeaders'], `${at}.exposeHeaders`, {
      required: false,
      check: (name, field) => {
        if (name.includes('*')) throw invalid(field, `may not contain '*' (S3 exposes no wildcard), got ${JSON.stringify(name)}.`);
        headerName(name, field);
      },
    });
    const maxAge = r['maxAgeSeconds'];
    if (maxAge !== undefined && !(Number.isSafeInteger(maxAge) && (maxAge as number) >= 0)) {
      throw invalid(`${at}.maxAgeSeconds`, `must be a non-negative integer, got ${describe(maxAge)}.`);
    }
    const id = r['id'];
    if (id !== undefined && !(typeof id === 'string' && id.length > 0 && id.length <= MAX_ID_LENGTH)) {
      throw invalid(`${at}.id`, `must be a string of 1 to ${MAX_ID_LENGTH} characters, got ${describe(id)}.`);
    }
  });
}

export async function putBucketCors(pipeline: RequestPipeline, bucket: string, input: PutBucketCorsInput): Promise<void> {
  validateCorsRules(input.rules);
  const xml = encoder.encode(buildCorsConfiguration(input.rules));
  if (xml.byteLength > MAX_CONFIGURATION_BYTES) {
    throw invalid('rules', `the configuration is ${xml.byteLength} bytes of XML; S3 accepts at most ${MAX_CONFIGURATION_BYTES}.`);
  }
  // S3 requires Content-MD5 on PutBucketCors.
  await pipeline.send({
    method: 'PUT',
    bucket,
    query: { cors: '' },
    headers: { 'content-md5': createHash('md5').update(xml).digest('base64'), 'content-type': 'application/xml' },
    body: bytesBody(xml),
    payloadSigning: 'sha256',
    signal: input.signal,
  }, readHead);
}

/** The bucket's CORS rules; `{ rules: [] }` when it has none (S3's NoSuchCORSConfiguration). */
export async function getBucketCors(
  pipeline: RequestPipeline,
  bucket: string,
  input: { signal?: AbortSignal | undefined },
): Promise<GetBucketCorsOutput> {
  try {
    const { text } = await pipeline.send({ method: 'GET', bucket, query: { cors: '' }, signal: input.signal }, readText);
    return { rules: parseCorsConfiguration(text) };
  } catch (error) {
    if (error instanceof S3Error && error.code === 'NoSuchCORSConfiguration') return { rules: [] };
    throw error;
  }
}

/** Removes the bucket's CORS configuration; succeeds when there was none. */
export async function deleteBucketCors(
  pipeline: RequestPipeline,
  bucket: string,
  input: { signal?: AbortSignal | undefined },
): Promise<void> {
  await pipeline.send({ method: 'DELETE', bucket, query: { cors: '' }, signal: input.signal }, readHead);
}
