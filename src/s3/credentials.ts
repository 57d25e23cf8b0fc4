/**
 * Credentials: where they come from (environment, shared config files, or a provider you write) and
 * a cache that refreshes expiring ones before they expire, once, however many requests ask.
 * File format and precedence follow the AWS SDKs and tools reference guide,
 * https://docs.aws.amazon.com/sdkref/latest/guide/file-format.html
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { S3CredentialsError } from './errors.js';

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

export interface CredentialsCacheOptions {
  /** Refresh this long before `expiration`. Default 5 minutes. */
  refreshBeforeMs?: number;
  /** Clock, in ms since the epoch. Tests pass a fake one. */
  now?: () => number;
  /** Told when a refresh failed but the previous credentials, still valid, keep being served. */
  onRefreshError?: (error: S3CredentialsError) => void;
}

const DEFAULT_REFRESH_BEFORE_MS = 5 * 60_000;
// After a failed refresh while the old credentials still work, wait this long before trying again,
// so a broken provider is not called by every request until expiry.
const RETRY_AFTER_FAILURE_MS = 10_000;

/**
 * Hands out credentials to the request pipeline. Static credentials are validated once and returned
 * as they are. Provider credentials are fetched on first use and refreshed `refreshBeforeMs` before
 * `expiration` (or at half their remaining lifetime, if that is shorter), by one provider call that
 * every concurrent `get()` shares.
 *
 * @example
 * const cache = new CredentialsCache(defaultCredentialsProvider());
 * const creds = cache.peek() ?? (await cache.get());
 */
export class CredentialsCache {
  readonly #provider: CredentialsProvider | undefined;
  readonly #static: Promise<Credentials> | undefined;
  readonly #staticValue: Credentials | undefined;
  readonly #refreshBeforeMs: number;
  readonly #now: () => number;
  readonly #onRefreshError: ((error: S3CredentialsError) => void) | undefined;
  #current: Credentials | undefined;
  #refreshAt = 0;
  #retryNotBefore = 0;
  #inflight: Promise<Credentials> | undefined;

  constructor(source: CredentialsInput, opts: CredentialsCacheOptions = {}) {
    if (typeof source === 'function') {
      this.#provider = source;
    } else {
      validateCredentials(source, 'the credentials passed to the client');
      this.#staticValue = source;
      this.#static = Promise.resolve(source);
    }
    this.#refreshBeforeMs = opts.refreshBeforeMs ?? DEFAULT_REFRESH_BEFORE_MS;
    this.#now = opts.now ?? Date.now;
    this.#onRefreshError = opts.onRefreshError;
  }

  /** The cached credentials if they need no refresh, without a promise; else `undefined` (call `get()`). */
  peek(): Credentials | undefined {
    return this.#staticValue ?? this.#usable(this.#now());
  }

  get(): Promise<Credentials> {
    if (this.#static) return this.#static;
    const cached = this.#usable(this.#now());
    if (cached) return Promise.resolve(cached);
    if (!this.#inflight) {
      // Cleared in a later microtask than the one that assigns it, even if the provider throws
      // synchronously, and before any waiter resumes: a waiter that retries starts a new refresh.
      this.#inflight = this.#refresh().finally(() => {
        this.#inflight = undefined;
      });
    }
    return this.#inflight;
  }

  /** Forgets provider credentials, e.g. after an ExpiredToken error; the next `get()` fetches new ones. No-op for static credentials. */
  invalidate(): void {
    this.#current = undefined;
    this.#refreshAt = 0;
    this.#retryNotBefore = 0;
  }

  #usable(now: number): Credentials | undefined {
    const c = this.#current;
    if (!c) return undefined;
    if (now < this.#refreshAt) return c;
    // In the refresh window after a failed refresh: keep serving what still works.
    if (now < this.#retryNotBefore && isValidAt(c, now)) return c;
    return undefined;
  }

  async #refresh(): Promise<Credentials> {
    const provider = this.#provider;
    if (!provider) throw new Error('unreachable: static credentials never refresh');
    try {
      const fresh = await callProvider(provider);
      const now = this.#now();
      if (!isValidAt(fresh, now)) {
        throw new S3CredentialsError(
          'CredentialsExpired',
          `The credentials provider returned credentials that expired at ${fresh.expiration?.toISOString() ?? '?'}.`,
        );
      }
      this.#current = fresh;
      this.#refreshAt = refreshTime(fresh, now, this.#refreshBeforeMs);
      this.#retryNotBefore = 0;
      return fresh;
    } catch (cause) {
      const error = asCredentialsError(cause);
      const now = this.#now();
      const previous = this.#current;
      if (previous && isValidAt(previous, now)) {
        this.#retryNotBefore = now + RETRY_AFTER_FAILURE_MS;
        this.#onRefreshError?.(error);
        return previous;
      }
      throw error;
    }
  }
}

