import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  CredentialsCache,
  defaultCredentialsProvider,
  parseIni,
  resolveRegion,
  type Credentials,
  type CredentialsProvider,
} from '../../src/s3/credentials.js';
import { S3CredentialsError } from '../../src/s3/errors.js';

// AWS documentation example keys.
const AKID = 'AKIAIOSFODNN7EXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const TOKEN = 'IQoJb3JpZ2luX2VjEXAMPLE//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+abc/def==';

describe('parseIni', () => {
  it('reads sections, keys and values as the AWS config files write them', () => {
    const text = [
      '\uFEFF# comment',
      '[default]',
      'aws_access_key_id = AKID1',
      'aws_secret_access_key=SECRET1',
      '; another comment',
      '[profile   dev ]  # inline comment',
      'region = eu-west-1 ; inline comment',
      'aws_session_token = abc/def+ghi==',
      'password = p#ss;word',
      's3 =',
      '  max_concurrent_requests = 20',
      '  addressing_style = path',
      'output = json',
      '[sso-session my-sso]',
      'sso_region = us-east-1',
    ].join('\r\n');
    expect(parseIni(text)).toEqual({
      default: { aws_access_key_id: 'AKID1', aws_secret_access_key: 'SECRET1' },
      'profile dev': {
        region: 'eu-west-1',
        aws_session_token: 'abc/def+ghi==',
        password: 'p#ss;word',
        s3: '',
        's3.max_concurrent_requests': '20',
        's3.addressing_style': 'path',
        output: 'json',
      },
      'sso-session my-sso': { sso_region: 'us-east-1' },
    });
  });

  it('ignores keys before the first section and lines without "="', () => {
    expect(parseIni('orphan = 1\n[a]\njunk\nk = v')).toEqual({ a: { k: 'v' } });
  });

  it('merges repeated sections, later keys winning', () => {
    expect(parseIni('[a]\nk = 1\nx = 1\n[b]\n[a]\nk = 2')).toEqual({ a: { k: '2', x: '1' }, b: {} });
  });

  it('keeps a section named __proto__ as a plain entry', () => {
    const parsed = parseIni('[__proto__]\npolluted = yes');
    expect(Object.keys(parsed)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('defaultCredentialsProvider and resolveRegion (temporary HOME)', () => {
  let home: string;
  const write = (rel: string, text: string): string => {
    const path = join(home, rel);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, text);
    return path;
  };
  const provider = (env: NodeJS.ProcessEnv = {}, profile?: string) =>
    defaultCredentialsProvider(profile === undefined ? { env, homeDir: home } : { env, homeDir: home, profile });
  const failure = async (p: CredentialsProvider): Promise<S3CredentialsError> => {
    const e: unknown = await p().then(
      () => undefined,
      (err: unknown) => err,
    );
    if (!(e instanceof S3CredentialsError)) throw new Error(`expected S3CredentialsError, got ${String(e)}`);
    return e;
  };

  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 's3lane-creds-'));
  });
  afterEach(() => {
    rmSync(home, { recursive: true, force: true });
  });

  it('takes AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN first', async () => {
    write('.aws/credentials', '[default]\naws_access_key_id = FROMFILE\naws_secret_access_key = FROMFILE');
    await expect(provider({ AWS_ACCESS_KEY_ID: AKID, AWS_SECRET_ACCESS_KEY: SECRET, AWS_SESSION_TOKEN: TOKEN })()).resolves.toEqual({
      accessKeyId: AKID,
      secretAccessKey: SECRET,
      sessionToken: TOKEN,
    });
  });

  it('stops at half-set environment variables instead of falling through to a profile', async () => {
    write('.aws/credentials', `[default]\naws_access_key_id = ${AKID}\naws_secret_access_key = ${SECRET}`);
    const e = await failure(provider({ AWS_ACCESS_KEY_ID: AKID }));
    expect(e.code).toBe('InvalidCredentials');
    expect(e.message).toBe('AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not: set both, or neither.');
  });

  it('rejects a secret with a trailing newline without printing it', async () => {
    const e = await failure(provider({ AWS_ACCESS_KEY_ID: AKID, AWS_SECRET_ACCESS_KEY: `${SECRET}\r` }));
    expect(e.code).toBe('InvalidCredentials');
    expect(e.message).toContain('the secret access key contains whitespace');
    expect(`${e.message}${JSON.stringify(e)}`).not.toContain(SECRET);
  });

  it('reads the [default] profile of ~/.aws/credentials, session token with its "=" padding intact', async () => {
    write('.aws/credentials', `[default]\naws_access_key_id = ${AKID}\naws_secret_access_key = ${SECRET}\naws_session_token = ${TOKEN}\n`);
    await expect(provider()()).resolves.toEqual({ accessKeyId: AKID, secretAccessKey: SECRET, sessionToken: TOKEN });
  });

  it('reads AWS_PROFILE from [name] in credentials and [profile name] in config, credentials winning key by key', async () => {
    write('.aws/credentials', `[dev]\naws_secret_access_key = ${SECRET}\n[default]\naws_access_key_id = WRONG\naws_secret_access_key = WRONG`);
    write('.aws/config', `[profile dev]\naws_access_key_id = ${AKID}\naws_secret_access_key = OVERRIDDEN\nregion = eu-west-1\n[dev]\nregion = ignored`);
    await expect(provider({ AWS_PROFILE: 'dev' })()).resolves.toEqual({ accessKeyId: AKID, secretAccessKey: SECRET });
  });

  it('honours AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE, "~/" included', async () => {
    write('elsewhere/creds', `[default]\naws_access_key_id = ${AKID}\naws_secret_access_key = ${SECRET}`);
    write('.aws/credentials', '[default]\naws_access_key_id = WRONG\naws_secret_access_key = WRONG');
    write('elsewhere/config', '[profile ci]\nregion = ap-southeast-2');
    const env = { AWS_SHARED_CREDENTIALS_FILE: '~/elsewhere/creds', AWS_CONFIG_FILE: join(home, 'elsewhere/config') };
    await expect(provider(env)()).resolves.toEqual({ accessKeyId: AKID, secretAccessKey: SECRET });
    await expect(resolveRegion({ env: { ...env, AWS_PROFILE: 'ci' }, homeDir: home })).resolves.toBe('ap-southeast-2');
  });

  it('skips the environment keys when a profile is asked for explicitly', async () => {
    write('.aws/credentials', `[ci]\naws_access_key_id = ${AKID}\naws_secret_access_key = ${SECRET}`);
    await expect(provider({ AWS_ACCESS_KEY_ID: 'ENVKEY', AWS_SECRET_ACCESS_KEY: 'ENVSECRET' }, 'ci')()).resolves.toEqual({
      accessKeyId: AKID,
      secretAccessKey: SECRET,
    });
  });

  it('says where it looked and how to fix it when nothing is found', async () => {
    write('.aws/config', '[default]\nregion = us-west-2');
    const e = await failure(provider());
    expect(e.code).toBe('CredentialsNotFound');
    expect(e.retryable).toBe(false);
    expect(e.message).toContain('environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set');
    expect(e.message).toContain(`${join(home, '.aws', 'credentials')}: file not found`);
    expect(e.message).toContain(`${join(home, '.aws', 'config')} [default]: no aws_access_key_id / aws_secret_access_key`);
    expect(e.message).toContain('run `aws configure`');
    expect(e.message).toContain('SSO, credential_process, assume-role and instance metadata (IMDS/ECS) are not supported');
  });

  it('names a missing profile section', async () => {
    write('.aws/credentials', `[default]\naws_access_key_id = ${AKID}\naws_secret_access_key = ${SECRET}`);
    const e = await failure(provider({ AWS_PROFILE: 'prod' }));
    expect(e.message).toContain(`${join(home, '.aws', 'credentials')} [prod]: no such section`);
    expect(e.message).toContain('aws configure --profile prod');
  });

  it('says that an SSO or assume-role profile is not supported and how to export keys', async () => {
    write('.aws/config', '[profile sso]\nsso_session = corp\nsso_account_id = 111122223333\n[sso-session corp]\nsso_region = us-east-1');
    const e = await failure(provider({ AWS_PROFILE: 'sso' }));
    expect(e.code).toBe('CredentialsNotFound');
    expect(e.message).toContain('Profile "sso" uses sso_session, which s3lane does not resolve');
    expect(e.message).toContain('aws configure export-credentials --profile sso --format env');
  });

  it('rejects a profile with an access key id but no secret', async () => {
    write('.aws/credentials', `[default]\naws_access_key_id = ${AKID}\naws_secret_access_key =`);
    const e = await failure(provider());
    expect(e.code).toBe('InvalidCredentials');
    expect(e.message).toContain('aws_secret_access_key is missing or empty');
  });

  it('resolveRegion: AWS_REGION, then AWS_DEFAULT_REGION, then the profile, then us-east-1', async () => {
    write('.aws/config', '[default]\nregion = eu-north-1\n[profile dev]\nregion = sa-east-1');
    const at = (env: NodeJS.ProcessEnv, profile?: string) =>
      resolveRegion(profile === undefined ? { env, homeDir: home } : { env, homeDir: home, profile });
    await expect(at({ AWS_REGION: 'ap-south-1', AWS_DEFAULT_REGION: 'ca-central-1' })).resolves.toBe('ap-south-1');
    await expect(at({ AWS_REGION: '', AWS_DEFAULT_REGION: 'ca-central-1' })).resolves.toBe('ca-central-1');
    await expect(at({})).resolves.toBe('eu-north-1');
    await expect(at({ AWS_PROFILE: 'dev' })).resolves.toBe('sa-east-1');
    await expect(at({}, 'dev')).resolves.toBe('sa-east-1');
    await expect(at({ AWS_PROFILE: 'none' })).resolves.toBe('us-east-1');
    rmSync(join(home, '.aws'), { recursive: true });
    await expect(at({})).resolves.toBe('us-east-1');
  });
});

