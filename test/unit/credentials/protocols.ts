/**
 * Handlers for the local servers, each speaking one documented protocol as the real service does,
 * including its refusals (IMDSv2's 401 without a valid token, STS's signature check).
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Answer, Handler, Received } from './local-server.js';

export interface IssuedCredentials {
  AccessKeyId: string;
  SecretAccessKey: string;
  Token?: string;
  Expiration?: string;
}

export const FAR_FUTURE = '2099-01-01T00:00:00Z';

/**
 * IMDSv2: PUT /latest/api/token with X-aws-ec2-metadata-token-ttl-seconds (1..21600, else 400)
 * returns a token valid for that many seconds; every GET needs it in X-aws-ec2-metadata-token (401
 * without, or when expired). `role: undefined`: an instance without an instance profile (404).
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instance-metadata-v2-how-it-works.html
 */
export function imdsHandler(role: string | undefined, creds: IssuedCredentials): Handler {
  const tokens = new Map<string, number>();
  let n = 0;
  return (req) => {
    if (req.method === 'PUT' && req.path === '/latest/api/token') {
      const ttl = Number(req.headers['x-aws-ec2-metadata-token-ttl-seconds']);
      if (!Number.isInteger(ttl) || ttl < 1 || ttl > 21_600) return { status: 400 };
      const token = `imds-token-${++n}-AQAEAExampleToken==`;
      tokens.set(token, Date.now() + ttl * 1000);
      return { status: 200, body: token, headers: { 'x-aws-ec2-metadata-token-ttl-seconds': String(ttl) } };
    }
    const token = req.headers['x-aws-ec2-metadata-token'];
    const expires = typeof token === 'string' ? tokens.get(token) : undefined;
    if (req.method !== 'GET') return { status: 405 };
    if (expires === undefined || expires < Date.now()) return { status: 401 };
    const base = '/latest/meta-data/iam/security-credentials/';
    if (req.path === base) return role === undefined ? { status: 404 } : { status: 200, body: role };
    if (role !== undefined && req.path === base + role) {
      return { status: 200, body: JSON.stringify({ Code: 'Success', LastUpdated: '2024-01-01T00:00:00Z', Type: 'AWS-HMAC', ...creds }) };
    }
    return { status: 404 };
  };
}

/** The container credentials endpoint: 401 unless `Authorization` equals the expected token. */
export function containerHandler(expectedToken: string | (() => string) | undefined, creds: IssuedCredentials): Handler {
  return (req) => {
    const want = typeof expectedToken === 'function' ? expectedToken() : expectedToken;
    if (want !== undefined && req.headers.authorization !== want) {
      return { status: 401, body: JSON.stringify({ code: 'AccessDeniedException', message: 'Authorization token is invalid' }) };
    }
    return { status: 200, body: JSON.stringify({ ...creds, RoleArn: 'arn:aws:iam::123456789012:role/task' }) };
  };
}

export interface StsBehaviour {
  /** The secret of each access key id it accepts for AssumeRole: the signature is recomputed with it. */
  readonly secrets: Readonly<Record<string, string>>;
  /** Credentials it hands out, one per call, in order. */
  readonly issue: (params: URLSearchParams, call: number) => IssuedCredentials;
}

function stsError(status: number, code: string, message: string): Answer {
  return {
    status,
    headers: { 'content-type': 'text/xml' },
    body:
      `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code>` +
      `<Message>${message}</Message></Error><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ErrorResponse>`,
  };
}

function stsAnswer(action: string, c: IssuedCredentials): Answer {
  return {
    status: 200,
    headers: { 'content-type': 'text/xml' },
    body:
      `<${action}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><${action}Result>` +
      `<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/demo/session</Arn><AssumedRoleId>AROA:session</AssumedRoleId></AssumedRoleUser>` +
      `<Credentials>\n  <SessionToken>${c.Token ?? ''}</SessionToken>\n  <SecretAccessKey>${c.SecretAccessKey}</SecretAccessKey>\n` +
      `  <Expiration>${c.Expiration ?? FAR_FUTURE}</Expiration>\n  <AccessKeyId>${c.AccessKeyId}</AccessKeyId>\n</Credentials>` +
      `</${action}Result><ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata></${action}Response>`,
  };
}

