/**
 * The HTTP calls of the credential sources (instance metadata, container endpoint, STS, SSO):
 * undici, a hard time limit per call, and every failure turned into an S3CredentialsError that
 * names the source and the URL but never a token.
 */
import type { Dispatcher } from 'undici';
import { S3CredentialsError } from '../errors.js';
import { redactText } from '../redact.js';
import { loadUndici } from '../transport.js';

export const METADATA_TIMEOUT_MS = 1_000;
export const SERVICE_TIMEOUT_MS = 5_000;

/** The endpoint gave no HTTP answer at all (refused, unreachable, timed out). */
export class EndpointUnreachableError extends S3CredentialsError {
  constructor(readonly reason: string, message: string, options?: { cause?: unknown }) {
    super('CredentialsProviderError', message, options);
  }
}

export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

export interface HttpCall {
  /** Names the source in errors, e.g. 'EC2 instance metadata'. */
  readonly source: string;
  readonly method: 'GET' | 'PUT' | 'POST';
  readonly url: URL;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly timeoutMs: number;
  /** Values that must not appear in an error message (tokens sent in this call). */
  readonly secrets?: readonly (string | undefined)[];
}

// Answers this large are not credentials; stop reading rather than buffer whatever a wrong endpoint sends.
const MAX_BODY_BYTES = 1 << 20;

// Its own Agent, not undici's global dispatcher: a proxy set up for the application's traffic
// must not see link-local metadata calls, as in the AWS SDKs. Connections are not kept: these
// calls come minutes apart.
let agent: Dispatcher | undefined;
function dispatcher(): Dispatcher {
  agent ??= new (loadUndici().Agent)({ keepAliveTimeout: 1, pipelining: 0 });
  return agent;
}

function causeText(e: unknown): string {
  let code: string | undefined;
  let message = e instanceof Error ? e.message : String(e);
  for (let c: unknown = e, depth = 0; c instanceof Error && depth < 5; c = c.cause, depth++) {
    const v: unknown = Reflect.get(c, 'code');
    if (typeof v === 'string') code ??= v;
    if (c.message) message = c.message;
  }
  return code === undefined ? message : `${code}: ${message}`;
}

/** One request; resolves with any HTTP status, rejects only when there was no answer. */
export async function httpCall(call: HttpCall): Promise<HttpAnswer> {
  const where = `${call.method} ${call.url.origin}${call.url.pathname}`;
  const signal = AbortSignal.timeout(call.timeoutMs);
  try {
    const res = await loadUndici().request.call(dispatcher(), {
      origin: call.url.origin,
      path: `${call.url.pathname}${call.url.search}`,
      method: call.method,
      headers: call.headers,
      body: call.body,
      signal,
      headersTimeout: call.timeoutMs,
      bodyTimeout: call.timeoutMs,
    });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        res.body.destroy();
        throw new S3CredentialsError('CredentialsProviderError', `${call.source}: ${where} answered more than ${MAX_BODY_BYTES} bytes.`);
      }
      chunks.push(chunk);
    }
    return { status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') };
  } catch (e) {
    if (e instanceof S3CredentialsError) throw e;
    const reason = redactText(signal.aborted ? `timed out after ${call.timeoutMs} ms` : causeText(e), call.secrets ?? []);
    throw new EndpointUnreachableError(reason, `${call.source}: no answer from ${where} (${reason}).`, { cause: e });
  }
}