async function callProvider(provider: CredentialsProvider): Promise<Credentials> {
  const creds = await provider();
  validateCredentials(creds, 'the credentials provider');
  return creds;
}

function isValidAt(c: Credentials, now: number): boolean {
  return c.expiration === undefined || now < c.expiration.getTime();
}

/** `refreshBeforeMs` ahead of expiry, or half the remaining lifetime for short-lived credentials,
 * so 3-minute credentials with a 5-minute margin do not trigger a refresh on every request. */
function refreshTime(c: Credentials, now: number, refreshBeforeMs: number): number {
  if (c.expiration === undefined) return Number.POSITIVE_INFINITY;
  const expiry = c.expiration.getTime();
  return expiry - Math.min(refreshBeforeMs, (expiry - now) / 2);
}

function asCredentialsError(e: unknown): S3CredentialsError {
  if (e instanceof S3CredentialsError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new S3CredentialsError('CredentialsProviderError', `The credentials provider failed: ${message}`, { cause: e });
}

/**
 * Rejects credentials that cannot sign: empty keys, and keys with whitespace (a trailing newline
 * copied from a file gives SignatureDoesNotMatch far from its cause). Names the source, never the secret.
 */
export function validateCredentials(c: Credentials, source: string): void {
  const problems: string[] = [];
  if (typeof c.accessKeyId !== 'string' || c.accessKeyId === '') problems.push('the access key id is empty');
  else if (/\s/.test(c.accessKeyId)) problems.push('the access key id contains whitespace');
  if (typeof c.secretAccessKey !== 'string' || c.secretAccessKey === '') problems.push('the secret access key is empty');
  else if (/\s/.test(c.secretAccessKey)) problems.push('the secret access key contains whitespace (a trailing newline?)');
  if (c.expiration !== undefined && !(c.expiration instanceof Date && !Number.isNaN(c.expiration.getTime()))) {
    problems.push('expiration is not a valid Date');
  }
  if (problems.length > 0) {
    throw new S3CredentialsError('InvalidCredentials', `Invalid credentials from ${source}: ${problems.join('; ')}.`);
  }
}

// ---------------------------------------------------------------------------------------------
// Shared config and credentials files

export interface SharedConfigOptions {
  /** Defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Profile to read; defaults to AWS_PROFILE, then "default". Given here, it also skips the environment keys. */
  profile?: string;
  /** Where ~/.aws lives; defaults to $HOME. */
  homeDir?: string;
}

/**
 * Parses the AWS shared config/credentials format: `[section]` headers, `key = value` lines
 * (split at the first '=': session tokens end in '='), full-line comments with '#' or ';', inline
 * comments after whitespace, and indented sub-keys stored as `parent.key` (e.g. `s3 =` then
 * `  max_concurrent_requests = 20`). Section names are kept as written, e.g. 'profile dev'.
 * https://docs.aws.amazon.com/sdkref/latest/guide/file-format.html
 */
export function parseIni(text: string): Record<string, Record<string, string>> {
  // Null-prototype records: a section or key named __proto__ stays a plain entry.
  const sections: Record<string, Record<string, string>> = Object.create(null) as Record<string, Record<string, string>>;
  let section: Record<string, string> | undefined;
  let parent: string | undefined;
  for (const raw of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)[#;].*$/, '');
    if (line.trim() === '') continue;
    const header = /^\s*\[([^\]]*)\]\s*$/.exec(line);
    if (header) {
      const name = (header[1] ?? '').trim().replace(/\s+/g, ' ');
      section = sections[name] ??= Object.create(null) as Record<string, string>;
      parent = undefined;
      continue;
    }
    const eq = line.indexOf('=');
    if (!section || eq === -1) continue;
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (/^\s/.test(raw) && parent !== undefined) {
      section[`${parent}.${key}`] = value;
    } else {
      section[key] = value;
      parent = value === '' ? key : undefined;
    }
  }
  return sections;
}