/**
 * Recomputes the request's SigV4 signature with the AWS SDK's own signer (@smithy/signature-v4)
 * from the headers it names as signed, and compares. Returns why it does not match, or undefined.
 */
async function signatureProblem(req: Received, secrets: Readonly<Record<string, string>>): Promise<string | undefined> {
  const auth = req.headers.authorization ?? '';
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m) return 'MissingAuthenticationToken';
  const [, akid = '', , region = '', service = '', signedHeaders = ''] = m;
  const secret = secrets[akid];
  if (secret === undefined) return 'InvalidClientTokenId';
  const headers: Record<string, string> = {};
  for (const name of signedHeaders.split(';')) headers[name] = String(req.headers[name] ?? '');
  const amzDate = headers['x-amz-date'] ?? '';
  const date = new Date(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
  const token = headers['x-amz-security-token'];
  const signer = new SignatureV4({
    credentials: token === undefined ? { accessKeyId: akid, secretAccessKey: secret } : { accessKeyId: akid, secretAccessKey: secret, sessionToken: token },
    region,
    service,
    sha256: Sha256,
    // Only S3 sends x-amz-content-sha256; STS signs the body's hash without the header.
    applyChecksum: false,
  });
  const [hostname = '', port] = (headers.host ?? '').split(':');
  const request = new HttpRequest({ method: req.method, protocol: 'http:', hostname, port: port === undefined ? undefined : Number(port), path: req.path, headers, body: req.body });
  const signed = await signer.sign(request, { signingDate: date });
  return signed.headers.authorization === auth ? undefined : 'SignatureDoesNotMatch';
}

/**
 * STS's query protocol: a form-encoded POST; AssumeRole must be signed (service `sts`) by a known
 * key, AssumeRoleWithWebIdentity carries the token instead. A web identity token 'expired-token'
 * is refused with a message that quotes it, as some identity providers do, to prove redaction.
 */
export function stsHandler(behaviour: StsBehaviour): Handler {
  let calls = 0;
  return async (req) => {
    const params = new URLSearchParams(req.body);
    const action = params.get('Action') ?? '';
    if (req.method !== 'POST' || params.get('Version') !== '2011-06-15') return stsError(400, 'InvalidAction', 'bad request');
    if (!params.get('RoleArn') || !params.get('RoleSessionName')) return stsError(400, 'MissingParameter', 'RoleArn and RoleSessionName are required');
    if (action === 'AssumeRole') {
      const problem = await signatureProblem(req, behaviour.secrets);
      if (problem !== undefined) return stsError(403, problem, 'The request signature we calculated does not match the signature you provided.');
    } else if (action === 'AssumeRoleWithWebIdentity') {
      const token = params.get('WebIdentityToken') ?? '';
      if (req.headers.authorization !== undefined) return stsError(400, 'InvalidRequest', 'AssumeRoleWithWebIdentity is not signed');
      if (token === 'expired-token') return stsError(400, 'ExpiredTokenException', `Token ${token} has expired`);
    } else {
      return stsError(400, 'InvalidAction', `unknown action ${action}`);
    }
    return stsAnswer(action, behaviour.issue(params, calls++));
  };
}

/** The IAM Identity Center portal's GetRoleCredentials: GET /federation/credentials with x-amz-sso_bearer_token. */
export function ssoHandler(accessToken: string, creds: { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: number }): Handler {
  return (req) => {
    const url = new URL(req.path, 'http://portal');
    if (req.method !== 'GET' || url.pathname !== '/federation/credentials') return { status: 404 };
    if (req.headers['x-amz-sso_bearer_token'] !== accessToken) {
      return { status: 401, body: JSON.stringify({ message: 'Session token not found or invalid' }), headers: { 'x-amzn-errortype': 'UnauthorizedException' } };
    }
    if (!url.searchParams.get('account_id') || !url.searchParams.get('role_name')) return { status: 400 };
    return { status: 200, body: JSON.stringify({ roleCredentials: creds }) };
  };
}
