/**
 * Credentials from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN.
 * https://docs.aws.amazon.com/sdkref/latest/guide/environment-variables.html
 */
import { S3CredentialsError } from '../errors.js';
import { validateCredentials } from './cache.js';
import { nonEmpty, type Credentials, type SourceResult } from './types.js';

export function credentialsFromEnv(env: NodeJS.ProcessEnv): SourceResult {
  const id = nonEmpty(env.AWS_ACCESS_KEY_ID);
  const secret = nonEmpty(env.AWS_SECRET_ACCESS_KEY);
  if (id === undefined && secret === undefined) return { skipped: 'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set' };
  if (id === undefined || secret === undefined) {
    // Half-set variables are a mistake worth stopping for, not a reason to fall through to a profile.
    throw new S3CredentialsError(
      'InvalidCredentials',
      `${id === undefined ? 'AWS_SECRET_ACCESS_KEY' : 'AWS_ACCESS_KEY_ID'} is set but ` +
        `${id === undefined ? 'AWS_ACCESS_KEY_ID' : 'AWS_SECRET_ACCESS_KEY'} is not: set both, or neither.`,
    );
  }
  const creds: Credentials = { accessKeyId: id, secretAccessKey: secret };
  const token = nonEmpty(env.AWS_SESSION_TOKEN);
  if (token !== undefined) creds.sessionToken = token;
  validateCredentials(creds, 'the environment (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)');
  return { credentials: creds };
}
