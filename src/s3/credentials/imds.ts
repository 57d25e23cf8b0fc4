/**
 * EC2 instance metadata (IMDSv2): a session token from `PUT /latest/api/token` (with its TTL
 * header), then the instance profile's role name and its credentials, each GET carrying the token.
 * Endpoint: AWS_EC2_METADATA_SERVICE_ENDPOINT (or the profile's `ec2_metadata_service_endpoint`),
 * else 169.254.169.254, or [fd00:ec2::254] when the endpoint mode is IPv6. Off when
 * AWS_EC2_METADATA_DISABLED=true. If the token call is refused with 403/404/405 (an IMDSv1-only
 * endpoint or a proxy in front of it), the calls are repeated without a token, as the SDKs do,
 * unless AWS_EC2_METADATA_V1_DISABLED=true.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instance-metadata-v2-how-it-works.html
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-imds-credentials.html
 */
import { metadataCredentials, parseJsonObject, providerError, stringField } from './answers.js';
import { EndpointUnreachableError, httpCall, METADATA_TIMEOUT_MS } from './http.js';
import { profileOf } from './shared-files.js';
import { nonEmpty, type Credentials, type SourceContext, type SourceResult } from './types.js';

const SOURCE = 'EC2 instance metadata';
/** Six hours, the longest a token may live; one token serves the three calls of one refresh. */
export const IMDS_TOKEN_TTL_SECONDS = 21_600;
const CREDENTIALS_PATH = '/latest/meta-data/iam/security-credentials/';

function fail(message: string): never {
  providerError(`${SOURCE}: ${message}`);
}

function isTrue(v: string | undefined): boolean {
  return v?.trim().toLowerCase() === 'true';
}

function endpointOf(ctx: SourceContext): URL {
  const profile = profileOf(ctx.files)?.keys;
  const configured = nonEmpty(ctx.env.AWS_EC2_METADATA_SERVICE_ENDPOINT) ?? nonEmpty(profile?.ec2_metadata_service_endpoint);
  const mode = nonEmpty(ctx.env.AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE) ?? nonEmpty(profile?.ec2_metadata_service_endpoint_mode);
  const raw = configured ?? (mode?.toLowerCase() === 'ipv6' ? 'http://[fd00:ec2::254]' : 'http://169.254.169.254');
  try {
    return new URL(raw);
  } catch {
    fail(`the endpoint ${JSON.stringify(raw)} (AWS_EC2_METADATA_SERVICE_ENDPOINT) is not a URL.`);
  }
}

interface Session {
  readonly base: URL;
  /** Absent after the IMDSv1 fallback. */
  readonly token: string | undefined;
  readonly timeoutMs: number;
}

async function get(session: Session, path: string): Promise<{ status: number; body: string }> {
  return httpCall({
    source: SOURCE,
    method: 'GET',
    url: new URL(path, session.base),
    headers: session.token === undefined ? {} : { 'x-aws-ec2-metadata-token': session.token },
    timeoutMs: session.timeoutMs,
    secrets: [session.token],
  });
}

async function openSession(base: URL, ctx: SourceContext, timeoutMs: number): Promise<Session> {
  const answer = await httpCall({
    source: SOURCE,
    method: 'PUT',
    url: new URL('/latest/api/token', base),
    headers: { 'x-aws-ec2-metadata-token-ttl-seconds': String(IMDS_TOKEN_TTL_SECONDS) },
    timeoutMs,
  });
  if (answer.status === 200 && answer.body !== '') return { base, token: answer.body, timeoutMs };
  if ([403, 404, 405].includes(answer.status) && !isTrue(ctx.env.AWS_EC2_METADATA_V1_DISABLED)) {
    return { base, token: undefined, timeoutMs };
  }
  fail(`the token request (PUT /latest/api/token) answered HTTP ${answer.status}.`);
}

/** The instance profile's credentials; skipped when disabled, when no metadata service answers, or without a role. */
export async function credentialsFromInstanceMetadata(ctx: SourceContext): Promise<SourceResult> {
  if (isTrue(ctx.env.AWS_EC2_METADATA_DISABLED)) return { skipped: 'AWS_EC2_METADATA_DISABLED is true' };
  const base = endpointOf(ctx);
  const timeoutMs = ctx.timeoutMs ?? METADATA_TIMEOUT_MS;
  let session: Session;
  try {
    session = await openSession(base, ctx, timeoutMs);
  } catch (e) {
    // Not on EC2 (or the hop limit keeps a container from it): the usual case off AWS.
    if (e instanceof EndpointUnreachableError) return { skipped: `no answer from ${base.origin} (${e.reason})` };
    throw e;
  }
  const list = await get(session, CREDENTIALS_PATH);
  if (list.status === 404) return { skipped: `the instance at ${base.origin} has no IAM role (instance profile)` };
  if (list.status !== 200) fail(`GET ${CREDENTIALS_PATH} answered HTTP ${list.status}.`);
  const role = list.body.split('\n')[0]?.trim() ?? '';
  if (role === '') return { skipped: `the instance at ${base.origin} has no IAM role (instance profile)` };
  return { credentials: await roleCredentials(session, role) };
}

async function roleCredentials(session: Session, role: string): Promise<Credentials> {
  const path = CREDENTIALS_PATH + encodeURIComponent(role);
  const answer = await get(session, path);
  if (answer.status !== 200) fail(`GET ${path} answered HTTP ${answer.status}.`);
  const json = parseJsonObject(SOURCE, answer.body);
  const code = stringField(json, 'Code');
  if (code !== undefined && code !== 'Success') fail(`the credentials of role ${role} are not available (Code ${code}).`);
  return metadataCredentials(SOURCE, json);
}
