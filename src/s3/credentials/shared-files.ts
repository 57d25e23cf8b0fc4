/**
 * The shared config and credentials files (~/.aws/config, ~/.aws/credentials): where they are,
 * reading them, and a profile's settings merged from both.
 * https://docs.aws.amazon.com/sdkref/latest/guide/file-location.html
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parseIni, type IniSections } from './ini.js';
import { nonEmpty, type SharedConfigOptions } from './types.js';

export interface IniFile {
  readonly path: string;
  readonly sections?: IniSections;
  /** Why there are no sections: 'file not found', 'unreadable (EACCES)'. */
  readonly problem?: string;
}

/** Both files, read at one moment, and the profile they are read for. */
export interface SharedFiles {
  /** The selected profile: the `profile` option, AWS_PROFILE, else "default". */
  readonly profile: string;
  readonly home: string;
  readonly credentials: IniFile;
  readonly config: IniFile;
}

/** One profile's keys, the credentials file winning key by key as in the AWS CLI. */
export interface Profile {
  readonly name: string;
  readonly keys: Readonly<Record<string, string>>;
  /** The file the keys come from, for messages. */
  readonly where: string;
}

/** node:os only where HOME is unset: loading it is a few ms of every cold start otherwise. */
function osHomedir(): string {
  return (createRequire(import.meta.url)('node:os') as typeof import('node:os')).homedir();
}

function homeOf(opts: SharedConfigOptions, env: NodeJS.ProcessEnv): string {
  return opts.homeDir ?? nonEmpty(env.HOME) ?? nonEmpty(env.USERPROFILE) ?? osHomedir();
}

/** "~/" in the AWS_* path variables means the home directory, as in the AWS CLI. */
export function expandHome(path: string, home: string): string {
  return path === '~' || path.startsWith('~/') ? join(home, path.slice(1)) : path;
}

function locate(opts: SharedConfigOptions): { profile: string; home: string; credentials: string; config: string } {
  const env = opts.env ?? process.env;
  const home = homeOf(opts, env);
  return {
    profile: opts.profile ?? nonEmpty(env.AWS_PROFILE) ?? 'default',
    home,
    credentials: expandHome(nonEmpty(env.AWS_SHARED_CREDENTIALS_FILE) ?? join(home, '.aws', 'credentials'), home),
    config: expandHome(nonEmpty(env.AWS_CONFIG_FILE) ?? join(home, '.aws', 'config'), home),
  };
}

function unreadable(path: string, e: unknown): IniFile {
  const code: unknown = e instanceof Error ? Reflect.get(e, 'code') : undefined;
  return { path, problem: code === 'ENOENT' ? 'file not found' : `unreadable (${typeof code === 'string' ? code : String(e)})` };
}

async function readIniFile(path: string): Promise<IniFile> {
  try {
    return { path, sections: parseIni(await readFile(path, 'utf8')) };
  } catch (e) {
    return unreadable(path, e);
  }
}

function readIniFileSync(path: string): IniFile {
  try {
    return { path, sections: parseIni(readFileSync(path, 'utf8')) };
  } catch (e) {
    return unreadable(path, e);
  }
}

/** Reads both files. Files are read on every call: the credentials cache decides how often. */
export async function loadSharedFiles(opts: SharedConfigOptions = {}): Promise<SharedFiles> {
  const at = locate(opts);
  const [credentials, config] = await Promise.all([readIniFile(at.credentials), readIniFile(at.config)]);
  return { profile: at.profile, home: at.home, credentials, config };
}

/**
 * The config file alone, synchronously: the client's constructor needs the profile's endpoint
 * before its first call, so that presignSync() works as soon as the client exists.
 */
export function loadConfigFileSync(opts: SharedConfigOptions = {}): SharedFiles {
  const at = locate(opts);
  return { profile: at.profile, home: at.home, credentials: { path: at.credentials }, config: readIniFileSync(at.config) };
}

/** The profile's section in the config file: `[profile name]`, and for the default also `[default]`. */
function configSection(config: IniFile, name: string): Record<string, string> | undefined {
  const s = config.sections;
  if (!s) return undefined;
  const named = s[`profile ${name}`];
  const plain = name === 'default' ? s.default : undefined;
  return named || plain ? { ...plain, ...named } : undefined;
}

/** The named profile (default: the selected one), or `undefined` when neither file has it. */
export function profileOf(files: SharedFiles, name: string = files.profile): Profile | undefined {
  const fromCredentials = files.credentials.sections?.[name];
  const fromConfig = configSection(files.config, name);
  if (!fromCredentials && !fromConfig) return undefined;
  return { name, keys: { ...fromConfig, ...fromCredentials }, where: fromCredentials ? files.credentials.path : files.config.path };
}

/** A `[sso-session name]` or `[services name]` section of the config file. */
export function namedSection(files: SharedFiles, kind: 'sso-session' | 'services', name: string): Record<string, string> | undefined {
  return files.config.sections?.[`${kind} ${name}`];
}

/** Where the lookup of a profile stopped, file by file, for the "nothing found" message. */
export function describeProfileLookup(files: SharedFiles, name: string): string[] {
  const lines: string[] = [];
  for (const [file, section] of [
    [files.credentials, `[${name}]`],
    [files.config, name === 'default' ? '[default]' : `[profile ${name}]`],
  ] as const) {
    const found = file === files.credentials ? file.sections?.[name] : configSection(file, name);
    if (file.problem !== undefined) lines.push(`${file.path}: ${file.problem}`);
    else lines.push(`${file.path} ${section}: ${found ? 'no credentials in it' : 'no such section'}`);
  }
  return lines;
}

/**
 * The region: AWS_REGION, AWS_DEFAULT_REGION, the profile's `region` in the config file, else
 * us-east-1. https://docs.aws.amazon.com/sdkref/latest/guide/feature-region.html
 */
export async function resolveRegion(opts: SharedConfigOptions = {}): Promise<string> {
  const env = opts.env ?? process.env;
  const fromEnv = nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION);
  if (fromEnv !== undefined) return fromEnv;
  const files = await loadSharedFiles(opts);
  return nonEmpty(configSection(files.config, files.profile)?.region) ?? 'us-east-1';
}
