/** S3Client applies the config file's endpoint and the `profile` option, as the AWS CLI does. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { S3Client } from '../../../src/index.js';
import { AKID, SECRET, tempHome, type TempHome } from './fixture.js';

const credentials = { accessKeyId: AKID, secretAccessKey: SECRET };

describe('S3Client endpoint from the config file', () => {
  let home: TempHome;
  beforeEach(() => {
    home = tempHome();
    const config = home.write(
      '.aws/config',
      [
        '[default]',
        'endpoint_url = http://default-store.localhost:7480',
        '[profile ceph]',
        'services = ceph-services',
        'region = eu-central-1',
        '[services ceph-services]',
        's3 =',
        '  endpoint_url = http://rgw.localhost:7480',
      ].join('\n'),
    );
    vi.stubEnv('AWS_CONFIG_FILE', config);
    for (const name of ['AWS_PROFILE', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_S3', 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', 'AWS_REGION', 'AWS_DEFAULT_REGION']) {
      vi.stubEnv(name, '');
    }
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    home.remove();
  });

  const presignedHost = (s3: S3Client) => new URL(s3.presignSync({ key: 'k' })).host;

  it('uses the default profile\'s endpoint_url', () => {
    expect(presignedHost(new S3Client({ credentials, region: 'us-east-1', bucket: 'photos', forcePathStyle: true }))).toBe('default-store.localhost:7480');
  });

  it('uses the services section of the profile named by the profile option, and its region', async () => {
    const s3 = new S3Client({ credentials, profile: 'ceph', bucket: 'photos', forcePathStyle: true });
    const url = new URL(await s3.presign({ key: 'k' }));
    expect(url.host).toBe('rgw.localhost:7480');
    expect(url.searchParams.get('X-Amz-Credential')).toContain('/eu-central-1/s3/aws4_request');
  });

  it('lets AWS_PROFILE select the profile, the explicit endpoint option beat the file, and AWS_IGNORE_CONFIGURED_ENDPOINT_URLS turn it off', () => {
    vi.stubEnv('AWS_PROFILE', 'ceph');
    expect(presignedHost(new S3Client({ credentials, region: 'us-east-1', bucket: 'photos', forcePathStyle: true }))).toBe('rgw.localhost:7480');
    expect(presignedHost(new S3Client({ credentials, region: 'us-east-1', bucket: 'photos', endpoint: 'http://explicit.localhost:1', forcePathStyle: true }))).toBe('explicit.localhost:1');
    vi.stubEnv('AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', 'true');
    expect(presignedHost(new S3Client({ credentials, region: 'us-east-1', bucket: 'photos' }))).toBe('photos.s3.us-east-1.amazonaws.com');
  });
});
