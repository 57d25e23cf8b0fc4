/**
 * The default chain's order and its "nothing found" error: every source configured at once, each
 * answering with its own key, then removed one by one from the front.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultCredentialsProvider } from '../../../src/s3/credentials/index.js';
import { failure, SECRET, tempHome, type TempHome } from './fixture.js';
import { startServer, type LocalServer } from './local-server.js';
import { containerHandler, FAR_FUTURE, imdsHandler, stsHandler } from './protocols.js';

const key = (name: string) => ({ AccessKeyId: `AKID${name}`.padEnd(20, 'X'), SecretAccessKey: SECRET, Token: `${name}-token`, Expiration: FAR_FUTURE });

let home: TempHome;
let servers: LocalServer[] = [];
beforeEach(() => {
  home = tempHome();
});
afterEach(async () => {
  home.remove();
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

describe('the default credential chain', () => {
  it('tries environment, shared files, web identity, container, instance metadata, in that order', async () => {
    const [sts, container, imds] = await Promise.all([
      startServer(stsHandler({ secrets: {}, issue: () => key('WEBIDENTITY') })),
      startServer(containerHandler('container-token', key('CONTAINER'))),
      startServer(imdsHandler('role', key('INSTANCE'))),
    ]);
    servers = [sts, container, imds];
    home.write('.aws/credentials', `[default]\naws_access_key_id = ${key('PROFILE').AccessKeyId}\naws_secret_access_key = ${SECRET}\n`);
    const env: NodeJS.ProcessEnv = {
      AWS_ACCESS_KEY_ID: key('ENV').AccessKeyId,
      AWS_SECRET_ACCESS_KEY: SECRET,
      AWS_WEB_IDENTITY_TOKEN_FILE: home.write('oidc', 'oidc-token'),
      AWS_ROLE_ARN: 'arn:aws:iam::1:role/irsa',
      AWS_ENDPOINT_URL_STS: sts.url,
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `${container.url}/creds`,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: 'container-token',
      AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url,
    };
    const winner = async () => (await defaultCredentialsProvider({ env, homeDir: home.dir })()).accessKeyId.replace(/^AKID|X+$/g, '');
    const order: string[] = [];
    order.push(await winner());
    delete env.AWS_ACCESS_KEY_ID;
    delete env.AWS_SECRET_ACCESS_KEY;
    order.push(await winner());
    home.write('.aws/credentials', '');
    order.push(await winner());
    delete env.AWS_WEB_IDENTITY_TOKEN_FILE;
    order.push(await winner());
    delete env.AWS_CONTAINER_CREDENTIALS_FULL_URI;
    order.push(await winner());
    expect(order).toEqual(['ENV', 'PROFILE', 'WEBIDENTITY', 'CONTAINER', 'INSTANCE']);
    // Each later source was not asked while an earlier one answered.
    expect([sts.received.length, container.received.length, imds.received.length]).toEqual([1, 1, 3]);
  });

  it('lists every source tried and why it was skipped when none yields credentials', async () => {
    const e = await failure(defaultCredentialsProvider({ env: { AWS_EC2_METADATA_DISABLED: 'true' }, homeDir: home.dir }));
    expect(e.code).toBe('CredentialsNotFound');
    expect(e.message).toBe(
      [
        'No AWS credentials found. Tried, in order:',
        '  - environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set',
        `  - shared config and credentials files: ${home.dir}/.aws/credentials: file not found; ${home.dir}/.aws/config: file not found`,
        '  - web identity: AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN are not set',
        '  - container credentials: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI are not set',
        '  - EC2 instance metadata: AWS_EC2_METADATA_DISABLED is true',
        'Fix: export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, run `aws configure`, or pass credentials to the client.',
      ].join('\n'),
    );
  });

  it('says why an explicit profile skipped the environment', async () => {
    const env = { AWS_ACCESS_KEY_ID: 'AKIDENV', AWS_SECRET_ACCESS_KEY: SECRET, AWS_EC2_METADATA_DISABLED: 'true' };
    home.write('.aws/config', '[profile ci]\nregion = eu-west-1\n');
    const e = await failure(defaultCredentialsProvider({ env, homeDir: home.dir, profile: 'ci' }));
    expect(e.message).toContain('  - environment: profile "ci" was asked for explicitly\n');
    expect(e.message).toContain('run `aws configure --profile ci`');
  });
});
