import { describe, expect, it, vi } from 'vitest';
import { CredentialsCache, parseIni, type Credentials, type CredentialsProvider } from '../../../src/s3/credentials/index.js';
import { S3CredentialsError } from '../../../src/s3/errors.js';

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
