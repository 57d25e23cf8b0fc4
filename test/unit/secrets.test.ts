/**
 * No secret in any text: the client is driven through a success, a SignatureDoesNotMatch whose
 * AWS-style body echoes the request's real signature and a proxy-mangled session token, 500s that
 * are retried, a connection reset, presign, presignPost and bad input, with a logger and with
 * DEBUG=s3lane. Every text an error or a log can become (message, stack, String(), JSON.stringify,
 * util.inspect, causes, every field) is captured, and none may hold the secret key, the session
 * token in any encoding, or any signature the client computed.
 *
 * The server is local because it must misbehave on cue (echo secrets, fail, reset): it injects the
 * faults; it does not judge the signatures.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { S3Client, type S3ClientOptions } from '../../src/index.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const TOKEN = 'IQoJb3JpZ2luX2VjE+Fake/Session+Token==AbCdEfGh/1234+5678';

/** The token as proxies, decoders and hex dumps turn it, written out here rather than computed by the code under test. */
const TOKEN_FORMS = [
  TOKEN,
  encodeURIComponent(TOKEN),
  encodeURIComponent(TOKEN).replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()),
  TOKEN.replace(/\+/g, ' '),
  new URLSearchParams({ t: TOKEN }).toString().slice(2),
  Buffer.from(TOKEN).toString('hex'),
  [...Buffer.from(TOKEN)].map((b) => b.toString(16).padStart(2, '0')).join(' '),
];
const SECRET_FORMS = [SECRET, encodeURIComponent(SECRET), SECRET.replace(/\+/g, ' ')];

/** Every signature the server saw, in Authorization headers. */
const signatures = new Set<string>();

function signatureOf(req: IncomingMessage): string {
  const match = /Signature=([0-9a-f]{64})/.exec(req.headers.authorization ?? '');
  if (match?.[1]) signatures.add(match[1]);
  return match?.[1] ?? '';
}

const hex = (s: string): string => [...Buffer.from(s)].map((b) => b.toString(16).padStart(2, '0')).join(' ');

/** An AWS-style SignatureDoesNotMatch body, echoing the real signature and a token a proxy turned `+` into spaces. */
function signatureMismatchBody(req: IncomingMessage, signature: string): string {
  const mangled = TOKEN.replace(/\+/g, ' ');
  const canonical = `GET\n${req.url ?? '/'}\n\nhost:${req.headers.host ?? ''}\nx-amz-security-token:${mangled}\n\nhost;x-amz-security-token\nUNSIGNED-PAYLOAD`;
  return (
    `<?xml version="1.0" encoding="UTF-8"?><Error><Code>SignatureDoesNotMatch</Code>` +
    `<Message>The request signature we calculated does not match the signature you provided (${signature}). Check your key and signing method.</Message>` +
    `<AWSAccessKeyId>AKIDEXAMPLE</AWSAccessKeyId><StringToSign>AWS4-HMAC-SHA256\n20240101T000000Z\n20240101/us-east-1/s3/aws4_request\n${signature}</StringToSign>` +
    `<SignatureProvided>${signature}</SignatureProvided><StringToSignBytes>${hex(signature)}</StringToSignBytes>` +
    `<CanonicalRequest>${canonical}</CanonicalRequest><CanonicalRequestBytes>${hex(canonical)}</CanonicalRequestBytes>` +
    `<Token>${encodeURIComponent(TOKEN)}</Token><Echo>${signature} ${mangled}</Echo>` +
    `<RequestId>REQ1</RequestId><HostId>HOST1</HostId></Error>`
  );
}

