/**
 * AWS STS: AssumeRole (signed with the source credentials by this project's SigV4 signer) and
 * AssumeRoleWithWebIdentity (unsigned: the OIDC token is the proof). Query protocol: a form-encoded
 * POST, an XML answer. Regional endpoints (`sts.{region}.amazonaws.com`), overridable like any
 * service endpoint (AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, the profile's `services`/`endpoint_url`).
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html
 */
import type { XMLParser } from 'fast-xml-parser';
import { SigV4Signer } from '../../signer/index.js';
import { S3CredentialsError } from '../errors.js';
import { redactText } from '../redact.js';
import { dnsSuffixForRegion } from '../region.js';
import { backoffDelay, sleep, type RetryPolicy } from '../retry.js';
import { createXmlParser, parseError } from '../xml.js';
import { credentialsFrom } from './answers.js';
import { configuredEndpoint } from './endpoint-config.js';
import { EndpointUnreachableError, httpCall, SERVICE_TIMEOUT_MS, type HttpAnswer } from './http.js';
import type { SharedFiles } from './shared-files.js';
import type { Credentials, SharedConfigOptions } from './types.js';

const STS_VERSION = '2011-06-15';

export interface RoleRequest {
  readonly roleArn: string;
  /** Default `s3lane-<epoch ms>`. */
  readonly sessionName?: string | undefined;
  readonly durationSeconds?: number | undefined;
  /** STS region; its regional endpoint is used unless one is configured. */
  readonly region: string;
  /** From stsEndpoint(). */
  readonly endpoint: string;
  readonly timeoutMs?: number | undefined;
}

export interface AssumeRoleRequest extends RoleRequest {
  readonly sourceCredentials: Credentials;
  readonly externalId?: string | undefined;
}

export interface WebIdentityRequest extends RoleRequest {
  readonly webIdentityToken: string;
}

/** The STS endpoint for `region`: the configured one, else `https://sts.{region}.{partition suffix}`. */
export function stsEndpoint(region: string, opts: SharedConfigOptions, files?: SharedFiles): string {
  return configuredEndpoint('sts', opts, files) ?? `https://sts.${region}.${dnsSuffixForRegion(region)}`;
}

export function defaultSessionName(): string {
  return `s3lane-${Date.now()}`;
}

/** Built on the first STS answer: most clients never assume a role, and loading the parser costs ~70 ms. */
let parser: XMLParser | undefined;

function roleParams(action: string, req: RoleRequest): URLSearchParams {
  const params = new URLSearchParams({ Action: action, Version: STS_VERSION, RoleArn: req.roleArn, RoleSessionName: req.sessionName ?? defaultSessionName() });
  if (req.durationSeconds !== undefined) params.set('DurationSeconds', String(req.durationSeconds));
  return params;
}

function endpointUrl(req: RoleRequest, action: string): URL {
  const raw = req.endpoint;
  try {
    return new URL(raw);
  } catch {
    throw new S3CredentialsError('CredentialsProviderError', `STS ${action}: the STS endpoint ${JSON.stringify(raw)} is not a URL.`);
  }
}

/** Assumes `roleArn` with the source credentials. */
export async function assumeRole(req: AssumeRoleRequest): Promise<Credentials> {
  const params = roleParams('AssumeRole', req);
  if (req.externalId !== undefined) params.set('ExternalId', req.externalId);
  const url = endpointUrl(req, 'AssumeRole');
  const body = params.toString();
  const signer = new SigV4Signer({ credentials: req.sourceCredentials, region: req.region, service: 'sts' });
  const signed = signer.sign({ method: 'POST', url, headers: { 'content-type': FORM }, body });
  return callSts('AssumeRole', req, url, signed.headers, body, [req.sourceCredentials.secretAccessKey, req.sourceCredentials.sessionToken]);
}

/** Exchanges an OIDC token (EKS IRSA, GitHub Actions…) for the role's credentials. */
export async function assumeRoleWithWebIdentity(req: WebIdentityRequest): Promise<Credentials> {
  const params = roleParams('AssumeRoleWithWebIdentity', req);
  params.set('WebIdentityToken', req.webIdentityToken);
  const url = endpointUrl(req, 'AssumeRoleWithWebIdentity');
  return callSts('AssumeRoleWithWebIdentity', req, url, { 'content-type': FORM }, params.toString(), [req.webIdentityToken]);
}

const FORM = 'application/x-www-form-urlencoded; charset=utf-8';

// STS answers these (or a 5xx, or no answer at all) to a call worth repeating, as the SDKs' standard
// retry mode and their web identity provider treat them.
const RETRYABLE_CODES: ReadonlySet<string> = new Set(['Throttling', 'ThrottlingException', 'RequestLimitExceeded', 'IDPCommunicationError']);
const STS_RETRY: RetryPolicy = { retries: 2, baseDelayMs: 100, throttleBaseDelayMs: 100, maxDelayMs: 1_000, budget: 0 };

async function callSts(
  action: string,
  req: RoleRequest,
  url: URL,
  headers: Record<string, string>,
  body: string,
  secrets: readonly (string | undefined)[],
): Promise<Credentials> {
  const source = `STS ${action} (${req.roleArn})`;
  for (let attempt = 0; ; attempt++) {
    const last = attempt >= STS_RETRY.retries;
    let answer: HttpAnswer;
    try {
      answer = await httpCall({ source, method: 'POST', url, headers, body, timeoutMs: req.timeoutMs ?? SERVICE_TIMEOUT_MS, secrets });
    } catch (e) {
      if (last || !(e instanceof EndpointUnreachableError)) throw e;
      await sleep(backoffDelay(attempt, STS_RETRY));
      continue;
    }
    if (answer.status === 200) return credentialsFrom(source, stsCredentialFields(action, answer.body), true);
    const error = parseError(answer.body);
    if (!last && (answer.status >= 500 || RETRYABLE_CODES.has(error?.code ?? ''))) {
      await sleep(backoffDelay(attempt, STS_RETRY));
      continue;
    }
    const detail = error ? `${error.code ?? 'error'}${error.message ? `: ${error.message.replace(/\.$/, '')}` : ''}` : 'no error document';
    throw new S3CredentialsError(
      'CredentialsProviderError',
      redactText(`${source} at ${url.origin} failed with HTTP ${answer.status}, ${detail}.`, secrets),
    );
  }
}

type Fields = Partial<Record<'accessKeyId' | 'secretAccessKey' | 'sessionToken' | 'expiration', string>>;

/** `<{Action}Response><{Action}Result><Credentials>…` → the four fields, as far as present. */
function stsCredentialFields(action: string, xml: string): Fields {
  parser ??= createXmlParser({ ignoreAttributes: true, parseTagValue: false, processEntities: true });
  let doc: unknown;
  try {
    doc = parser.parse(xml);
  } catch {
    doc = undefined;
  }
  const creds = pick(pick(pick(doc, `${action}Response`), `${action}Result`), 'Credentials');
  const text = (name: string): string | undefined => {
    const v = pick(creds, name);
    return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
  };
  return {
    accessKeyId: text('AccessKeyId'),
    secretAccessKey: text('SecretAccessKey'),
    sessionToken: text('SessionToken'),
    expiration: text('Expiration'),
  };
}

function pick(v: unknown, name: string): unknown {
  return typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[name] : undefined;
}
