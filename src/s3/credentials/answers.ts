/**
 * Reading credentials out of what a source answers (JSON from IMDS, the container endpoint, SSO and
 * credential_process; fields of STS's XML), with errors that name the missing field, never a value.
 */
import { S3CredentialsError } from '../errors.js';
import type { Credentials } from './types.js';

/** Parses a JSON object answer, naming the source when it is not one. */
export function parseJsonObject(source: string, text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new S3CredentialsError('CredentialsProviderError', `${source}: the answer is not a JSON object.`);
  }
  return value as Record<string, unknown>;
}

/** A string field of a JSON answer, or `undefined`. */
export function stringField(o: Record<string, unknown>, name: string): string | undefined {
  const v = o[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/**
 * Credentials from the fields of a JSON or XML answer; names the missing field, never a value.
 * `expiration`: an ISO 8601 string or epoch milliseconds.
 */
export function credentialsFrom(
  source: string,
  fields: { accessKeyId?: string | undefined; secretAccessKey?: string | undefined; sessionToken?: string | undefined; expiration?: string | number | undefined },
  requireToken: boolean,
): Credentials {
  const missing = [
    fields.accessKeyId === undefined && 'access key id',
    fields.secretAccessKey === undefined && 'secret access key',
    requireToken && fields.sessionToken === undefined && 'session token',
  ].filter((m): m is string => m !== false);
  if (missing.length > 0 || fields.accessKeyId === undefined || fields.secretAccessKey === undefined) {
    throw new S3CredentialsError('CredentialsProviderError', `${source}: the answer has no ${missing.join(', ')}.`);
  }
  const creds: Credentials = { accessKeyId: fields.accessKeyId, secretAccessKey: fields.secretAccessKey };
  if (fields.sessionToken !== undefined) creds.sessionToken = fields.sessionToken;
  if (fields.expiration !== undefined) {
    const at = new Date(fields.expiration);
    if (Number.isNaN(at.getTime())) {
      throw new S3CredentialsError('CredentialsProviderError', `${source}: the answer's expiration is not a date.`);
    }
    creds.expiration = at;
  }
  return creds;
}

/** A source applies but failed: the chain stops here with this message. */
export function providerError(message: string): never {
  throw new S3CredentialsError('CredentialsProviderError', message);
}

/** The JSON both the EC2 instance metadata and the container endpoint answer: AccessKeyId, SecretAccessKey, Token, Expiration. */
export function metadataCredentials(source: string, json: Record<string, unknown>): Credentials {
  return credentialsFrom(
    source,
    {
      accessKeyId: stringField(json, 'AccessKeyId'),
      secretAccessKey: stringField(json, 'SecretAccessKey'),
      sessionToken: stringField(json, 'Token'),
      expiration: stringField(json, 'Expiration'),
    },
    false,
  );
}
