/**
 * IAM Identity Center (SSO): the access token `aws sso login` cached in ~/.aws/sso/cache, exchanged
 * for the role's credentials by the portal's GetRoleCredentials. A profile names `sso_session`
 * (a `[sso-session name]` section with `sso_start_url` and `sso_region`; cache file: SHA-1 of the
 * session name) or, in the legacy form, `sso_start_url` and `sso_region` itself (cache file: SHA-1
 * of the start URL). The token is not refreshed here: when it has expired, the error says to log in.
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-sso-credentials.html
 * https://docs.aws.amazon.com/singlesignon/latest/PortalAPIReference/API_GetRoleCredentials.html
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { dnsSuffixForRegion } from '../region.js';
import { credentialsFrom, parseJsonObject, providerError as fail, stringField } from './answers.js';
import { configuredEndpoint } from './endpoint-config.js';
import { httpCall, SERVICE_TIMEOUT_MS } from './http.js';
import { namedSection, type Profile } from './shared-files.js';
import { nonEmpty, type Credentials, type SourceContext } from './types.js';

interface SsoSettings {
  readonly startUrl: string;
  readonly region: string;
  readonly accountId: string;
  readonly roleName: string;
  /** The cache file's key: the session name, or the start URL for a legacy profile. */
  readonly cacheKey: string;
}


function settingsOf(profile: Profile, ctx: SourceContext): SsoSettings {
  const p = profile.keys;
  const sessionName = nonEmpty(p.sso_session);
  let startUrl: string | undefined;
  let region: string | undefined;
  if (sessionName !== undefined) {
    const session = namedSection(ctx.files, 'sso-session', sessionName);
    if (!session) fail(`SSO: profile "${profile.name}" names sso_session "${sessionName}", but ${ctx.files.config.path} has no [sso-session ${sessionName}].`);
    startUrl = nonEmpty(session.sso_start_url);
    region = nonEmpty(session.sso_region);
  } else {
    startUrl = nonEmpty(p.sso_start_url);
    region = nonEmpty(p.sso_region);
  }
  const accountId = nonEmpty(p.sso_account_id);
  const roleName = nonEmpty(p.sso_role_name);
  const missing = Object.entries({ sso_start_url: startUrl, sso_region: region, sso_account_id: accountId, sso_role_name: roleName })
    .filter(([, v]) => v === undefined)
    .map(([k]) => k);
  if (startUrl === undefined || region === undefined || accountId === undefined || roleName === undefined) {
    fail(`SSO: profile "${profile.name}" lacks ${missing.join(', ')}.`);
  }
  return { startUrl, region, accountId, roleName, cacheKey: sessionName ?? startUrl };
}

async function cachedToken(settings: SsoSettings, profileName: string, ctx: SourceContext): Promise<string> {
  const file = join(ctx.files.home, '.aws', 'sso', 'cache', `${createHash('sha1').update(settings.cacheKey).digest('hex')}.json`);
  const login = `run \`aws sso login --profile ${profileName}\``;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    fail(`SSO: no cached token for profile "${profileName}" (${file}): ${login}.`);
  }
  const json = parseJsonObject(`SSO token cache ${file}`, text);
  const token = stringField(json, 'accessToken');
  const expiresAt = Date.parse(stringField(json, 'expiresAt') ?? '');
  if (token === undefined || Number.isNaN(expiresAt)) fail(`SSO: the token cache ${file} has no accessToken or expiresAt: ${login}.`);
  if (expiresAt <= Date.now()) fail(`SSO: the session of profile "${profileName}" expired at ${new Date(expiresAt).toISOString()}: ${login}.`);
  return token;
}

/** The role's credentials for an SSO profile. */
export async function credentialsFromSso(profile: Profile, ctx: SourceContext): Promise<Credentials> {
  const settings = settingsOf(profile, ctx);
  const token = await cachedToken(settings, profile.name, ctx);
  const base = configuredEndpoint('sso', { env: ctx.env }, ctx.files) ?? `https://portal.sso.${settings.region}.${dnsSuffixForRegion(settings.region)}`;
  let url: URL;
  try {
    url = new URL('/federation/credentials', base);
  } catch {
    fail(`SSO: the portal endpoint ${JSON.stringify(base)} is not a URL.`);
  }
  url.searchParams.set('account_id', settings.accountId);
  url.searchParams.set('role_name', settings.roleName);
  const source = `SSO GetRoleCredentials (account ${settings.accountId}, role ${settings.roleName})`;
  const answer = await httpCall({
    source,
    method: 'GET',
    url,
    headers: { 'x-amz-sso_bearer_token': token },
    timeoutMs: ctx.timeoutMs ?? SERVICE_TIMEOUT_MS,
    secrets: [token],
  });
  if (answer.status === 401 || answer.status === 403) {
    fail(`${source}: the portal refused the cached token (HTTP ${answer.status}): run \`aws sso login --profile ${profile.name}\`.`);
  }
  if (answer.status !== 200) fail(`${source}: HTTP ${answer.status} from ${url.origin}.`);
  const role = parseJsonObject(source, answer.body).roleCredentials;
  const fields = typeof role === 'object' && role !== null ? (role as Record<string, unknown>) : {};
  const expiration = fields.expiration;
  return credentialsFrom(
    source,
    {
      accessKeyId: stringField(fields, 'accessKeyId'),
      secretAccessKey: stringField(fields, 'secretAccessKey'),
      sessionToken: stringField(fields, 'sessionToken'),
      expiration: typeof expiration === 'number' ? expiration : undefined,
    },
    true,
  );
}
