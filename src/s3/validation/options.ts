/**
 * The client's own options (`new S3Client({...})`), and the region and endpoint rules every call
 * relies on. Checked in the constructor, so a bad option fails there, not at the first call.
 */
import { describeValue } from '../config-error.js';
import { parseEndpoint } from '../endpoint.js';
import { displayEndpoint } from '../redact.js';
import { DEFAULT_RETRY_POLICY } from '../retry.js';
import { deadlineMs } from './fields.js';
import { OPTION_LIMITS } from './limits.js';
import {
  boolean,
  fail,
  hasMethod,
  integer,
  isPlainObject,
  object,
  oneOf,
  optional,
  string,
  validDate,
  type Rule,
} from './rules.js';

/**
 * One rule for every region, AWS or not: 1–63 letters, digits, `-`, `_` or `.`, starting and
 * ending with a letter or digit. It becomes a label of the credential scope (and, on AWS, of the
 * host), so spaces, `/` and line breaks can never work. The value is not quoted in the message:
 * a secret pasted into the wrong field must not reach a log.
 */
const REGION = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/;

export function checkRegion(value: unknown, field = 'region', source = ''): void {
  if (typeof value !== 'string') fail('InvalidRegion', field, `expected a region string such as 'eu-west-1', got ${describeValue(value)}${source}.`);
  if (REGION.test(value)) return;
  const bad = /[^A-Za-z0-9._-]/.exec(value);
  const why =
    value === ''
      ? 'an empty string'
      : bad !== null
        ? `a string of ${value.length} characters with U+${(bad[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')} at index ${bad.index}`
        : `a string of ${value.length} characters`;
  fail('InvalidRegion', field, `got ${why}${source}; a region is 1 to 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit, e.g. 'eu-west-1'.`);
}

export function checkEndpoint(value: unknown, field = 'endpoint', source = ''): void {
  if (typeof value !== 'string') fail('InvalidEndpoint', field, `expected a URL string, got ${describeValue(value)}${source}.`);
  const example = "e.g. 'https://s3.eu-west-1.amazonaws.com' or 'http://127.0.0.1:9000'";
  if (value === '') fail('InvalidEndpoint', field, `is an empty string${source}: leave it out for AWS, or give the store's URL, ${example}.`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    fail('InvalidEndpoint', field, `${displayEndpoint(value)}${source} is not a URL: give the scheme and host, ${example}.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    fail('InvalidEndpoint', field, `${displayEndpoint(value)}${source} has scheme '${url.protocol}': use https:// (or http:// for a local server).`);
  }
  if (url.username !== '' || url.password !== '') {
    fail('InvalidEndpoint', field, `${displayEndpoint(value)}${source} contains user:password@: remove it and pass the keys as credentials.`);
  }
  if (/[?#]/.test(value)) {
    fail('InvalidEndpoint', field, `${displayEndpoint(value)}${source} has a query or fragment: give only scheme, host, port and an optional path prefix.`);
  }
  parseEndpoint(value);
}

/** Static keys, or a provider function (its answers are checked when it answers). */
const credentials: Rule = (value, field) => {
  if (typeof value === 'function') return;
  if (!isPlainObject(value)) {
    fail('InvalidCredentials', field, `expected { accessKeyId, secretAccessKey, sessionToken? } or an async provider function, got ${describeValue(value)}.`);
  }
  object(
    {
      accessKeyId: { rule: accessKeyId, required: true },
      secretAccessKey: { rule: secretAccessKey, required: true },
      sessionToken: optional(sessionToken),
      expiration: optional(validDate),
    },
    'InvalidCredentials',
  )(value, field);
};

function accessKeyId(value: unknown, field: string): void {
  if (typeof value !== 'string' || value === '' || /[\s/]/.test(value)) {
    fail('InvalidCredentials', field, `expected a non-empty string without spaces or '/', got ${describeValue(value)}.`);
  }
}

function secretAccessKey(value: unknown, field: string): void {
  if (typeof value !== 'string' || value === '') fail('InvalidCredentials', field, `expected a non-empty string, got ${describeValue(value)}.`);
}

function sessionToken(value: unknown, field: string): void {
  if (typeof value !== 'string') fail('InvalidCredentials', field, `expected a string, got ${describeValue(value)}.`);
  // A line break would end the header and start another (the signer refuses it too, but later).
  const bad = /[^\x20-\x7e]/.exec(value);
  if (bad !== null) {
    fail('InvalidCredentials', field, `a string of ${value.length} characters with a control or non-ASCII character at index ${bad.index}; a session token is printable ASCII.`);
  }
}

/** `retries`: a count, or the policy's fields; the known fields are the default policy's. */
const retries: Rule = (value, field) => {
  if (typeof value === 'number') return integer('InvalidRetries', 0, OPTION_LIMITS.maxRetries)(value, field);
  if (!isPlainObject(value)) {
    fail('InvalidRetries', field, `expected a number of retries (0 to ${OPTION_LIMITS.maxRetries}) or { ${Object.keys(DEFAULT_RETRY_POLICY).join(', ')} }, got ${describeValue(value)}.`);
  }
  const shape = Object.fromEntries(
    Object.keys(DEFAULT_RETRY_POLICY).map((name) => [
      name,
      optional(integer('InvalidRetries', 0, name === 'retries' ? OPTION_LIMITS.maxRetries : OPTION_LIMITS.maxDelayMs)),
    ]),
  );
  object(shape, 'InvalidRetries')(value, field);
};

const CLIENT_OPTIONS = object({
  endpoint: optional(checkEndpoint),
  region: optional(checkRegion),
  profile: optional(string('InvalidOption', { nonEmpty: true })),
  credentials: optional(credentials),
  bucket: optional(string('InvalidBucketName')),
  forcePathStyle: optional(boolean('InvalidOption')),
  payloadSigning: optional(oneOf('InvalidPayloadSigning', ['auto', 'sha256', 'unsigned', 'streaming'])),
  maxConnections: optional(integer('InvalidMaxConnections', 1, OPTION_LIMITS.maxConnections)),
  retries: optional(retries),
  timeoutMs: optional(integer('InvalidTimeout', 1, OPTION_LIMITS.maxTimeoutMs, ' ms')),
  deadlineMs: optional(deadlineMs),
  dispatcher: optional(hasMethod('InvalidDispatcher', 'dispatch')),
  logger: optional(hasMethod('InvalidLogger', 'debug')),
});

/** Checks `new S3Client(options)`; throws S3ConfigError naming the option. */
export function checkClientOptions(options: unknown): void {
  CLIENT_OPTIONS(options, '');
}

