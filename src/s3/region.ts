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
 * How a configured region name is used: the region requests are signed for, and what that means
 * for AWS's endpoints. Pseudo-regions are mapped as the AWS SDKs map them.
 */
export interface RegionChoice {
  /** The region in the credential scope of every signature. */
  readonly signingRegion: string;
  /** A fixed AWS endpoint the name stands for (`aws-global`, `s3-external-1`), else undefined. */
  readonly globalEndpoint?: string | undefined;
  /** `fips-{r}` / `{r}-fips`: AWS's FIPS endpoints, `s3-fips.{r}.amazonaws.com`. */
  readonly fips: boolean;
}

/**
 * Pseudo-regions that name a fixed endpoint, signed for us-east-1 (botocore's endpoints.json,
 * the SDK for JavaScript v3's S3 rule set).
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html#VirtualHostingBackwardsCompatibility
 */
const GLOBAL_PSEUDO_REGIONS: Readonly<Record<string, string>> = {
  'aws-global': 'https://s3.amazonaws.com',
  's3-external-1': 'https://s3-external-1.amazonaws.com',
};
/** `fips-us-gov-west-1`, `us-gov-west-1-fips`: the SDKs' FIPS pseudo-regions (`resolveRegionConfig`). */
const FIPS_PSEUDO_REGION = /^fips-(.+)$|^(.+)-fips$/;

/**
 * Checks a configured region and tells how to use it: one validation for every region, whether
 * or not a custom endpoint is set (a custom endpoint still signs with it). Throws `InvalidRegion`
 * for a name that cannot be a credential-scope region, and for a FIPS pseudo-region around
 * something that is not an AWS region code.
 *
 * @example interpretRegion('fips-us-east-1') // { signingRegion: 'us-east-1', fips: true }
 * @example interpretRegion('aws-global') // { signingRegion: 'us-east-1', globalEndpoint: 'https://s3.amazonaws.com', fips: false }
 */
export function interpretRegion(region: string): RegionChoice {
  const globalEndpoint = GLOBAL_PSEUDO_REGIONS[region];
  if (globalEndpoint !== undefined) return { signingRegion: 'us-east-1', globalEndpoint, fips: false };
  checkRegionLabel(region);
  const fips = FIPS_PSEUDO_REGION.exec(region);
  if (fips === null) return { signingRegion: region, fips: false };
  const inner = fips[1] ?? fips[2] ?? '';
  if (!AWS_REGION_CODE.test(inner)) {
    throw new S3ConfigError(
      'InvalidRegion',
      `Region ${quoteForMessage(region)} is a FIPS pseudo-region around ${quoteForMessage(inner)}, which is not an AWS region code: use e.g. 'fips-us-gov-west-1' or 'us-east-1-fips'.`,
    );
  }
  return { signingRegion: inner, fips: true };
}

/**
 * The regional AWS S3 endpoint: `https://s3.{region}.{partition suffix}`, or `s3-fips.{region}`
 * for FIPS. us-east-1 gets `s3.us-east-1.amazonaws.com` too: it is valid, and unlike the global
 * `s3.amazonaws.com` it never answers with a cross-region redirect. Pseudo-regions (`aws-global`,
 * `s3-external-1`, `fips-…`, `…-fips`) give the endpoint they stand for.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html#VirtualHostingBackwardsCompatibility
 * https://aws.amazon.com/compliance/fips/
 *
 * @example defaultEndpoint('cn-north-1') === 'https://s3.cn-north-1.amazonaws.com.cn'
 * @example defaultEndpoint('us-west-2', { fips: true }) === 'https://s3-fips.us-west-2.amazonaws.com'
 */
export function defaultEndpoint(region: string, options: { readonly fips?: boolean } = {}): string {
  validateRegion(region);
  const choice = interpretRegion(region);
  if (choice.globalEndpoint !== undefined) return choice.globalEndpoint;
  const service = choice.fips || options.fips === true ? 's3-fips' : 's3';
  return `https://${service}.${choice.signingRegion}.${dnsSuffixForRegion(choice.signingRegion)}`;
}

/** Throws `InvalidRegion` unless `region` can name an AWS endpoint. */
export function validateRegion(region: string): void {
  if (region === 'auto') {
    throw new S3ConfigError(
      'InvalidRegion',
      "Region 'auto' is Cloudflare R2's and has no AWS endpoint: set `endpoint` to 'https://<ACCOUNT_ID>.r2.cloudflarestorage.com'.",
    );
  }
  checkRegionLabel(region);
}

/** Throws `InvalidRegion` unless `region` can stand in a credential scope and a DNS name: one label. */
function checkRegionLabel(region: string): void {
  if (region === '') {
    throw new S3ConfigError('InvalidRegion', "Region is empty: set `region` (e.g. 'us-east-1'), or set `endpoint` for a non-AWS store.");
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
 *   with a bucket or access-point label in front or not, in every partition; PrivateLink
 *   `vpce-….s3.{r}.vpce.amazonaws.com`.
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
  // PrivateLink interface endpoints: [bucket.]vpce-{id}.s3.{region}.vpce.amazonaws.com.
  // https://docs.aws.amazon.com/AmazonS3/latest/userguide/privatelink-interface-endpoints.html
  if (last === 'vpce') {
    const region = labels.at(-2) ?? '';
    return labels.at(-3) === 's3' && AWS_REGION_CODE.test(region) ? region : undefined;
  }
  // Legacy dash form: s3-eu-west-1.amazonaws.com.
  if (last.startsWith('s3-') && AWS_REGION_CODE.test(last.slice(3))) return last.slice(3);
  // Dot form: the label before the region is the service (s3, s3-fips, s3-accesspoint, ...) or `dualstack`.
  const service = labels.at(-2) ?? '';
  if (AWS_REGION_CODE.test(last) && (service === 'dualstack' || service === 's3' || service.startsWith('s3-'))) {
    return last;
  }
  return undefined;
}
