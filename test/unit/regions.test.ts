/**
 * Regions through the client: pseudo-regions reach the endpoint and credential scope the AWS SDKs
 * give them, a region is checked whatever the endpoint, and the region a PrivateLink host names is
 * used. Presigning is pure, so the signed URL shows both the host and the scope without a request.
 */
import { describe, expect, it } from 'vitest';
import { S3Client, S3ConfigError } from '../../src/index.js';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

function presigned(options: { region?: string; endpoint?: string }): URL {
  const s3 = new S3Client({ ...options, credentials, bucket: 'my-bucket' });
  return new URL(s3.presignSync({ key: 'k' }));
}

function scopeRegion(url: URL): string | undefined {
  return url.searchParams.get('X-Amz-Credential')?.split('/')[2];
}

describe('regions through the client', () => {
  it.each([
    ['aws-global', 'my-bucket.s3.amazonaws.com', 'us-east-1'],
    ['s3-external-1', 'my-bucket.s3-external-1.amazonaws.com', 'us-east-1'],
    ['fips-us-gov-west-1', 'my-bucket.s3-fips.us-gov-west-1.amazonaws.com', 'us-gov-west-1'],
    ['us-east-1-fips', 'my-bucket.s3-fips.us-east-1.amazonaws.com', 'us-east-1'],
    ['eu-west-1', 'my-bucket.s3.eu-west-1.amazonaws.com', 'eu-west-1'],
  ])('pseudo-region %s → host %s, signed for %s', (region, host, scope) => {
    const url = presigned({ region });
    expect(url.host).toBe(host);
    expect(scopeRegion(url)).toBe(scope);
  });

  it('a pseudo-region with a custom endpoint signs for the region it stands for and keeps the endpoint', () => {
    const url = presigned({ region: 'aws-global', endpoint: 'http://127.0.0.1:9000' });
    expect(url.host).toBe('127.0.0.1:9000');
    expect(url.pathname).toBe('/my-bucket/k');
    expect(scopeRegion(url)).toBe('us-east-1');
  });

  it('the region of a PrivateLink endpoint host is used for signing', () => {
    const url = presigned({ endpoint: 'https://vpce-1a2b3c4d-5e6f.s3.us-west-2.vpce.amazonaws.com' });
    expect(url.host).toBe('my-bucket.vpce-1a2b3c4d-5e6f.s3.us-west-2.vpce.amazonaws.com');
    expect(scopeRegion(url)).toBe('us-west-2');
  });

  it.each([
    ['us-east-2!', 'http://127.0.0.1:9000'],
    ['us-east-2!', undefined],
    ['fips-nowhere', undefined],
  ])('region %s (endpoint %s) is refused in the constructor with InvalidRegion', (region, endpoint) => {
    let error: unknown;
    try {
      new S3Client({ region, credentials, ...(endpoint === undefined ? {} : { endpoint }) });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(S3ConfigError);
    expect((error as S3ConfigError).code).toBe('InvalidRegion');
    expect((error as S3ConfigError).message).toContain(region);
  });
});
