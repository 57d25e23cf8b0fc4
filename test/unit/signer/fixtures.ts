/**
 * Loaders for the SigV4 conformance data in test/fixtures/sigv4 (see its README.md).
 * Files are read as they are; only a final newline is trimmed where the data has one.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/sigv4/', import.meta.url));
export const SUITE = join(FIXTURES, 'aws-sig-v4-test-suite');

/** A raw HTTP/1.1 request as the suites write it. */
export interface RawRequest {
  readonly method: string;
  /** The request target as written: path and query, possibly with raw spaces or UTF-8. */
  readonly target: string;
  /** [name, value] in order; values keep their whitespace (and folded lines joined by '\n'). */
  readonly headers: Array<[string, string]>;
  readonly body: string | undefined;
}

export function parseRawRequest(text: string): RawRequest {
  const lines = text.split('\n');
  const requestLine = lines[0]!;
  // The target itself may contain spaces (get-space): method is the first word, version the last.
  const method = requestLine.slice(0, requestLine.indexOf(' '));
  const target = requestLine.slice(method.length + 1, requestLine.lastIndexOf(' '));
  const headers: Array<[string, string]> = [];
  let i = 1;
  for (; i < lines.length && lines[i] !== ''; i++) {
    const line = lines[i]!;
    if (line.startsWith(' ') || line.startsWith('\t')) {
      // obs-fold continuation (get-header-value-multiline)
      const last = headers[headers.length - 1]!;
      last[1] += `\n${line}`;
      continue;
    }
    const colon = line.indexOf(':');
    headers.push([line.slice(0, colon), line.slice(colon + 1)]);
  }
  const body = i < lines.length ? lines.slice(i + 1).join('\n') : undefined;
  return { method, target, headers, body };
}

export function readText(path: string): string {
  return readFileSync(path, 'utf8');
}

/** The file without one trailing newline (some suite files end with one, some not). */
export function readExpected(path: string): string {
  return readText(path).replace(/\n$/, '');
}

export function hostOf(request: RawRequest): string {
  return request.headers.find(([name]) => name.toLowerCase() === 'host')![1].trim();
}

export interface AwsCAuthContext {
  readonly credentials: { access_key_id: string; secret_access_key: string; token?: string };
  readonly expiration_in_seconds: number;
  readonly normalize: boolean;
  readonly region: string;
  readonly service: string;
  readonly sign_body: boolean;
  readonly timestamp: string;
  readonly omit_session_token?: boolean;
}

export interface AwsCAuthCase {
  readonly name: string;
  readonly dir: string;
  readonly context: AwsCAuthContext;
  readonly request: RawRequest;
}

export function awsCAuthCases(): AwsCAuthCase[] {
  const root = join(SUITE, 'aws-c-auth', 'v4');
  return readdirSync(root)
    .sort()
    .map((name) => {
      const dir = join(root, name);
      return {
        name,
        dir,
        context: JSON.parse(readText(join(dir, 'context.json'))) as AwsCAuthContext,
        request: parseRawRequest(readText(join(dir, 'request.txt'))),
      };
    });
}

export interface BotocoreCase {
  readonly name: string;
  /** Path prefix of the case files: `<dir>/<name>` + `.req` etc. */
  readonly base: string;
}

/** Every botocore case directory (including normalize-path/* and post-sts-token/*). */
export function botocoreCases(): BotocoreCase[] {
  const cases: BotocoreCase[] = [];
  const walk = (dir: string, prefix: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const sub = join(dir, entry.name);
      if (existsSync(join(sub, `${entry.name}.req`))) cases.push({ name: prefix + entry.name, base: join(sub, entry.name) });
      else walk(sub, `${prefix}${entry.name}/`);
    }
  };
  walk(join(SUITE, 'botocore-aws4_testsuite'), '');
  return cases.sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** The suites' common time, 20150830T123600Z. */
export const SUITE_DATE = new Date('2015-08-30T12:36:00Z');

export interface S3DocExample {
  readonly name: string;
  readonly kind: string;
  readonly credentials: { access_key_id: string; secret_access_key: string };
  readonly region: string;
  readonly service: string;
  readonly x_amz_date: string;
  readonly method?: string;
  readonly host?: string;
  readonly path?: string;
  readonly query?: Array<[string, string]>;
  readonly headers?: Record<string, string> | string;
  readonly unsigned_headers?: Record<string, string>;
  readonly signed_headers?: string;
  readonly body_sha256?: string;
  readonly expected: Record<string, unknown>;
  readonly computed: Record<string, unknown>;
}

export function s3DocExamples(): S3DocExample[] {
  return (JSON.parse(readText(join(FIXTURES, 's3-doc-examples.json'))) as { examples: S3DocExample[] }).examples;
}

/** `20130524T000000Z` -> Date. */
export function dateFromAmz(amz: string): Date {
  return new Date(
    `${amz.slice(0, 4)}-${amz.slice(4, 6)}-${amz.slice(6, 8)}T${amz.slice(9, 11)}:${amz.slice(11, 13)}:${amz.slice(13, 15)}Z`,
  );
}
