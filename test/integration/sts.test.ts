/**
 * STS AssumeRole checked by a server that verifies the signature: Ceph RGW's own STS (enabled by
 * S3_SERVER_STS=1 in scripts/s3-server.sh). The role is created through RGW's IAM API, then a
 * client whose profile says only `role_arn`, `source_profile` and `endpoint_url` assumes it and
 * uses the temporary credentials (with their session token) for real S3 calls.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { S3Client, S3CredentialsError } from '../../src/index.js';
import { SigV4Signer } from '../../src/signer/index.js';
import { describeWithServer, s3Server, uniqueBucketName } from './server.js';

const stsEnabled = process.env.S3_SERVER_STS === '1' && s3Server?.kind === 'ceph-rgw';
const ROLE = `s3lane-sts-${Date.now().toString(36)}`;

/** One call of RGW's IAM API (query protocol, signed for `iam`), as the test user. */
async function iam(params: Record<string, string>): Promise<{ status: number; body: string }> {
  if (!s3Server) throw new Error('no server');
  const body = new URLSearchParams(params).toString();
  const url = `${s3Server.endpoint}/`;
  const signer = new SigV4Signer({ credentials: { accessKeyId: s3Server.accessKeyId, secretAccessKey: s3Server.secretAccessKey }, region: s3Server.region, service: 'iam' });
  const signed = signer.sign({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body });
  const res = await request(url, { method: 'POST', headers: signed.headers, body });
  return { status: res.statusCode, body: await res.body.text() };
}

// `npm test` sets S3_SERVER_STS=1; elsewhere (MinIO, an external server) the title says why it is skipped.
(stsEnabled ? describeWithServer : describeWithServer.skip)(
  stsEnabled ? 'STS AssumeRole against Ceph RGW (verifies the signature)' : 'STS AssumeRole against Ceph RGW: skipped, needs S3_SERVER_STS=1 and the RGW of scripts/s3-server.sh',
  () => {
    let dir: string;
    let roleArn: string;

    beforeAll(async () => {
      if (!s3Server) throw new Error('no server');
      const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: ['arn:aws:iam:::user/s3lane-test'] }, Action: ['sts:AssumeRole'] }] };
      const created = await iam({ Action: 'CreateRole', RoleName: ROLE, Path: '/', AssumeRolePolicyDocument: JSON.stringify(trust) });
      expect(created.status, created.body).toBe(200);
      roleArn = /<Arn>([^<]+)<\/Arn>/.exec(created.body)?.[1] ?? '';
      expect(roleArn).toMatch(/^arn:aws:iam::.*:role\//);
      const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:*'], Resource: ['arn:aws:s3:::*'] }] };
      const put = await iam({ Action: 'PutRolePolicy', RoleName: ROLE, PolicyName: 'all-s3', PolicyDocument: JSON.stringify(policy) });
      expect(put.status, put.body).toBe(200);

      dir = mkdtempSync(join(tmpdir(), 's3lane-sts-'));
      const config = join(dir, 'config');
      writeFileSync(
        config,
        [
          '[profile base]',
          `aws_access_key_id = ${s3Server.accessKeyId}`,
          `aws_secret_access_key = ${s3Server.secretAccessKey}`,
          '[profile wrong-secret]',
          `aws_access_key_id = ${s3Server.accessKeyId}`,
          'aws_secret_access_key = not-the-secret',
          '[profile role]',
          `role_arn = ${roleArn}`,
          'source_profile = base',
          'role_session_name = s3lane-integration',
          `endpoint_url = ${s3Server.endpoint}`,
          `region = ${s3Server.region}`,
          '[profile role-wrong-secret]',
          `role_arn = ${roleArn}`,
          'source_profile = wrong-secret',
          `endpoint_url = ${s3Server.endpoint}`,
        ].join('\n'),
      );
      vi.stubEnv('AWS_CONFIG_FILE', config);
      vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', join(dir, 'none'));
      for (const name of ['AWS_PROFILE', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL_STS', 'AWS_REGION', 'AWS_DEFAULT_REGION']) vi.stubEnv(name, '');
      vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
    });

    afterAll(async () => {
      vi.unstubAllEnvs();
      if (dir) rmSync(dir, { recursive: true, force: true });
      await iam({ Action: 'DeleteRolePolicy', RoleName: ROLE, PolicyName: 'all-s3' });
      await iam({ Action: 'DeleteRole', RoleName: ROLE });
    });

    it('assumes the role named by the profile and uses the session credentials for S3 calls', async () => {
      const bucket = uniqueBucketName('sts');
      const s3 = new S3Client({ profile: 'role', bucket, forcePathStyle: true });
      try {
        await s3.createBucket();
        await s3.put({ key: 'hello.txt', body: 'from an assumed role' });
        const got = await s3.get({ key: 'hello.txt' });
        expect(await got.text()).toBe('from an assumed role');
        // The session token went with every request: the presigned URL carries it too.
        expect(new URL(await s3.presign({ key: 'hello.txt' })).searchParams.get('X-Amz-Security-Token')).toBeTruthy();
        await s3.delete({ key: 'hello.txt' });
        await s3.deleteBucket();
      } finally {
        await s3.close();
      }
    });

    it('gets RGW\'s refusal when the source credentials sign wrongly', async () => {
      const s3 = new S3Client({ profile: 'role-wrong-secret', bucket: 'any-bucket', forcePathStyle: true });
      const e: unknown = await s3.exists({ key: 'k' }).catch((err: unknown) => err);
      await s3.close();
      expect(e).toBeInstanceOf(S3CredentialsError);
      expect((e as S3CredentialsError).message).toMatch(/^STS AssumeRole \(arn:aws:iam::.*\) at http:\/\/127\.0\.0\.1:\d+ failed with HTTP 403, (AccessDenied|SignatureDoesNotMatch)/);
      expect((e as S3CredentialsError).message).not.toContain('not-the-secret');
    });
  },
);