let server: Server;
let endpoint = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    const signature = signatureOf(req);
    req.resume();
    req.on('end', () => {
      const path = req.url ?? '';
      if (path.includes('reset')) {
        req.socket.destroy();
      } else if (path.includes('mismatch')) {
        res.writeHead(403, { 'content-type': 'application/xml' }).end(signatureMismatchBody(req, signature));
      } else if (path.includes('fail')) {
        res.writeHead(500, { 'content-type': 'application/xml' });
        res.end(`<Error><Code>InternalError</Code><Message>retry ${signature} ${TOKEN.replace(/\+/g, ' ')}</Message></Error>`);
      } else {
        res.writeHead(200, { etag: '"abc"', 'content-length': '2' }).end('ok');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Every text an error can be turned into, down its cause chain. */
function textsOf(value: unknown, depth = 0): string[] {
  if (!(value instanceof Error) || depth > 5) return value === undefined ? [] : [String(value)];
  const texts = [value.message, value.stack ?? '', String(value), inspect(value, { depth: 10, showHidden: true })];
  try {
    texts.push(JSON.stringify(value));
  } catch {
    // Circular causes: inspect above has them.
  }
  for (const field of Object.values(value)) texts.push(typeof field === 'string' ? field : inspect(field, { depth: 10 }));
  return [...texts, ...textsOf(value.cause, depth + 1)];
}

async function scenarios(s3: S3Client): Promise<string[]> {
  const texts: string[] = [];
  const capture = async (call: () => Promise<unknown>): Promise<unknown> => {
    try {
      return await call();
    } catch (error) {
      texts.push(...textsOf(error));
      return undefined;
    }
  };
  const ok = (await capture(() => s3.put({ key: 'ok', body: 'hello' }))) as { etag: string } | undefined;
  expect(ok?.etag).toBe('"abc"');
  await capture(() => s3.get({ key: 'mismatch' }));
  await capture(() => s3.put({ key: 'mismatch', body: 'x' }));
  await capture(() => s3.get({ key: 'fail' }));
  await capture(() => s3.put({ key: 'reset', body: 'x' }));
  await capture(() => s3.deleteMany({ keys: ['fail', 'reset'] }).then((r) => texts.push(JSON.stringify(r), inspect(r))));
  const url = await s3.presign({ key: 'ok', expiresIn: 60 });
  const post = await s3.presignPost({ key: 'ok' });
  // The presigned URL and form carry their own signatures by design; those must not leak elsewhere either.
  signatures.add(new URL(url).searchParams.get('X-Amz-Signature') ?? '');
  signatures.add(post.fields['X-Amz-Signature'] ?? '');
  await capture(() => s3.presign({ key: 'ok', expiresIn: 0 }));
  await capture(() => s3.presignPost({ key: 'ok', fields: { Policy: TOKEN } }));
  await capture(() => s3.get({ key: 'ok', range: { start: -1 } }));
  await capture(async () => new S3Client({ endpoint: `${endpoint}/?X-Amz-Security-Token=${encodeURIComponent(TOKEN)}` }));
  await capture(async () => new S3Client({ endpoint, region: TOKEN }));
  await capture(async () => new S3Client({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKID', secretAccessKey: SECRET, sessionToken: `${TOKEN}\n` } }));
  return texts;
}

function expectNoSecrets(texts: readonly string[]): void {
  expect(signatures.size).toBeGreaterThan(5);
  const corpus = texts.join('\n');
  for (const form of [...TOKEN_FORMS, ...SECRET_FORMS, ...signatures]) {
    if (form === '') continue;
    expect(corpus.includes(form), `a secret form leaked: ${form.slice(0, 12)}…`).toBe(false);
    expect(corpus.toLowerCase().includes(form.toLowerCase()), `a secret form leaked (any case): ${form.slice(0, 12)}…`).toBe(false);
  }
}

describe('no secret in any error, field, log or debug line', () => {
  const options = (): S3ClientOptions => ({
    endpoint,
    region: 'us-east-1',
    bucket: 'secrets-test',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET, sessionToken: TOKEN },
    retries: { retries: 2, baseDelayMs: 1, maxDelayMs: 2 },
  });

  it('with a logger', async () => {
    const lines: string[] = [];
    const s3 = new S3Client({ ...options(), logger: { debug: (line) => lines.push(line) } });
    const texts = await scenarios(s3);
    await s3.close();
    expect(lines.length).toBeGreaterThan(5);
    expect(texts.length).toBeGreaterThan(50);
    // The server really echoed secrets: the test would catch a leak.
    expect(texts.join('\n')).toContain('<redacted>');
    expectNoSecrets([...texts, ...lines]);
  });

  it('with DEBUG=s3lane', async () => {
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
      return true;
    });
    vi.stubEnv('DEBUG', 's3lane');
    try {
      const s3 = new S3Client(options());
      const texts = await scenarios(s3);
      await s3.close();
      expect(written.join('')).toContain('-- canonical request --');
      expectNoSecrets([...texts, ...written]);
    } finally {
      spy.mockRestore();
      vi.unstubAllEnvs();
    }
  });
});
