/**
 * Fault injection for the request pipeline: retries, region redirects, clock skew and expired
 * tokens. undici's MockAgent plays the server; it checks no signatures, so these tests pin only
 * the pipeline's decisions (real signing is proven against the real server).
 */
import { Readable } from 'node:stream';
import { MockAgent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { S3Client, S3Error, S3NetworkError, type S3ClientOptions } from '../../src/index.js';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const noDelay = { retries: 3, baseDelayMs: 0, maxDelayMs: 0 };

let agent: MockAgent;
afterEach(async () => {
  await agent.close();
});

function mockClient(options: S3ClientOptions = {}): S3Client {
  agent = new MockAgent();
  agent.disableNetConnect();
  return new S3Client({ region: 'us-east-1', credentials, retries: noDelay, dispatcher: agent, ...options });
}

const errorXml = (code: string, extra = ''): string =>
  `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${code} happened</Message>${extra}<RequestId>REQ1</RequestId></Error>`;

interface Seen {
  origin: string;
  path: string;
  authorization: string;
  date: string;
}

/** Records the requests each reply saw, and answers them in order from `replies`. */
function script(origin: string, replies: { status: number; body?: string; headers?: Record<string, string> }[], seen: Seen[]): void {
  const pool = agent.get(origin);
  for (const reply of replies) {
    pool
      .intercept({ path: () => true, method: () => true })
      .reply((request) => {
        const headers = request.headers as Record<string, string>;
        seen.push({ origin, path: request.path, authorization: headers['authorization'] ?? '', date: headers['x-amz-date'] ?? '' });
        return { statusCode: reply.status, data: reply.body ?? '', responseOptions: { headers: reply.headers ?? {} } };
      });
  }
}

describe('retries', () => {
  it.each([
    ['503 Service Unavailable', 503, errorXml('ServiceUnavailable')],
    ['SlowDown', 503, errorXml('SlowDown')],
    ['500 InternalError', 500, errorXml('InternalError')],
    ['RequestTimeout (400)', 400, errorXml('RequestTimeout')],
  ])('retries %s and then succeeds', async (_name, status, body) => {
    const s3 = mockClient({ endpoint: 'http://store.test' });
    const seen: Seen[] = [];
    script('http://store.test', [{ status, body }, { status, body }, { status: 200, headers: { etag: '"abc"' } }], seen);
    const result = await s3.put({ bucket: 'bucket', key: 'k', body: 'data' });
    expect(result.etag).toBe('"abc"');
    expect(seen).toHaveLength(3);
  });

  it('gives up after the configured retries with the last error', async () => {
    const s3 = mockClient({ endpoint: 'http://store.test', retries: { ...noDelay, retries: 2 } });
    const seen: Seen[] = [];
    script('http://store.test', Array.from({ length: 3 }, () => ({ status: 503, body: errorXml('SlowDown') })), seen);
    const error = await s3.put({ bucket: 'bucket', key: 'k', body: 'data' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(S3Error);
    expect((error as S3Error).code).toBe('SlowDown');
    expect(seen).toHaveLength(3);
  });

  it('does not retry a client error such as AccessDenied', async () => {
    const s3 = mockClient({ endpoint: 'http://store.test' });
    const seen: Seen[] = [];
    script('http://store.test', [{ status: 403, body: errorXml('AccessDenied') }], seen);
    await expect(s3.get({ bucket: 'bucket', key: 'k' })).rejects.toMatchObject({ code: 'AccessDenied', statusCode: 403 });
    expect(seen).toHaveLength(1);
  });

  it('does not retry a one-shot stream body, which cannot be sent twice', async () => {
    const s3 = mockClient({ endpoint: 'http://store.test', payloadSigning: 'unsigned' });
    const seen: Seen[] = [];
    script('http://store.test', [{ status: 503, body: errorXml('SlowDown') }, { status: 200 }], seen);
    const body = Readable.from([Buffer.from('data')]);
    await expect(s3.put({ bucket: 'bucket', key: 'k', body, contentLength: 4 })).rejects.toMatchObject({ code: 'SlowDown' });
    expect(seen).toHaveLength(1);
  });

  it('retries a connection reset, then reports a network error with its cause', async () => {
    const s3 = mockClient({ endpoint: 'http://store.test', retries: { ...noDelay, retries: 1 } });
    const pool = agent.get('http://store.test');
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    pool.intercept({ path: () => true, method: 'GET' }).replyWithError(reset).times(2);
    const error = await s3.get({ bucket: 'bucket', key: 'k' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(S3NetworkError);
  });
});

describe('the request line', () => {
  it('carries the query string that was signed (ListObjectsV2, multipart)', async () => {
    const s3 = mockClient({ endpoint: 'http://store.test' });
    const seen: Seen[] = [];
    const page = '<?xml version="1.0"?><ListBucketResult><IsTruncated>false</IsTruncated><KeyCount>0</KeyCount></ListBucketResult>';
    script('http://store.test', [{ status: 200, body: page }], seen);
    for await (const _ of s3.list({ bucket: 'bucket', prefix: 'a b/' })) break;
    expect(seen[0]?.path).toBe('/bucket/?list-type=2&encoding-type=url&prefix=a%20b%2F');
  });
});

describe('region redirects', () => {
  it('follows a 301 PermanentRedirect to the bucket region, re-signs, and remembers it', async () => {
    const s3 = mockClient();
    const seen: Seen[] = [];
    script(
      'https://bucket.s3.us-east-1.amazonaws.com',
      [{ status: 301, body: errorXml('PermanentRedirect', '<Endpoint>bucket.s3.eu-west-1.amazonaws.com</Endpoint>'), headers: { 'x-amz-bucket-region': 'eu-west-1' } }],
      seen,
    );
    script('https://bucket.s3.eu-west-1.amazonaws.com', [{ status: 200, body: 'hello' }, { status: 200, body: 'again' }], seen);
    expect(await (await s3.get({ bucket: 'bucket', key: 'k' })).text()).toBe('hello');
    expect(seen.map((s) => s.origin)).toEqual(['https://bucket.s3.us-east-1.amazonaws.com', 'https://bucket.s3.eu-west-1.amazonaws.com']);
    expect(seen[1]?.authorization).toContain('/eu-west-1/s3/aws4_request');
    // The second call goes straight to the learnt region.
    expect(await (await s3.get({ bucket: 'bucket', key: 'k' })).text()).toBe('again');
    expect(seen).toHaveLength(3);
  });

  it('re-signs for the region named by AuthorizationHeaderMalformed on a custom endpoint', async () => {
    const s3 = mockClient({ endpoint: 'https://storage.example.com', forcePathStyle: true });
    const seen: Seen[] = [];
    script(
      'https://storage.example.com',
      [
        { status: 400, body: errorXml('AuthorizationHeaderMalformed', '<Region>ap-south-1</Region>') },
        { status: 200, body: 'ok' },
      ],
      seen,
    );
    expect(await (await s3.get({ bucket: 'bucket', key: 'k' })).text()).toBe('ok');
    expect(seen[0]?.authorization).toContain('/us-east-1/s3/');
    expect(seen[1]?.authorization).toContain('/ap-south-1/s3/');
  });
});

describe('clock skew', () => {
  it('corrects its clock from the server Date after RequestTimeTooSkewed and retries once', async () => {
    const s3 = mockClient({ endpoint: 'http://store.test' });
    const seen: Seen[] = [];
    const serverNow = new Date(Date.now() + 3 * 3600_000);
    script(
      'http://store.test',
      [{ status: 403, body: errorXml('RequestTimeTooSkewed'), headers: { date: serverNow.toUTCString() } }, { status: 200, body: 'ok' }],
      seen,
    );
    expect(await (await s3.get({ bucket: 'bucket', key: 'k' })).text()).toBe('ok');
    const signedAt = (amzDate: string): number =>
      Date.parse(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
    const corrected = signedAt(seen[1]?.date ?? '');
    expect(Math.abs(corrected - serverNow.getTime())).toBeLessThan(5_000);
  });
});

describe('credentials', () => {
  it('asks the provider again after ExpiredToken and retries with the new keys', async () => {
    let calls = 0;
    const provider = async () => {
      calls++;
      return { accessKeyId: `AKID${calls}`, secretAccessKey: 'secret', sessionToken: `token-${calls}`, expiration: new Date(Date.now() + 3600_000) };
    };
    const s3 = mockClient({ endpoint: 'http://store.test', credentials: provider });
    const seen: Seen[] = [];
    script('http://store.test', [{ status: 400, body: errorXml('ExpiredToken') }, { status: 200, body: 'ok' }], seen);
    expect(await (await s3.get({ bucket: 'bucket', key: 'k' })).text()).toBe('ok');
    expect(seen[0]?.authorization).toContain('Credential=AKID1/');
    expect(seen[1]?.authorization).toContain('Credential=AKID2/');
  });

  it('shares one provider call among many concurrent requests', async () => {
    let calls = 0;
    const provider = async () => {
      calls++;
      await new Promise((resolve) => setImmediate(resolve));
      return { ...credentials, expiration: new Date(Date.now() + 3600_000) };
    };
    const s3 = mockClient({ endpoint: 'http://store.test', credentials: provider });
    const seen: Seen[] = [];
    script('http://store.test', Array.from({ length: 50 }, () => ({ status: 200, body: 'ok' })), seen);
    await Promise.all(Array.from({ length: 50 }, () => s3.get({ bucket: 'bucket', key: 'k' }).then((o) => o.text())));
    expect(calls).toBe(1);
  });
});

describe('signature diagnostics', () => {
  const secrets = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'FQoGZXIvYXdzEXAMPLETOKEN' };

  it('puts the server canonical request beside ours and names the differing line, with no secret', async () => {
    const s3 = mockClient({ endpoint: 'http://store.test', credentials: secrets, retries: 0 });
    let ours = '';
    agent
      .get('http://store.test')
      .intercept({ path: () => true, method: 'GET' })
      .reply((request) => {
        const headers = request.headers as Record<string, string>;
        ours = [
          'GET',
          '/bucket/k',
          '',
          'host:proxy.internal', // a proxy rewrote Host: the one line that differs
          `x-amz-content-sha256:${headers['x-amz-content-sha256'] ?? ''}`,
          `x-amz-date:${headers['x-amz-date'] ?? ''}`,
          `x-amz-security-token:${secrets.sessionToken}`,
          '',
          'host;x-amz-content-sha256;x-amz-date;x-amz-security-token',
          headers['x-amz-content-sha256'] ?? '',
        ].join('\n');
        const signature = (headers['authorization'] ?? '').split('Signature=')[1] ?? '';
        const body = errorXml(
          'SignatureDoesNotMatch',
          `<AWSAccessKeyId>${secrets.accessKeyId}</AWSAccessKeyId><StringToSign>AWS4-HMAC-SHA256\n${headers['x-amz-date'] ?? ''}</StringToSign>` +
            `<SignatureProvided>${signature}</SignatureProvided><CanonicalRequest>${ours}</CanonicalRequest>`,
        );
        return { statusCode: 403, data: body };
      });
    const error = (await s3.get({ bucket: 'bucket', key: 'k' }).catch((e: unknown) => e)) as S3Error;
    expect(error).toBeInstanceOf(S3Error);
    expect(error.code).toBe('SignatureDoesNotMatch');
    expect(error.serverCanonicalRequest).toContain('host:proxy.internal');
    expect(error.canonicalRequest).toContain('host:store.test');
    expect(error.message).toContain('host:proxy.internal');
    expect(error.message).toContain('host:store.test');
    for (const text of [error.message, JSON.stringify(error), String(error.stack)]) {
      expect(text).not.toContain(secrets.secretAccessKey);
      expect(text).not.toContain(secrets.sessionToken);
      expect(text).not.toMatch(/Signature=[0-9a-f]{64}/);
    }
  });

  it('logs canonical request and string to sign to the logger, token redacted', async () => {
    const lines: string[] = [];
    const s3 = mockClient({ endpoint: 'http://store.test', credentials: secrets, logger: { debug: (m) => lines.push(m) } });
    const seen: Seen[] = [];
    script('http://store.test', [{ status: 200, body: 'ok' }], seen);
    await (await s3.get({ bucket: 'bucket', key: 'k' })).text();
    const log = lines.join('\n');
    expect(log).toContain('-- canonical request --\nGET\n/bucket/k\n');
    expect(log).toContain('-- string to sign --\nAWS4-HMAC-SHA256\n');
    expect(log).toContain('x-amz-security-token:');
    expect(log).not.toContain(secrets.sessionToken);
    expect(log).not.toContain(secrets.secretAccessKey);
  });
});
