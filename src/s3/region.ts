/**
 * Region ↔ host: the default AWS endpoint for a region, and the region a known host implies.
 * Pure string work; no network. (Looking up a bucket's region from a 301 belongs elsewhere.)
 */
import { S3ConfigError, quoteForMessage } from './config-error.js';

/**
 * AWS partitions whose DNS suffix differs from `amazonaws.com`, from the SDKs' partitions.json
 * (`@aws-sdk/util-endpoints`). GovCloud (`us-gov-*`) uses `amazonaws.com`, so it needs no row.
 * https://docs.aws.amazon.com/general/latest/gr/s3.html
 */
const PARTITION_DNS_SUFFIXES: readonly { readonly region: RegExp; readonly dnsSuffix: string }[] = [
  { region: /^cn-\w+-\d+$/, dnsSuffix: 'amazonaws.com.cn' },
  { region: /^eusc-de-\w+-\d+$/, dnsSuffix: 'amazonaws.eu' },
  { region: /^us-iso-\w+-\d+$/, dnsSuffix: 'c2s.ic.gov' },
  { region: /^us-isob-\w+-\d+$/, dnsSuffix: 'sc2s.sgov.gov' },
  { region: /^eu-isoe-\w+-\d+$/, dnsSuffix: 'cloud.adc-e.uk' },
  { region: /^us-isof-\w+-\d+$/, dnsSuffix: 'csp.hci.ic.gov' },
];
const AWS_DNS_SUFFIX = 'amazonaws.com';
const ALL_AWS_DNS_SUFFIXES: readonly string[] = [AWS_DNS_SUFFIX, ...PARTITION_DNS_SUFFIXES.map((p) => p.dnsSuffix)];

/** A region must be usable as one DNS label, e.g. `us-west-2`, `eu-isoe-west-1`. */
const REGION_LABEL = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** The shape of an AWS region code (`us-east-1`, `us-gov-west-1`, `cn-north-1`). */
const AWS_REGION_CODE = /^[a-z]{2,4}(?:-[a-z]+)+-\d+$/;

/** The DNS suffix of the AWS partition `region` belongs to: `amazonaws.com`, `amazonaws.com.cn`, ... */
export function dnsSuffixForRegion(region: string): string {
  for (const partition of PARTITION_DNS_SUFFIXES) {
    if (partition.region.test(region)) return partition.dnsSuffix;
  }
  return AWS_DNS_SUFFIX;
}

/**
 * The regional AWS S3 endpoint: `https://s3.{region}.{partition suffix}`.
 * us-east-1 gets `s3.us-east-1.amazonaws.com` too: it is valid, and unlike the global
 * `s3.amazonaws.com` it never answers with a cross-region redirect.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html#VirtualHostingBackwardsCompatibility
 *
 * @example defaultEndpoint('cn-north-1') === 'https://s3.cn-north-1.amazonaws.com.cn'
 */
export function defaultEndpoint(region: string): string {
  validateRegion(region);
  return `https://s3.${region}.${dnsSuffixForRegion(region)}`;
}

/** Throws `InvalidRegion` unless `region` can name an AWS endpoint. */
export function validateRegion(region: string): void {
  if (region === '') {
    throw new S3ConfigError('InvalidRegion', "Region is empty: set `region` (e.g. 'us-east-1'), or set `endpoint` for a non-AWS store.");
  }
  if (region === 'auto') {
    throw new S3ConfigError(
      'InvalidRegion',
      "Region 'auto' is Cloudflare R2's and has no AWS endpoint: set `endpoint` to 'https://<ACCOUNT_ID>.r2.cloudflarestorage.com'.",
    );
  }
  if (!REGION_LABEL.test(region)) {
    throw new S3ConfigError(
      'InvalidRegion',
      `Region ${quoteForMessage(region)} is not a region code: use lowercase letters, digits and hyphens, e.g. 'eu-west-1'.`,
    );
  }
}

/** True for AWS S3 hosts in any partition (`*.amazonaws.com`, `*.amazonaws.com.cn`, ...). */
export function isAwsHost(hostname: string): boolean {
  const host = hostname.endsWith('.') ? hostname.slice(0, -1) : hostname;
  return ALL_AWS_DNS_SUFFIXES.some((s) => host.endsWith(`.${s}`));
}

/**
 * The signing region a well-known host implies, or `undefined` when the host does not say.
 * - Cloudflare R2 (`<account>.r2.cloudflarestorage.com`, also `.eu.`/`.fedramp.` jurisdictions): `auto`.
 *   https://developers.cloudflare.com/r2/api/s3/api/
 * - AWS: `s3.amazonaws.com` and `s3-external-1.amazonaws.com` → `us-east-1`;
 *   `s3.{r}.`, `s3-{r}.` (legacy dash form), `s3.dualstack.{r}.`, `s3-fips[.dualstack].{r}.`,
 *   with a bucket or access-point label in front or not, in every partition.
 *   https://docs.aws.amazon.com/general/latest/gr/s3.html
 *
 * `hostname` is lowercase without port, as `URL#hostname` gives it.
 */
export function regionFromHost(hostname: string): string | undefined {
  const host = hostname.endsWith('.') ? hostname.slice(0, -1) : hostname;
  if (host.endsWith('.r2.cloudflarestorage.com')) return 'auto';

  const suffix = ALL_AWS_DNS_SUFFIXES.find((s) => host.endsWith(`.${s}`));
  if (suffix === undefined) return undefined;
  const labels = host.slice(0, -(suffix.length + 1)).split('.');
  const last = labels.at(-1) ?? '';
  if (suffix === AWS_DNS_SUFFIX && (last === 's3' || last === 's3-external-1')) return 'us-east-1';
  // Legacy dash form: s3-eu-west-1.amazonaws.com.
  if (last.startsWith('s3-') && AWS_REGION_CODE.test(last.slice(3))) return last.slice(3);
  // Dot form: the label before the region is the service (s3, s3-fips, s3-accesspoint, ...) or `dualstack`.
  const service = labels.at(-2) ?? '';
  if (AWS_REGION_CODE.test(last) && (service === 'dualstack' || service === 's3' || service.startsWith('s3-'))) {
    return last;
  }
  return undefined;
}
