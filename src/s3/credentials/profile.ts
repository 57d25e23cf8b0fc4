/**
 * Credentials from a profile of the shared files, in the order the AWS SDK for JavaScript tries
 * them: an assume-role profile (`role_arn` with `source_profile` or `credential_source`), static
 * keys, `web_identity_token_file`, `credential_process`, then SSO (`sso_session` or the legacy
 * `sso_start_url`). A profile reached as another's `source_profile` uses its static keys first,
 * which is how `source_profile` may name the profile itself.
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-assume-role-credentials.html
 */
import { S3CredentialsError } from '../errors.js';
import { providerError as fail } from './answers.js';
import { validateCredentials } from './cache.js';
import { credentialsFromContainer } from './container.js';
import { credentialsFromEnv } from './env.js';
import { credentialsFromInstanceMetadata } from './imds.js';
import { credentialsFromProcess } from './process.js';
import { describeProfileLookup, profileOf, type Profile } from './shared-files.js';
import { credentialsFromSso } from './sso.js';
import { assumeRole, stsEndpoint } from './sts.js';
import { stsRegion, webIdentityCredentials } from './web-identity.js';
import { nonEmpty, type Credentials, type SourceContext, type SourceResult } from './types.js';

/** The selected profile's credentials, or why it has none. */
export async function credentialsFromProfile(ctx: SourceContext): Promise<SourceResult> {
  const profile = profileOf(ctx.files);
  const name = ctx.files.profile;
  if (!profile && name !== 'default') {
    // A profile the user named must not quietly give way to the instance's role, as in the AWS CLI.
    throw new S3CredentialsError(
      'CredentialsNotFound',
      `Profile "${name}" does not exist: ${describeProfileLookup(ctx.files, name).join('; ')}. ` +
        `Create it with \`aws configure --profile ${name}\`, or select another one.`,
    );
  }
  if (!profile || !hasCredentialSettings(profile)) {
    return { skipped: describeProfileLookup(ctx.files, name).join('; ') };
  }
  return { credentials: await resolveProfile(profile, ctx, new Set()) };
}

function hasCredentialSettings(p: Profile): boolean {
  const k = p.keys;
  return ['aws_access_key_id', 'aws_secret_access_key', 'role_arn', 'credential_process', 'sso_session', 'sso_start_url', 'web_identity_token_file'].some(
    (key) => k[key] !== undefined,
  );
}

async function resolveProfile(profile: Profile, ctx: SourceContext, visited: ReadonlySet<string>): Promise<Credentials> {
  const k = profile.keys;
  const roleArn = nonEmpty(k.role_arn);
  const hasStatic = k.aws_access_key_id !== undefined || k.aws_secret_access_key !== undefined;
  if (visited.size > 0 && hasStatic) return staticCredentials(profile);
  if (roleArn !== undefined && (k.source_profile !== undefined || k.credential_source !== undefined)) {
    return assumeRoleProfile(profile, roleArn, ctx, visited);
  }
  if (hasStatic) return staticCredentials(profile);
  const tokenFile = nonEmpty(k.web_identity_token_file);
  if (tokenFile !== undefined && roleArn !== undefined) {
    return webIdentityCredentials(
      { tokenFile, roleArn, sessionName: nonEmpty(k.role_session_name), durationSeconds: durationOf(profile), region: stsRegion(ctx) },
      ctx,
    );
  }
  const command = nonEmpty(k.credential_process);
  if (command !== undefined) return credentialsFromProcess(command, profile.name, ctx.timeoutMs);
  if (k.sso_session !== undefined || k.sso_start_url !== undefined) return credentialsFromSso(profile, ctx);
  fail(
    `Profile "${profile.name}" (${profile.where}) has no credentials: no aws_access_key_id, role_arn with source_profile ` +
      'or credential_source, web_identity_token_file, credential_process or sso_session.',
  );
}

