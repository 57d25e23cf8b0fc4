/**
 * Service endpoints configured outside the code, as the AWS CLI and SDKs apply them:
 * AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, the profile's `services` section, then the
 * profile's `endpoint_url`; all ignored when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS (or, when that is
 * unset, the profile's `ignore_configured_endpoint_urls`) is true. An endpoint passed in code outranks all of them.
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
 */
import { loadConfigFileSync, namedSection, profileOf, type SharedFiles } from './shared-files.js';
import { nonEmpty, type SharedConfigOptions } from './types.js';

/** Service identifiers as the endpoint settings spell them ('S3' → AWS_ENDPOINT_URL_S3, `s3 =` in services). */
export type ConfiguredService = 's3' | 'sts' | 'sso';

function isTrue(v: string | undefined): boolean | undefined {
  const s = nonEmpty(v?.trim().toLowerCase());
  return s === undefined ? undefined : s === 'true';
}

/**
 * The endpoint URL configured for `service`, or `undefined`. Reads the config file (synchronously)
 * unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true; pass `files` when they are already read.
 *
 * @example
 * // ~/.aws/config: [profile ceph] services = local  /  [services local] s3 = / endpoint_url = http://rgw:7480
 * configuredEndpoint('s3', { profile: 'ceph' }) // 'http://rgw:7480'
 */
export function configuredEndpoint(service: ConfiguredService, opts: SharedConfigOptions = {}, files?: SharedFiles): string | undefined {
  const env = opts.env ?? process.env;
  const ignoredByEnv = isTrue(env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS);
  if (ignoredByEnv === true) return undefined;
  const shared = files ?? loadConfigFileSync(opts);
  const profile = profileOf(shared)?.keys ?? {};
  // The environment variable, when set (even to false), outranks the profile's setting; either
  // one ignores the environment's endpoints as well as the files'.
  if (ignoredByEnv === undefined && isTrue(profile.ignore_configured_endpoint_urls) === true) return undefined;
  const fromEnv = nonEmpty(env[`AWS_ENDPOINT_URL_${service.toUpperCase()}`]) ?? nonEmpty(env.AWS_ENDPOINT_URL);
  if (fromEnv !== undefined) return fromEnv;
  const servicesName = nonEmpty(profile.services);
  const fromServices = servicesName === undefined ? undefined : namedSection(shared, 'services', servicesName)?.[`${service}.endpoint_url`];
  return nonEmpty(fromServices) ?? nonEmpty(profile.endpoint_url);
}
