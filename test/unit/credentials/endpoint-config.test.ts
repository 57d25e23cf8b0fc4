/** Endpoints from the environment and the config file, with the AWS CLI's precedence. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configuredEndpoint, type ConfiguredService } from '../../../src/s3/credentials/index.js';
import { tempHome, type TempHome } from './fixture.js';

const CONFIG = [
  '[default]',
  'endpoint_url = http://profile-global:1',
  'services = local',
  '[profile plain]',
  'endpoint_url = http://plain-global:2',
  '[profile ignoring]',
  'endpoint_url = http://ignored:3',
  'ignore_configured_endpoint_urls = true',
  '[profile sts-only]',
  'services = sts-only',
  '[services local]',
  's3 =',
  '  endpoint_url = http://services-s3:4',
  'sts =',
  '  endpoint_url = http://services-sts:5',
  '[services sts-only]',
  'sts =',
  '  endpoint_url = http://services-sts:6',
].join('\n');

const CASES: readonly [string, ConfiguredService, NodeJS.ProcessEnv, string | undefined][] = [
  ['the services section beats the profile endpoint_url', 's3', {}, 'http://services-s3:4'],
  ['each service reads its own sub-section', 'sts', {}, 'http://services-sts:5'],
  ['the profile endpoint_url serves a service the section does not name', 'sso', {}, 'http://profile-global:1'],
  ['AWS_ENDPOINT_URL beats the file', 's3', { AWS_ENDPOINT_URL: 'http://env-global:7' }, 'http://env-global:7'],
  ['AWS_ENDPOINT_URL_S3 beats AWS_ENDPOINT_URL', 's3', { AWS_ENDPOINT_URL: 'http://env-global:7', AWS_ENDPOINT_URL_S3: 'http://env-s3:8' }, 'http://env-s3:8'],
  ['AWS_ENDPOINT_URL_STS is for STS only', 's3', { AWS_ENDPOINT_URL_STS: 'http://env-sts:9' }, 'http://services-s3:4'],
  ['an empty variable counts as unset', 's3', { AWS_ENDPOINT_URL_S3: '' }, 'http://services-s3:4'],
  ['AWS_PROFILE selects the profile', 's3', { AWS_PROFILE: 'plain' }, 'http://plain-global:2'],
  ['a services section without the service falls through to nothing', 's3', { AWS_PROFILE: 'sts-only' }, undefined],
  ['AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true ignores the environment and the file', 's3', { AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true', AWS_ENDPOINT_URL_S3: 'http://env-s3:8' }, undefined],
  ['the profile\'s ignore_configured_endpoint_urls ignores the environment too', 's3', { AWS_PROFILE: 'ignoring', AWS_ENDPOINT_URL: 'http://env-global:7' }, undefined],
  ['AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=false overrides the profile\'s setting', 's3', { AWS_PROFILE: 'ignoring', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'false' }, 'http://ignored:3'],
  ['a missing profile has no endpoint', 's3', { AWS_PROFILE: 'nobody' }, undefined],
];

describe('configuredEndpoint', () => {
  let home: TempHome;
  beforeEach(() => {
    home = tempHome();
    home.write('.aws/config', CONFIG);
  });
  afterEach(() => home.remove());

  it.each(CASES)('%s', (_name, service, env, expected) => {
    expect(configuredEndpoint(service, { env, homeDir: home.dir })).toBe(expected);
  });

  it('takes the profile option over AWS_PROFILE', () => {
    expect(configuredEndpoint('s3', { env: { AWS_PROFILE: 'ignoring' }, homeDir: home.dir, profile: 'plain' })).toBe('http://plain-global:2');
  });

  it('reads AWS_CONFIG_FILE', () => {
    const path = home.write('elsewhere/config', '[default]\nendpoint_url = http://elsewhere:1');
    expect(configuredEndpoint('s3', { env: { AWS_CONFIG_FILE: path }, homeDir: home.dir })).toBe('http://elsewhere:1');
  });
});
