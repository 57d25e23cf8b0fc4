/**
 * The default credential chain, in the AWS SDKs' order: the environment, the shared files'
 * profile, web identity from the environment, container credentials, EC2 instance metadata.
 * The first source that applies decides: its credentials, or its error. When none applies, the
 * error lists every source and why it did not.
 * https://docs.aws.amazon.com/sdkref/latest/guide/standardized-credentials.html
 */
import { S3CredentialsError } from '../errors.js';
import { credentialsFromContainer } from './container.js';
import { credentialsFromEnv } from './env.js';
import { credentialsFromInstanceMetadata } from './imds.js';
import { credentialsFromProfile } from './profile.js';
import { loadSharedFiles } from './shared-files.js';
import { credentialsFromWebIdentityEnv } from './web-identity.js';
import type { ChainOptions, CredentialsProvider, SourceContext, SourceResult } from './types.js';

interface ChainLink {
  readonly name: string;
  readonly resolve: (ctx: SourceContext) => SourceResult | Promise<SourceResult>;
}

/**
 * Resolves credentials as the AWS SDKs do. An explicit `profile` skips the environment keys (the
 * user asked for that profile); AWS_PROFILE does not, as in the AWS CLI. Files are read on every
 * call: wrap the provider in a CredentialsCache, as S3Client does.
 *
 * @example
 * const s3 = new S3Client({ credentials: defaultCredentialsProvider({ profile: 'ci' }) });
 */
export function defaultCredentialsProvider(opts: ChainOptions = {}): CredentialsProvider {
  const explicitProfile = opts.profile;
  const links: ChainLink[] = [
    {
      name: 'environment',
      resolve: (ctx) =>
        explicitProfile === undefined ? credentialsFromEnv(ctx.env) : { skipped: `profile "${explicitProfile}" was asked for explicitly` },
    },
    { name: 'shared config and credentials files', resolve: credentialsFromProfile },
    { name: 'web identity', resolve: credentialsFromWebIdentityEnv },
    { name: 'container credentials', resolve: credentialsFromContainer },
    { name: 'EC2 instance metadata', resolve: credentialsFromInstanceMetadata },
  ];
  return async () => {
    const env = opts.env ?? process.env;
    const files = await loadSharedFiles({ ...opts, env });
    const ctx: SourceContext = { env, files, timeoutMs: opts.timeoutMs };
    const skipped: string[] = [];
    for (const link of links) {
      const result = await link.resolve(ctx);
      if ('credentials' in result) return result.credentials;
      skipped.push(`${link.name}: ${result.skipped}`);
    }
    const configure = files.profile === 'default' ? 'aws configure' : `aws configure --profile ${files.profile}`;
    throw new S3CredentialsError(
      'CredentialsNotFound',
      [
        'No AWS credentials found. Tried, in order:',
        ...skipped.map((line) => `  - ${line}`),
        `Fix: export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, run \`${configure}\`, or pass credentials to the client.`,
      ].join('\n'),
    );
  };
}
