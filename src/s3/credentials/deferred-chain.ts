/**
 * The default chain behind a provider that loads it on its first call. The chain's sources (SSO,
 * STS, instance and container metadata, credential_process with child_process) are a dozen
 * modules: a client given keys never loads them, and one that needs them loads them once, with
 * its first request rather than with `import('s3lane')`.
 */
import type { ChainOptions, CredentialsProvider } from './types.js';

export function deferredDefaultChain(opts: ChainOptions): CredentialsProvider {
  let chain: Promise<CredentialsProvider> | undefined;
  return async () => {
    chain ??= import('./chain.js').then((module) => module.defaultCredentialsProvider(opts));
    return (await chain)();
  };
}