interface IniFile {
  path: string;
  sections?: Record<string, Record<string, string>>;
  /** Why there are no sections: 'file not found', 'unreadable (EACCES)'. */
  problem?: string;
}

interface SharedFilePaths {
  profile: string;
  credentials: string;
  config: string;
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}

async function readIniFile(path: string): Promise<IniFile> {
  try {
    return { path, sections: parseIni(await readFile(path, 'utf8')) };
  } catch (e) {
    const code: unknown = e instanceof Error ? Reflect.get(e, 'code') : undefined;
    return { path, problem: code === 'ENOENT' ? 'file not found' : `unreadable (${typeof code === 'string' ? code : String(e)})` };
  }
}

function sharedFilePaths(opts: SharedConfigOptions, env: NodeJS.ProcessEnv): SharedFilePaths {
  const home = opts.homeDir ?? nonEmpty(env.HOME) ?? nonEmpty(env.USERPROFILE) ?? homedir();
  // "~/" in the AWS_* path variables means the home directory, as in the AWS CLI.
  const expand = (p: string): string => (p === '~' || p.startsWith('~/') ? join(home, p.slice(1)) : p);
  return {
    profile: opts.profile ?? nonEmpty(env.AWS_PROFILE) ?? 'default',
    credentials: expand(nonEmpty(env.AWS_SHARED_CREDENTIALS_FILE) ?? join(home, '.aws', 'credentials')),
    config: expand(nonEmpty(env.AWS_CONFIG_FILE) ?? join(home, '.aws', 'config')),
  };
}

/** The profile's section in the config file: `[profile name]`, and for the default also `[default]`. */
function configSection(config: IniFile, profile: string): Record<string, string> | undefined {
  const s = config.sections;
  if (!s) return undefined;
  const named = s[`profile ${profile}`];
  const plain = profile === 'default' ? s.default : undefined;
  return named || plain ? { ...plain, ...named } : undefined;
}

// Profile keys for credential sources we do not implement, to say so instead of "not found".
const UNSUPPORTED_PROFILE_KEYS = [
  'sso_session',
  'sso_start_url',
  'credential_process',
  'role_arn',
  'web_identity_token_file',
  'credential_source',
  'login_session',
];

/**
 * Static credentials from, in order: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN;
 * then the profile (AWS_PROFILE, else "default") in the credentials file (`[name]`) and the config
 * file (`[profile name]`), the credentials file winning key by key as in the AWS CLI. Paths honour
 * AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE. An explicit `profile` option skips the
 * environment keys. SSO, credential_process, assume-role, web identity and instance metadata are
 * not supported. Files are read on every call: wrap the provider in a CredentialsCache.
 * https://docs.aws.amazon.com/sdkref/latest/guide/standardized-credentials.html
 */
