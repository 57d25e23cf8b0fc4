/**
 * Web identity (EKS IAM Roles for Service Accounts and other OIDC providers): a token file and a
 * role, exchanged through STS AssumeRoleWithWebIdentity. From the environment
 * (AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN, AWS_ROLE_SESSION_NAME) or a profile
 * (`web_identity_token_file`, `role_arn`, `role_session_name`). The file is read on every refresh:
 * the orchestrator rotates it.
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-assume-role-credentials.html
 */
import { readFile } from 'node:fs/promises';
import { S3CredentialsError } from '../errors.js';
import { profileOf } from './shared-files.js';
import { assumeRoleWithWebIdentity, stsEndpoint } from './sts.js';
import { nonEmpty, type Credentials, type SourceContext, type SourceResult } from './types.js';

export interface WebIdentitySettings {
  readonly tokenFile: string;
  readonly roleArn: string;
  readonly sessionName?: string | undefined;
  readonly durationSeconds?: number | undefined;
  readonly region: string;
}

export async function webIdentityCredentials(settings: WebIdentitySettings, ctx: SourceContext): Promise<Credentials> {
  let token: string;
  try {
    token = (await readFile(settings.tokenFile, 'utf8')).trim();
  } catch (e) {
    const code: unknown = e instanceof Error ? Reflect.get(e, 'code') : undefined;
    throw new S3CredentialsError(
      'CredentialsProviderError',
      `Web identity: cannot read the token file ${settings.tokenFile} (${typeof code === 'string' ? code : 'error'}).`,
    );
  }
  if (token === '') throw new S3CredentialsError('CredentialsProviderError', `Web identity: the token file ${settings.tokenFile} is empty.`);
  return assumeRoleWithWebIdentity({
    roleArn: settings.roleArn,
    sessionName: settings.sessionName,
    durationSeconds: settings.durationSeconds,
    region: settings.region,
    endpoint: stsEndpoint(settings.region, { env: ctx.env }, ctx.files),
    webIdentityToken: token,
    timeoutMs: ctx.timeoutMs,
  });
}

/** STS's region: AWS_REGION, AWS_DEFAULT_REGION, the selected profile's region, else us-east-1. */
export function stsRegion(ctx: SourceContext): string {
  return nonEmpty(ctx.env.AWS_REGION) ?? nonEmpty(ctx.env.AWS_DEFAULT_REGION) ?? nonEmpty(profileOf(ctx.files)?.keys.region) ?? 'us-east-1';
}

/** The environment's web identity: AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN. */
export async function credentialsFromWebIdentityEnv(ctx: SourceContext): Promise<SourceResult> {
  const tokenFile = nonEmpty(ctx.env.AWS_WEB_IDENTITY_TOKEN_FILE);
  const roleArn = nonEmpty(ctx.env.AWS_ROLE_ARN);
  if (tokenFile === undefined && roleArn === undefined) return { skipped: 'AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN are not set' };
  if (tokenFile === undefined || roleArn === undefined) {
    return { skipped: `${tokenFile === undefined ? 'AWS_ROLE_ARN' : 'AWS_WEB_IDENTITY_TOKEN_FILE'} is set without ${tokenFile === undefined ? 'AWS_WEB_IDENTITY_TOKEN_FILE' : 'AWS_ROLE_ARN'}` };
  }
  const credentials = await webIdentityCredentials(
    { tokenFile, roleArn, sessionName: nonEmpty(ctx.env.AWS_ROLE_SESSION_NAME), region: stsRegion(ctx) },
    ctx,
  );
  return { credentials };
}