function staticCredentials(profile: Profile): Credentials {
  const id = nonEmpty(profile.keys.aws_access_key_id);
  const secret = nonEmpty(profile.keys.aws_secret_access_key);
  const where = `profile "${profile.name}" (${profile.where})`;
  if (id === undefined || secret === undefined) {
    throw new S3CredentialsError(
      'InvalidCredentials',
      `Invalid credentials in ${where}: ${id === undefined ? 'aws_access_key_id' : 'aws_secret_access_key'} is missing or empty.`,
    );
  }
  const creds: Credentials = { accessKeyId: id, secretAccessKey: secret };
  const token = nonEmpty(profile.keys.aws_session_token);
  if (token !== undefined) creds.sessionToken = token;
  validateCredentials(creds, where);
  return creds;
}

function durationOf(profile: Profile): number | undefined {
  const raw = nonEmpty(profile.keys.duration_seconds);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 900 || n > 43_200) {
    fail(`Profile "${profile.name}": duration_seconds must be a whole number from 900 to 43200, got ${JSON.stringify(raw)}.`);
  }
  return n;
}

async function assumeRoleProfile(profile: Profile, roleArn: string, ctx: SourceContext, visited: ReadonlySet<string>): Promise<Credentials> {
  const k = profile.keys;
  if (k.mfa_serial !== undefined) {
    fail(`Profile "${profile.name}" needs an MFA code (mfa_serial), which s3lane cannot prompt for; use \`aws configure export-credentials --profile ${profile.name}\`.`);
  }
  const sourceName = nonEmpty(k.source_profile);
  const credentialSource = nonEmpty(k.credential_source);
  if (sourceName !== undefined && credentialSource !== undefined) {
    fail(`Profile "${profile.name}" sets both source_profile and credential_source; keep one.`);
  }
  let sourceCredentials: Credentials;
  if (sourceName !== undefined) {
    if (visited.has(sourceName)) {
      fail(`Profile "${profile.name}": source_profile "${sourceName}" leads back to itself (${[...visited, sourceName].join(' -> ')}).`);
    }
    const source = profileOf(ctx.files, sourceName);
    if (!source) fail(`Profile "${profile.name}": its source_profile "${sourceName}" does not exist in ${ctx.files.credentials.path} or ${ctx.files.config.path}.`);
    sourceCredentials = await resolveProfile(source, ctx, new Set([...visited, sourceName]));
  } else {
    sourceCredentials = await credentialsFromSource(profile, credentialSource ?? '', ctx);
  }
  const region = stsRegion(ctx);
  return assumeRole({
    roleArn,
    sourceCredentials,
    sessionName: nonEmpty(k.role_session_name),
    externalId: nonEmpty(k.external_id),
    durationSeconds: durationOf(profile),
    region,
    endpoint: stsEndpoint(region, { env: ctx.env }, ctx.files),
    timeoutMs: ctx.timeoutMs,
  });
}

const CREDENTIAL_SOURCES: Readonly<Record<string, (ctx: SourceContext) => SourceResult | Promise<SourceResult>>> = {
  Environment: (ctx) => credentialsFromEnv(ctx.env),
  Ec2InstanceMetadata: credentialsFromInstanceMetadata,
  EcsContainer: credentialsFromContainer,
};

/** `credential_source`: Environment, Ec2InstanceMetadata or EcsContainer; here a source that does not apply is an error. */
async function credentialsFromSource(profile: Profile, credentialSource: string, ctx: SourceContext): Promise<Credentials> {
  const source = Object.hasOwn(CREDENTIAL_SOURCES, credentialSource) ? CREDENTIAL_SOURCES[credentialSource] : undefined;
  if (source === undefined) {
    fail(`Profile "${profile.name}": credential_source must be ${Object.keys(CREDENTIAL_SOURCES).join(', ').replace(/, (?=[^,]*$)/, ' or ')}, got ${JSON.stringify(credentialSource)}.`);
  }
  const result = await source(ctx);
  if ('skipped' in result) fail(`Profile "${profile.name}" has credential_source = ${credentialSource}, but ${result.skipped}.`);
  return result.credentials;
}