export function defaultCredentialsProvider(opts: SharedConfigOptions = {}): CredentialsProvider {
  return async () => {
    const env = opts.env ?? process.env;
    const looked: string[] = [];
    if (opts.profile === undefined) {
      const fromEnv = credentialsFromEnv(env);
      if (fromEnv) return fromEnv;
      looked.push('environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set');
    } else {
      looked.push(`environment: skipped, profile "${opts.profile}" was asked for explicitly`);
    }

    const paths = sharedFilePaths(opts, env);
    const profile = paths.profile;
    const [credentials, config] = await Promise.all([readIniFile(paths.credentials), readIniFile(paths.config)]);
    const fromCredentials = credentials.sections?.[profile];
    const fromConfig = configSection(config, profile);
    const merged: Record<string, string> = { ...fromConfig, ...fromCredentials };
    const id = nonEmpty(merged.aws_access_key_id);
    const secret = nonEmpty(merged.aws_secret_access_key);
    if (id !== undefined || secret !== undefined) {
      const where = `profile "${profile}" (${fromCredentials ? credentials.path : config.path})`;
      if (id === undefined || secret === undefined) {
        throw new S3CredentialsError(
          'InvalidCredentials',
          `Invalid credentials in ${where}: ${id === undefined ? 'aws_access_key_id' : 'aws_secret_access_key'} is missing or empty.`,
        );
      }
      const creds: Credentials = { accessKeyId: id, secretAccessKey: secret };
      const token = nonEmpty(merged.aws_session_token);
      if (token !== undefined) creds.sessionToken = token;
      validateCredentials(creds, where);
      return creds;
    }

    looked.push(describeLookup(credentials, `[${profile}]`, fromCredentials));
    looked.push(describeLookup(config, profile === 'default' ? '[default]' : `[profile ${profile}]`, fromConfig));
    const unsupported = UNSUPPORTED_PROFILE_KEYS.filter((k) => merged[k] !== undefined);
    const configure = profile === 'default' ? 'aws configure' : `aws configure --profile ${profile}`;
    throw new S3CredentialsError(
      'CredentialsNotFound',
      [
        'No AWS credentials found. Looked at:',
        ...looked.map((l) => `  - ${l}`),
        unsupported.length > 0
          ? `Profile "${profile}" uses ${unsupported.join(', ')}, which s3lane does not resolve (it reads static keys only). ` +
            `Export temporary keys instead: eval "$(aws configure export-credentials --profile ${profile} --format env)".`
          : `Fix: export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, run \`${configure}\`, or pass credentials to the client. ` +
            'SSO, credential_process, assume-role and instance metadata (IMDS/ECS) are not supported.',
      ].join('\n'),
    );
  };
}

function describeLookup(file: IniFile, section: string, found: Record<string, string> | undefined): string {
  if (file.problem !== undefined) return `${file.path}: ${file.problem}`;
  return `${file.path} ${section}: ${found ? 'no aws_access_key_id / aws_secret_access_key' : 'no such section'}`;
}

function credentialsFromEnv(env: NodeJS.ProcessEnv): Credentials | undefined {
  const id = nonEmpty(env.AWS_ACCESS_KEY_ID);
  const secret = nonEmpty(env.AWS_SECRET_ACCESS_KEY);
  if (id === undefined && secret === undefined) return undefined;
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
  return creds;
}

/**
 * The region: AWS_REGION, AWS_DEFAULT_REGION, the profile's `region` in the config file, else
 * us-east-1. https://docs.aws.amazon.com/sdkref/latest/guide/feature-region.html
 */
export async function resolveRegion(opts: SharedConfigOptions = {}): Promise<string> {
  const env = opts.env ?? process.env;
  const fromEnv = nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION);
  if (fromEnv !== undefined) return fromEnv;
  const paths = sharedFilePaths(opts, env);
  const config = await readIniFile(paths.config);
  return nonEmpty(configSection(config, paths.profile)?.region) ?? 'us-east-1';
}