describe('CredentialsCache', () => {
  const MIN = 60_000;
  const T0 = Date.parse('2024-03-11T09:00:00Z');

  /** A clock the test moves by hand. */
  function fakeClock() {
    let t = T0;
    return { now: () => t, advance: (ms: number) => void (t += ms) };
  }

  /** A provider whose calls the test settles by hand. */
  function manualProvider() {
    const calls: { resolve: (c: Credentials) => void; reject: (e: unknown) => void }[] = [];
    const provider = vi.fn<CredentialsProvider>(
      () =>
        new Promise<Credentials>((resolve, reject) => {
          calls.push({ resolve, reject });
        }),
    );
    const settle = (i: number) => {
      const call = calls[i];
      if (!call) throw new Error(`no provider call #${i}`);
      return call;
    };
    return { provider, settle };
  }

  const creds = (id: string, expiresAt?: number): Credentials =>
    expiresAt === undefined
      ? { accessKeyId: id, secretAccessKey: SECRET }
      : { accessKeyId: id, secretAccessKey: SECRET, sessionToken: TOKEN, expiration: new Date(expiresAt) };

  it('returns static credentials as they are, from get() and peek()', async () => {
    const c = creds(AKID);
    const cache = new CredentialsCache(c);
    expect(cache.peek()).toBe(c);
    await expect(cache.get()).resolves.toBe(c);
    cache.invalidate();
    expect(cache.peek()).toBe(c);
  });

  it('rejects empty static credentials at construction, without the secret in the message', () => {
    expect(() => new CredentialsCache({ accessKeyId: '', secretAccessKey: SECRET })).toThrow(
      expect.objectContaining({ code: 'InvalidCredentials', message: expect.not.stringContaining(SECRET) as string }) as Error,
    );
    expect(() => new CredentialsCache({ accessKeyId: AKID, secretAccessKey: '' })).toThrow(/the secret access key is empty/);
  });

  it('calls the provider once for 100 concurrent get() calls', async () => {
    const { provider, settle } = manualProvider();
    const cache = new CredentialsCache(provider);
    expect(cache.peek()).toBeUndefined();
    const waiters = Array.from({ length: 100 }, () => cache.get());
    expect(provider).toHaveBeenCalledTimes(1);
    const c = creds('A');
    settle(0).resolve(c);
    const all = await Promise.all(waiters);
    expect(all.every((x) => x === c)).toBe(true);
    expect(cache.peek()).toBe(c);
    await cache.get();
    expect(provider).toHaveBeenCalledTimes(1);
  });

  it('refreshes 5 minutes before expiry, once under 100 concurrent get() calls', async () => {
    const clock = fakeClock();
    const { provider, settle } = manualProvider();
    const cache = new CredentialsCache(provider, { now: clock.now });
    const first = cache.get();
    settle(0).resolve(creds('A', T0 + 60 * MIN));
    await expect(first).resolves.toMatchObject({ accessKeyId: 'A' });

    clock.advance(55 * MIN - 1);
    expect(cache.peek()?.accessKeyId).toBe('A');
    expect(provider).toHaveBeenCalledTimes(1);

    clock.advance(1);
    expect(cache.peek()).toBeUndefined();
    const waiters = Array.from({ length: 100 }, () => cache.get());
    expect(provider).toHaveBeenCalledTimes(2);
    settle(1).resolve(creds('B', T0 + 120 * MIN));
    expect(new Set((await Promise.all(waiters)).map((c) => c.accessKeyId))).toEqual(new Set(['B']));
    expect(cache.peek()?.accessKeyId).toBe('B');
  });

  it('honours refreshBeforeMs', async () => {
    const clock = fakeClock();
    const provider = vi.fn<CredentialsProvider>(() => Promise.resolve(creds('A', clock.now() + 60 * MIN)));
    const cache = new CredentialsCache(provider, { now: clock.now, refreshBeforeMs: 10 * MIN });
    await cache.get();
    clock.advance(50 * MIN - 1);
    expect(cache.peek()).toBeDefined();
    clock.advance(1);
    expect(cache.peek()).toBeUndefined();
  });

  it('refreshes short-lived credentials at half their remaining lifetime, not on every call', async () => {
    const clock = fakeClock();
    const provider = vi.fn<CredentialsProvider>(() => Promise.resolve(creds('A', clock.now() + 4 * MIN)));
    const cache = new CredentialsCache(provider, { now: clock.now });
    await cache.get();
    await cache.get();
    expect(provider).toHaveBeenCalledTimes(1);
    clock.advance(2 * MIN);
    await cache.get();
    expect(provider).toHaveBeenCalledTimes(2);
  });

  it('keeps serving still-valid credentials when a refresh fails, reports it, and retries after a pause', async () => {
    const clock = fakeClock();
    const { provider, settle } = manualProvider();
    const onRefreshError = vi.fn();
    const cache = new CredentialsCache(provider, { now: clock.now, onRefreshError });
    const first = cache.get();
    settle(0).resolve(creds('A', T0 + 60 * MIN));
    await first;

    clock.advance(56 * MIN);
    const waiters = Array.from({ length: 100 }, () => cache.get());
    settle(1).reject(new Error('metadata service unavailable'));
    expect(new Set((await Promise.all(waiters)).map((c) => c.accessKeyId))).toEqual(new Set(['A']));
    expect(onRefreshError).toHaveBeenCalledTimes(1);
    expect(onRefreshError.mock.calls[0]?.[0]).toMatchObject({ code: 'CredentialsProviderError' });
    expect(JSON.stringify(onRefreshError.mock.calls)).not.toContain(SECRET);

    // No provider call per request while pausing…
    clock.advance(5_000);
    await expect(cache.get()).resolves.toMatchObject({ accessKeyId: 'A' });
    expect(cache.peek()?.accessKeyId).toBe('A');
    expect(provider).toHaveBeenCalledTimes(2);
    // …then one more try.
    clock.advance(5_000);
    const retry = cache.get();
    expect(provider).toHaveBeenCalledTimes(3);
    settle(2).resolve(creds('B', T0 + 120 * MIN));
    await expect(retry).resolves.toMatchObject({ accessKeyId: 'B' });
  });

  it('rejects every waiter when a refresh fails with nothing valid to fall back on; the next call retries', async () => {
    const { provider, settle } = manualProvider();
    const cache = new CredentialsCache(provider);
    const waiters = Array.from({ length: 100 }, () => cache.get());
    settle(0).reject(new Error('boom'));
    const results = await Promise.allSettled(waiters);
    expect(results.every((r) => r.status === 'rejected' && r.reason instanceof S3CredentialsError)).toBe(true);
    expect(results[0]).toMatchObject({ reason: { code: 'CredentialsProviderError', message: 'The credentials provider failed: boom' } });

    const next = cache.get();
    expect(provider).toHaveBeenCalledTimes(2);
    settle(1).resolve(creds('A'));
    await expect(next).resolves.toMatchObject({ accessKeyId: 'A' });
  });

  it('rejects once the credentials have expired and the refresh fails', async () => {
    const clock = fakeClock();
    const { provider, settle } = manualProvider();
    const cache = new CredentialsCache(provider, { now: clock.now });
    const first = cache.get();
    settle(0).resolve(creds('A', T0 + 60 * MIN));
    await first;
    clock.advance(60 * MIN);
    const late = cache.get();
    settle(1).reject(new S3CredentialsError('CredentialsNotFound', 'gone'));
    await expect(late).rejects.toMatchObject({ code: 'CredentialsNotFound', message: 'gone' });
  });

  it('rejects credentials that are already expired when the provider returns them', async () => {
    const clock = fakeClock();
    const cache = new CredentialsCache(() => Promise.resolve(creds('A', clock.now() - 1)), { now: clock.now });
    await expect(cache.get()).rejects.toMatchObject({ code: 'CredentialsExpired' });
  });

  it('rejects invalid credentials from a provider', async () => {
    const cache = new CredentialsCache(() => Promise.resolve({ accessKeyId: AKID, secretAccessKey: '' }));
    await expect(cache.get()).rejects.toMatchObject({ code: 'InvalidCredentials' });
  });

  it('recovers from a provider that throws synchronously', async () => {
    let calls = 0;
    const cache = new CredentialsCache(() => {
      calls++;
      if (calls === 1) throw new Error('sync failure');
      return Promise.resolve(creds('A'));
    });
    await expect(cache.get()).rejects.toMatchObject({ code: 'CredentialsProviderError' });
    await expect(cache.get()).resolves.toMatchObject({ accessKeyId: 'A' });
  });

  it('fetches new credentials after invalidate(), e.g. on ExpiredToken', async () => {
    let n = 0;
    const cache = new CredentialsCache(() => Promise.resolve(creds(`K${++n}`)));
    await expect(cache.get()).resolves.toMatchObject({ accessKeyId: 'K1' });
    cache.invalidate();
    expect(cache.peek()).toBeUndefined();
    await expect(cache.get()).resolves.toMatchObject({ accessKeyId: 'K2' });
  });
});
