/** The shapes every credential source shares. */
import type { SharedFiles } from './shared-files.js';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** When temporary credentials stop working; absent for long-term keys. */
  expiration?: Date;
}

/** Returns fresh credentials; called again when the previous ones near their `expiration`. */
export type CredentialsProvider = () => Promise<Credentials>;

export type CredentialsInput = Credentials | CredentialsProvider;

/**
 * What one source of the default chain answers: credentials, or why it does not apply here (not
 * configured, no metadata service). A source that applies but fails throws an S3CredentialsError
 * instead, and the chain stops there, as in the AWS SDKs: a broken role must not silently fall
 * through to the instance's own role.
 */
export type SourceResult = { readonly credentials: Credentials } | { readonly skipped: string };

/** Where the chain reads its settings; tests pass their own environment and home directory. */
export interface SharedConfigOptions {
  /** Defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Profile to read; defaults to AWS_PROFILE, then "default". Given here, it also skips the environment keys. */
  profile?: string;
  /** Where ~/.aws lives; defaults to $HOME. */
  homeDir?: string;
}

export interface ChainOptions extends SharedConfigOptions {
  /**
   * Time limit of each HTTP call and of credential_process, ms. Default: 1 s for the metadata
   * endpoints on the local link (IMDS, container), 5 s for STS and SSO, 60 s for credential_process.
   */
  timeoutMs?: number;
}

/** What every source of one chain run reads: the environment and the shared files, read once. */
export interface SourceContext {
  readonly env: NodeJS.ProcessEnv;
  readonly files: SharedFiles;
  readonly timeoutMs: number | undefined;
}

export function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}
