/**
 * Each credential source against a local server speaking its protocol (or, for credential_process,
 * a real child process), through the public chain entry point.
 */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultCredentialsProvider, type ChainOptions } from '../../../src/s3/credentials/index.js';
import { isAllowedContainerHost } from '../../../src/s3/credentials/container.js';
import { stsEndpoint } from '../../../src/s3/credentials/sts.js';
import { AKID, failure, NO_IMDS, SECRET, tempHome, visibleText, type TempHome } from './fixture.js';
import { closedPortUrl, startServer, type LocalServer } from './local-server.js';
import { containerHandler, FAR_FUTURE, imdsHandler, ssoHandler, stsHandler, type IssuedCredentials } from './protocols.js';

const ISSUED: IssuedCredentials = {
  AccessKeyId: 'ASIAISSUEDEXAMPLE001',
  SecretAccessKey: 'issued/Secret/Key/EXAMPLE+0000000000000',
  Token: 'FwoGZXIvYXdzEXAMPLEissuedSessionToken==',
  Expiration: FAR_FUTURE,
};
const expected = { accessKeyId: ISSUED.AccessKeyId, secretAccessKey: ISSUED.SecretAccessKey, sessionToken: ISSUED.Token, expiration: new Date(FAR_FUTURE) };

let home: TempHome;
const servers: LocalServer[] = [];
async function serve(...args: Parameters<typeof startServer>): Promise<LocalServer> {
  const s = await startServer(...args);
  servers.push(s);
  return s;
}
beforeEach(() => {
  home = tempHome();
});
afterEach(async () => {
  home.remove();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const chain = (env: NodeJS.ProcessEnv, opts: Omit<ChainOptions, 'env' | 'homeDir'> = {}) =>
  defaultCredentialsProvider({ env: { ...NO_IMDS, ...env }, homeDir: home.dir, ...opts });

describe('EC2 instance metadata (IMDSv2)', () => {
  const imdsChain = (endpoint: string, extra: NodeJS.ProcessEnv = {}) =>
    defaultCredentialsProvider({ env: { AWS_EC2_METADATA_SERVICE_ENDPOINT: endpoint, ...extra }, homeDir: home.dir });

  it('gets a token with a 6-hour TTL, then the role name and its credentials, each GET carrying the token', async () => {
    const imds = await serve(imdsHandler('web-server-role', ISSUED));
    await expect(imdsChain(imds.url)()).resolves.toEqual(expected);
    expect(imds.received.map((r) => `${r.method} ${r.path}`)).toEqual([
      'PUT /latest/api/token',
      'GET /latest/meta-data/iam/security-credentials/',
      'GET /latest/meta-data/iam/security-credentials/web-server-role',
    ]);
    expect(imds.received[0]?.headers['x-aws-ec2-metadata-token-ttl-seconds']).toBe('21600');
    const token = imds.received[1]?.headers['x-aws-ec2-metadata-token'];
    expect(token).toMatch(/^imds-token-1-/);
    expect(imds.received[2]?.headers['x-aws-ec2-metadata-token']).toBe(token);
  });

  it('falls back to IMDSv1 when the token call is refused with 405, and reports the 401 of a v2-only server', async () => {
    const inner = imdsHandler('role', ISSUED);
    const imds = await serve((req) => (req.method === 'PUT' ? { status: 405 } : inner(req)));
    const e = await failure(imdsChain(imds.url));
    expect(e.message).toBe('EC2 instance metadata: GET /latest/meta-data/iam/security-credentials/ answered HTTP 401.');
    expect(imds.received[1]?.headers['x-aws-ec2-metadata-token']).toBeUndefined();
  });

  it('does not fall back to IMDSv1 when AWS_EC2_METADATA_V1_DISABLED=true', async () => {
    const imds = await serve(() => ({ status: 403 }));
    const e = await failure(imdsChain(imds.url, { AWS_EC2_METADATA_V1_DISABLED: 'true' }));
    expect(e.message).toBe('EC2 instance metadata: the token request (PUT /latest/api/token) answered HTTP 403.');
    expect(imds.received).toHaveLength(1);
  });

  it('skips an instance without a role (404), naming it in the "nothing found" error', async () => {
    const imds = await serve(imdsHandler(undefined, ISSUED));
    const e = await failure(imdsChain(imds.url));
    expect(e.code).toBe('CredentialsNotFound');
    expect(e.message).toContain(`EC2 instance metadata: the instance at ${imds.url} has no IAM role (instance profile)`);
  });

  it('skips when nothing listens, and when the service does not answer within the time limit', async () => {
    const closed = await closedPortUrl();
    expect((await failure(imdsChain(closed))).message).toMatch(new RegExp(`EC2 instance metadata: no answer from ${closed} \\(ECONNREFUSED`));
    const silent = await serve(() => 'hang');
    const e = await failure(defaultCredentialsProvider({ env: { AWS_EC2_METADATA_SERVICE_ENDPOINT: silent.url }, homeDir: home.dir, timeoutMs: 200 }));
    expect(e.message).toContain(`EC2 instance metadata: no answer from ${silent.url} (timed out after 200 ms)`);
  });

  it('makes no request when AWS_EC2_METADATA_DISABLED=true', async () => {
    const imds = await serve(imdsHandler('role', ISSUED));
    const e = await failure(imdsChain(imds.url, { AWS_EC2_METADATA_DISABLED: 'true' }));
    expect(e.message).toContain('EC2 instance metadata: AWS_EC2_METADATA_DISABLED is true');
    expect(imds.received).toHaveLength(0);
  });

  it('reads the endpoint from the profile (ec2_metadata_service_endpoint)', async () => {
    const imds = await serve(imdsHandler('role', ISSUED));
    home.write('.aws/config', `[default]\nec2_metadata_service_endpoint = ${imds.url}\n`);
    await expect(defaultCredentialsProvider({ env: {}, homeDir: home.dir })()).resolves.toEqual(expected);
  });
});

describe('container credentials (ECS, EKS Pod Identity)', () => {
  it('sends AWS_CONTAINER_AUTHORIZATION_TOKEN as the Authorization header', async () => {
    const agent = await serve(containerHandler('Basic c2VjcmV0LXRva2Vu', ISSUED));
    const env = { AWS_CONTAINER_CREDENTIALS_FULL_URI: `${agent.url}/v1/credentials`, AWS_CONTAINER_AUTHORIZATION_TOKEN: 'Basic c2VjcmV0LXRva2Vu' };
    await expect(chain(env)()).resolves.toEqual(expected);
    expect(agent.received[0]?.path).toBe('/v1/credentials');
  });

  it('reads AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE on every call (EKS rotates it), before the plain variable', async () => {
    let current = 'eks-pod-identity-token-1';
    const agent = await serve(containerHandler(() => current, ISSUED));
    const file = home.write('token', `${current}\n`);
    const env = {
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `${agent.url}/v1/credentials`,
      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: file,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: 'stale-token',
    };
    await expect(chain(env)()).resolves.toEqual(expected);
    current = 'eks-pod-identity-token-2';
    home.write('token', current);
    await expect(chain(env)()).resolves.toEqual(expected);
    expect(agent.received.map((r) => r.headers.authorization)).toEqual(['eks-pod-identity-token-1', 'eks-pod-identity-token-2']);
  });

  it('reports a refused token with the status and the agent\'s message, never the token', async () => {
    const agent = await serve(containerHandler('right-token', ISSUED));
    const env = { AWS_CONTAINER_CREDENTIALS_FULL_URI: `${agent.url}/creds`, AWS_CONTAINER_AUTHORIZATION_TOKEN: 'wrong-token-SECRET' };
    const e = await failure(chain(env));
    expect(e.message).toBe(`Container credentials: HTTP 401 from ${agent.url}/creds (AccessDeniedException: Authorization token is invalid).`);
    expect(visibleText(e)).not.toContain('wrong-token-SECRET');
  });

  it('refuses plain HTTP to a host that is neither the ECS/EKS agent nor loopback, without a request', async () => {
    const e = await failure(chain({ AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://credentials.example.com/creds' }));
    expect(e.message).toContain('over plain HTTP must point at 169.254.170.2, the EKS Pod Identity agent');
    expect(e.message).toContain('not credentials.example.com');
  });

  it.each([
    ['169.254.170.2', true],
    ['169.254.170.23', true],
    ['[fd00:ec2::23]', true],
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['[::1]', true],
    ['localhost', true],
    ['169.254.169.254', false],
    ['10.0.0.1', false],
    ['127.evil.example', false],
    ['example.com', false],
  ])('allowed plain-HTTP container host %s: %s', (host, allowed) => {
    expect(isAllowedContainerHost(host)).toBe(allowed);
  });

  it('fails (does not fall through to IMDS) when the configured agent does not answer', async () => {
    const closed = await closedPortUrl();
    const e = await failure(chain({ AWS_CONTAINER_CREDENTIALS_FULL_URI: `${closed}/creds` }));
    expect(e.code).toBe('CredentialsProviderError');
    expect(e.message).toMatch(/^Container credentials: no answer from GET http:\/\/127\.0\.0\.1:\d+\/creds \(ECONNREFUSED/);
  });
});

describe('STS: assume-role profiles and web identity', () => {
  const base = { aws_access_key_id: AKID, aws_secret_access_key: SECRET };
  let sts: LocalServer;
  const issuedFor = (n: number): IssuedCredentials => ({
    AccessKeyId: `ASIAROLE${n}EXAMPLE00000`.slice(0, 20),
    SecretAccessKey: `role${n}/Secret/EXAMPLE+000000000000000000`,
    Token: `role${n}-session-token==`,
    Expiration: FAR_FUTURE,
  });
  beforeEach(async () => {
    sts = await serve(
      stsHandler({
        secrets: { [AKID]: SECRET, [issuedFor(0).AccessKeyId]: issuedFor(0).SecretAccessKey },
        issue: (_params, call) => issuedFor(call),
      }),
    );
  });
  const stsEnv = (): NodeJS.ProcessEnv => ({ AWS_ENDPOINT_URL_STS: sts.url, AWS_REGION: 'eu-west-1' });
  const form = (i: number) => new URLSearchParams(sts.received[i]?.body ?? '');

  it('assumes role_arn with source_profile keys, signed for sts in the region (the AWS SDK signer agrees)', async () => {
    home.write('.aws/credentials', `[base]\naws_access_key_id = ${base.aws_access_key_id}\naws_secret_access_key = ${base.aws_secret_access_key}\n`);
    home.write(
      '.aws/config',
      '[profile deploy]\nrole_arn = arn:aws:iam::123456789012:role/deploy\nsource_profile = base\nrole_session_name = ci-run-42\nexternal_id = ext-7\nduration_seconds = 1800\n',
    );
    await expect(chain({ ...stsEnv(), AWS_PROFILE: 'deploy' })()).resolves.toEqual({
      accessKeyId: issuedFor(0).AccessKeyId,
      secretAccessKey: issuedFor(0).SecretAccessKey,
      sessionToken: issuedFor(0).Token,
      expiration: new Date(FAR_FUTURE),
    });
    expect(Object.fromEntries(form(0))).toEqual({
      Action: 'AssumeRole',
      Version: '2011-06-15',
      RoleArn: 'arn:aws:iam::123456789012:role/deploy',
      RoleSessionName: 'ci-run-42',
      ExternalId: 'ext-7',
      DurationSeconds: '1800',
    });
    expect(sts.received[0]?.headers.authorization).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=${AKID}/\\d{8}/eu-west-1/sts/aws4_request, `));
    expect(sts.received[0]?.headers['content-type']).toBe('application/x-www-form-urlencoded; charset=utf-8');
  });

  it('chains roles: the second AssumeRole is signed with the first one\'s credentials and session token', async () => {
    home.write(
      '.aws/config',
      [
        '[profile base]',
        `aws_access_key_id = ${AKID}`,
        `aws_secret_access_key = ${SECRET}`,
        '[profile hop]',
        'role_arn = arn:aws:iam::111111111111:role/hop',
        'source_profile = base',
        '[profile target]',
        'role_arn = arn:aws:iam::222222222222:role/target',
        'source_profile = hop',
      ].join('\n'),
    );
    const creds = await chain({ ...stsEnv(), AWS_PROFILE: 'target' })();
    expect(creds.accessKeyId).toBe(issuedFor(1).AccessKeyId);
    expect([form(0).get('RoleArn'), form(1).get('RoleArn')]).toEqual(['arn:aws:iam::111111111111:role/hop', 'arn:aws:iam::222222222222:role/target']);
    expect(sts.received[1]?.headers.authorization).toContain(`Credential=${issuedFor(0).AccessKeyId}/`);
    expect(sts.received[1]?.headers['x-amz-security-token']).toBe(issuedFor(0).Token);
    expect(form(0).get('RoleSessionName')).toMatch(/^s3lane-\d+$/);
  });

  it('lets source_profile name the profile itself, using its static keys', async () => {
    home.write('.aws/credentials', `[self]\naws_access_key_id = ${AKID}\naws_secret_access_key = ${SECRET}\n`);
    home.write('.aws/config', '[profile self]\nrole_arn = arn:aws:iam::123456789012:role/self\nsource_profile = self\n');
    await expect(chain({ ...stsEnv(), AWS_PROFILE: 'self' })()).resolves.toMatchObject({ accessKeyId: issuedFor(0).AccessKeyId });
  });

  it('uses credential_source = Environment', async () => {
    home.write('.aws/config', '[profile env-role]\nrole_arn = arn:aws:iam::123456789012:role/x\ncredential_source = Environment\n');
    const env = { ...stsEnv(), AWS_ACCESS_KEY_ID: AKID, AWS_SECRET_ACCESS_KEY: SECRET };
    await expect(chain(env, { profile: 'env-role' })()).resolves.toMatchObject({ accessKeyId: issuedFor(0).AccessKeyId });
  });

  it('uses credential_source = Ec2InstanceMetadata', async () => {
    const imds = await serve(imdsHandler('role', { AccessKeyId: AKID, SecretAccessKey: SECRET, Expiration: FAR_FUTURE }));
    home.write('.aws/config', '[default]\nrole_arn = arn:aws:iam::123456789012:role/x\ncredential_source = Ec2InstanceMetadata\n');
    const env = { ...stsEnv(), AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url };
    await expect(defaultCredentialsProvider({ env, homeDir: home.dir })()).resolves.toMatchObject({ accessKeyId: issuedFor(0).AccessKeyId });
  });

  it.each([
    ['a cycle', '[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = a', 'a', 'source_profile "b" leads back to itself (b -> a -> b)'],
    ['a missing source', '[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = nowhere', 'a', 'its source_profile "nowhere" does not exist'],
    ['an unknown credential_source', '[profile a]\nrole_arn = arn:aws:iam::1:role/a\ncredential_source = Laptop', 'a', 'credential_source must be Environment, Ec2InstanceMetadata or EcsContainer, got "Laptop"'],
    ['an MFA profile', `[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = a\nmfa_serial = arn:aws:iam::1:mfa/me\naws_access_key_id = ${AKID}\naws_secret_access_key = ${SECRET}`, 'a', 'needs an MFA code (mfa_serial)'],
  ])('refuses %s with a message that names it, before calling STS', async (_name, config, profile, message) => {
    home.write('.aws/config', config);
    const e = await failure(chain({ ...stsEnv(), AWS_PROFILE: profile }));
    expect(e.message).toContain(message);
    expect(sts.received).toHaveLength(0);
  });

  it('reports STS\'s refusal with its code and message, never the secret', async () => {
    home.write('.aws/config', `[profile bad]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = bad\naws_access_key_id = ${AKID}\naws_secret_access_key = not-the-secret`);
    const e = await failure(chain({ ...stsEnv(), AWS_PROFILE: 'bad' }));
    expect(e.message).toBe(
      `STS AssumeRole (arn:aws:iam::1:role/a) at ${sts.url} failed with HTTP 403, SignatureDoesNotMatch: The request signature we calculated does not match the signature you provided.`,
    );
    expect(visibleText(e)).not.toContain('not-the-secret');
  });

  it('exchanges AWS_WEB_IDENTITY_TOKEN_FILE for AWS_ROLE_ARN (unsigned AssumeRoleWithWebIdentity)', async () => {
    const file = home.write('eks/token', 'eyJhbGciOiJSUzI1NiJ9.irsa-token.sig\n');
    const env = { ...stsEnv(), AWS_WEB_IDENTITY_TOKEN_FILE: file, AWS_ROLE_ARN: 'arn:aws:iam::123456789012:role/irsa', AWS_ROLE_SESSION_NAME: 'pod-7' };
    await expect(chain(env)()).resolves.toMatchObject({ accessKeyId: issuedFor(0).AccessKeyId, sessionToken: issuedFor(0).Token });
    expect(Object.fromEntries(form(0))).toEqual({
      Action: 'AssumeRoleWithWebIdentity',
      Version: '2011-06-15',
      RoleArn: 'arn:aws:iam::123456789012:role/irsa',
      RoleSessionName: 'pod-7',
      WebIdentityToken: 'eyJhbGciOiJSUzI1NiJ9.irsa-token.sig',
    });
    expect(sts.received[0]?.headers.authorization).toBeUndefined();
  });

  it('reads web_identity_token_file and role_arn from a profile', async () => {
    const file = home.write('token', 'profile-oidc-token');
    home.write('.aws/config', `[profile oidc]\nrole_arn = arn:aws:iam::1:role/oidc\nweb_identity_token_file = ${file}\n`);
    await expect(chain({ ...stsEnv(), AWS_PROFILE: 'oidc' })()).resolves.toMatchObject({ accessKeyId: issuedFor(0).AccessKeyId });
    expect(form(0).get('WebIdentityToken')).toBe('profile-oidc-token');
  });

  it('keeps the web identity token out of the error when STS quotes it back', async () => {
    const file = home.write('token', 'expired-token');
    const e = await failure(chain({ ...stsEnv(), AWS_WEB_IDENTITY_TOKEN_FILE: file, AWS_ROLE_ARN: 'arn:aws:iam::1:role/r' }));
    expect(e.message).toContain('failed with HTTP 400, ExpiredTokenException: Token <redacted> has expired.');
    expect(visibleText(e)).not.toContain('expired-token');
  });

  it('uses the regional endpoint of each partition unless AWS_ENDPOINT_URL_STS is set', () => {
    expect(stsEndpoint('eu-west-1', { env: {}, homeDir: home.dir })).toBe('https://sts.eu-west-1.amazonaws.com');
    expect(stsEndpoint('cn-north-1', { env: {}, homeDir: home.dir })).toBe('https://sts.cn-north-1.amazonaws.com.cn');
    expect(stsEndpoint('eu-west-1', { env: { AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:1' }, homeDir: home.dir })).toBe('http://127.0.0.1:1');
  });
});

describe('credential_process', () => {
  const script = (body: string): string => {
    const path = home.write('bin/creds.sh', `#!/bin/sh\n${body}\n`);
    return path;
  };

  it('runs the command (through the shell, quoting intact) and reads Version 1 JSON from stdout', async () => {
    const path = script(
      `echo "args: $1" >&2\nprintf '{"Version": 1, "AccessKeyId": "${AKID}", "SecretAccessKey": "${SECRET}", "SessionToken": "tok", "Expiration": "${FAR_FUTURE}"}'`,
    );
    home.write('.aws/config', `[default]\ncredential_process = sh "${path}" "two words"\n`);
    await expect(chain({})()).resolves.toEqual({ accessKeyId: AKID, secretAccessKey: SECRET, sessionToken: 'tok', expiration: new Date(FAR_FUTURE) });
  });

  it.each([
    ['exits non-zero', `echo "${SECRET}" >&2; exit 3`, 'credential_process of profile "default": the command exited with code 3.'],
    ['prints no JSON', 'echo hello', 'credential_process of profile "default": the answer is not a JSON object.'],
    ['prints another Version', `echo '{"Version": 2, "AccessKeyId": "a", "SecretAccessKey": "b"}'`, 'the output must have "Version": 1, got 2.'],
    ['omits the secret', `echo '{"Version": 1, "AccessKeyId": "a"}'`, 'the answer has no secret access key.'],
  ])('fails clearly when the command %s, its stderr kept out of the message', async (_name, body, message) => {
    home.write('.aws/config', `[default]\ncredential_process = sh ${script(body)}\n`);
    const e = await failure(chain({}));
    expect(e.message).toContain(message);
    expect(visibleText(e)).not.toContain(SECRET);
  });

  it('kills a command that does not finish within the time limit', async () => {
    home.write('.aws/config', `[default]\ncredential_process = sh ${script('exec sleep 30')}\n`);
    const e = await failure(chain({}, { timeoutMs: 300 }));
    expect(e.message).toBe('credential_process of profile "default": the command did not finish within 300 ms.');
  });
});

describe('SSO (IAM Identity Center)', () => {
  const accessToken = 'aoaAAAAAGcSSOaccessTokenEXAMPLE';
  const roleCreds = { accessKeyId: 'ASIASSOEXAMPLE000001', secretAccessKey: 'sso/Secret/EXAMPLE', sessionToken: 'sso-session-token', expiration: Date.parse(FAR_FUTURE) };
  const cache = (key: string, expiresAt: string) =>
    home.write(
      `.aws/sso/cache/${createHash('sha1').update(key).digest('hex')}.json`,
      JSON.stringify({ startUrl: 'https://corp.awsapps.com/start', region: 'eu-central-1', accessToken, expiresAt }),
    );

  it('exchanges the sso_session\'s cached token for the role\'s credentials', async () => {
    const portal = await serve(ssoHandler(accessToken, roleCreds));
    home.write(
      '.aws/config',
      '[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Developer\n' +
        '[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-central-1\n',
    );
    cache('corp', '2099-01-01T00:00:00Z');
    await expect(chain({ AWS_PROFILE: 'dev', AWS_ENDPOINT_URL_SSO: portal.url })()).resolves.toEqual({
      ...roleCreds,
      expiration: new Date(roleCreds.expiration),
    });
    expect(portal.received[0]?.path).toBe('/federation/credentials?account_id=111122223333&role_name=Developer');
  });

  it('reads a legacy profile (sso_start_url in the profile; cache keyed by the URL)', async () => {
    const portal = await serve(ssoHandler(accessToken, roleCreds));
    home.write(
      '.aws/config',
      '[default]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-central-1\nsso_account_id = 1\nsso_role_name = R\n',
    );
    cache('https://corp.awsapps.com/start', '2099-01-01T00:00:00Z');
    await expect(chain({ AWS_ENDPOINT_URL_SSO: portal.url })()).resolves.toMatchObject({ accessKeyId: roleCreds.accessKeyId });
  });

  it('says to log in again when the cached token has expired or is refused, never printing it', async () => {
    const portal = await serve(ssoHandler('another-token', roleCreds));
    home.write('.aws/config', '[profile dev]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = R\n[sso-session corp]\nsso_start_url = https://x/start\nsso_region = us-east-1\n');
    cache('corp', '2020-01-01T00:00:00Z');
    const expired = await failure(chain({ AWS_PROFILE: 'dev', AWS_ENDPOINT_URL_SSO: portal.url }));
    expect(expired.message).toBe('SSO: the session of profile "dev" expired at 2020-01-01T00:00:00.000Z: run `aws sso login --profile dev`.');
    cache('corp', '2099-01-01T00:00:00Z');
    const refused = await failure(chain({ AWS_PROFILE: 'dev', AWS_ENDPOINT_URL_SSO: portal.url }));
    expect(refused.message).toContain('the portal refused the cached token (HTTP 401): run `aws sso login --profile dev`');
    expect(visibleText(refused) + visibleText(expired)).not.toContain(accessToken);
  });
});
