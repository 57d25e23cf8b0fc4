import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultCredentialsProvider, resolveRegion } from '../../../src/s3/credentials/index.js';
import { AKID, failure, NO_IMDS, SECRET, tempHome, TOKEN, type TempHome } from './fixture.js';

describe('static keys from the environment and the shared files, and the region (temporary HOME)', () => {
  let t: TempHome;
  let home: string;
  const write = (rel: string, text: string): string => t.write(rel, text);
  const provider = (env: NodeJS.ProcessEnv = {}, profile?: string) =>
    defaultCredentialsProvider(
      profile === undefined ? { env: { ...NO_IMDS, ...env }, homeDir: home } : { env: { ...NO_IMDS, ...env }, homeDir: home, profile },
    );

  beforeEach(() => {
    t = tempHome();
    home = t.dir;
  });
  afterEach(() => t.remove());

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
    expect(e.message).toContain(`${join(home, '.aws', 'config')} [default]: no credentials in it`);
    expect(e.message).toContain('run `aws configure`');
  });

  it('stops at a named profile that does not exist, naming where it looked (no fall-through to other sources)', async () => {
    write('.aws/credentials', `[default]\naws_access_key_id = ${AKID}\naws_secret_access_key = ${SECRET}`);
    const e = await failure(provider({ AWS_PROFILE: 'prod', AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://127.0.0.1:1/never-asked' }));
    expect(e.code).toBe('CredentialsNotFound');
    expect(e.message).toContain('Profile "prod" does not exist: ');
    expect(e.message).toContain(`${join(home, '.aws', 'credentials')} [prod]: no such section`);
    expect(e.message).toContain('aws configure --profile prod');
  });

  it('names what an SSO profile lacks instead of falling through', async () => {
    write('.aws/config', '[profile sso]\nsso_session = corp\nsso_account_id = 111122223333\n[sso-session corp]\nsso_region = us-east-1');
    const e = await failure(provider({ AWS_PROFILE: 'sso' }));
    expect(e.code).toBe('CredentialsProviderError');
    expect(e.message).toBe('SSO: profile "sso" lacks sso_start_url, sso_role_name.');
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

