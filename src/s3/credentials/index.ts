/**
 * Credentials: where they come from and how long they are reused. One module per source of the
 * AWS SDKs' default chain (env, profile with its process/assume-role/web-identity/SSO variants,
 * web identity, container, instance metadata), the chain itself, and the cache in front of it.
 */
export type { ChainOptions, Credentials, CredentialsInput, CredentialsProvider, SharedConfigOptions } from './types.js';
export { CredentialsCache, validateCredentials, type CredentialsCacheOptions } from './cache.js';
export { defaultCredentialsProvider } from './chain.js';
export { parseIni } from './ini.js';
export { resolveRegion } from './shared-files.js';
export { configuredEndpoint, type ConfiguredService } from './endpoint-config.js';
