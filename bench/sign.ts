/**
 * Signing benchmark: header signing and presigning by s3lane and its peers, measured side by side
 * in one process. Each round runs every contender once (order rotated between rounds) for a
 * batch sized to ~20 ms; after warm-up rounds, the median round is reported. Ratios are the
 * median of the per-round ratios, which cancels most of the drift of a shared machine.
 *
 * Inputs are matched: signers that take an encoded path or URL (s3lane, smithy, aws4, aws4fetch)
 * get the same pre-encoded path; signers that take a raw object key (minio, lean-s3) encode it
 * themselves, so they are compared with "s3lane + uriEncode", which encodes the key per call too.
 *
 * The "crypto floor" is the least any SigV4 signer must do per request once its key is cached:
 * one SHA-256 of the canonical request and one HMAC-SHA256 of the string to sign, with the
 * fastest node:crypto calls (crypto.hash, createHmac with a KeyObject).
 *
 * Before measuring, every contender that accepts a fixed date signs the same request at that
 * date and must produce s3lane's signature, so all rows do the same work.
 *
 * Usage: npm run bench -- sign [--rounds N] [--batch-ms N]   (or npx tsx bench/sign.ts ...)
 */
import { createHash, createHmac, createSecretKey, hash } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import aws4 from 'aws4';
import { AwsV4Signer } from 'aws4fetch';
import { S3Client as LeanS3Client } from 'lean-s3';
import { Client as MinioClient } from 'minio';
import { S3Client } from '../src/index.js';
import { SigV4Signer, UNSIGNED_PAYLOAD, toAmzDate, uriEncode } from '../src/signer/index.js';
import { median, rotate } from './lib/stats.js';
import { formatNumber, formatRatio, formatTable } from './lib/table.js';

const ACCESS_KEY = 'AKIAIOSFODNN7EXAMPLE';
const SECRET_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const REGION = 'us-east-1';
const BUCKET = 'examplebucket';
const HOST = `${BUCKET}.s3.${REGION}.amazonaws.com`;
const ORIGIN = `https://${HOST}`;
/** An object key that needs encoding (space, '+'), as real keys often do. */
const KEY = 'reports/2024 Q1/summary+final.pdf';
const EXPIRES = 3600;
const CHECK_DATE = new Date('2024-03-01T12:00:00Z');

/** One signer under test, erased to what the runner needs. */
interface Contender {
  readonly name: string;
  /** 'path': given the encoded path; 'key': given the raw object key, encodes it itself. */
  readonly input: 'path' | 'key';
  /** One signing operation, as timed (awaited when it returns a promise). */
  readonly op: () => unknown;
  /** The signature it produces at CHECK_DATE, for signers that take a date. */
  readonly check: (() => Promise<string>) | undefined;
}

/**
 * Defines a contender from one function that signs the benchmark request (at `date`, or now),
 * so the timed operation and the cross-checked one are the same code.
 */
function contender<T>(spec: {
  name: string;
  input: 'path' | 'key';
  run: (date?: Date) => T | Promise<T>;
  signature?: (result: T) => string;
}): Contender {
  const { run, signature } = spec;
  return {
    name: spec.name,
    input: spec.input,
    op: () => run(),
    check: signature === undefined ? undefined : async () => signature(await run(CHECK_DATE)),
  };
}

/** smithy's hash interface on node:crypto, as the AWS SDK's Node build (@smithy/hash-node) provides it. */
class NodeSha256 {
  readonly #secret: string | Uint8Array | undefined;
  #hash: ReturnType<typeof createHash> | ReturnType<typeof createHmac>;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.#secret =
      secret === undefined || typeof secret === 'string'
        ? secret
        : ArrayBuffer.isView(secret)
          ? new Uint8Array(secret.buffer, secret.byteOffset, secret.byteLength)
          : new Uint8Array(secret);
    this.#hash = this.#fresh();
  }
  #fresh() {
    return this.#secret === undefined ? createHash('sha256') : createHmac('sha256', this.#secret);
  }
  update(data: Uint8Array): void {
    this.#hash.update(data);
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.#hash.digest()));
  }
  reset(): void {
    this.#hash = this.#fresh();
  }
}

const CREDENTIALS = { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY };
const s3lane = new SigV4Signer({ credentials: CREDENTIALS, region: REGION, service: 's3' });
const smithy = new SignatureV4({
  credentials: CREDENTIALS,
  region: REGION,
  service: 's3',
  sha256: NodeSha256,
  uriEscapePath: false,
  applyChecksum: false,
});
const aws4fetchCache = new Map<string, ArrayBuffer>(); // as AwsClient does: one key cache for all requests
const lean = new LeanS3Client({ endpoint: 'https://{bucket}.s3.{region}.amazonaws.com', region: REGION, bucket: BUCKET, ...CREDENTIALS });
// With the region given, minio never looks up the bucket's region (no network; enforced in main()).
const minio = new MinioClient({
  endPoint: `s3.${REGION}.amazonaws.com`,
  region: REGION,
  useSSL: true,
  pathStyle: false,
  accessKey: ACCESS_KEY,
  secretKey: SECRET_KEY,
});

// The client, as a service uses it: key in, URL out (bucket routing, key encoding, signer cache).
const client = new S3Client({ region: REGION, credentials: CREDENTIALS, bucket: BUCKET });

/** The key's wire path, encoded once: what a client passes to the signers that take paths. */
const WIRE_PATH = `/${uriEncode(KEY, false)}`;
// The S3 presigner's settings: UNSIGNED-PAYLOAD, from a header that is neither signed nor hoisted.
const SMITHY_PRESIGN = {
  expiresIn: EXPIRES,
  unsignableHeaders: new Set(['x-amz-content-sha256']),
  unhoistableHeaders: new Set(['x-amz-content-sha256']),
};

const signatureInUrl = (url: string): string => new URL(url).searchParams.get('X-Amz-Signature') ?? '';
const signatureInAuthorization = (authorization: unknown): string => String(authorization).split('Signature=')[1] ?? '';
const smithyRequest = (): HttpRequest =>
  new HttpRequest({
    method: 'GET',
    protocol: 'https:',
    hostname: HOST,
    path: WIRE_PATH,
    headers: { host: HOST, 'x-amz-content-sha256': UNSIGNED_PAYLOAD },
  });
const aws4fetchSigner = (signQuery: boolean, date: Date | undefined): AwsV4Signer =>
  new AwsV4Signer({
    url: `${ORIGIN}${WIRE_PATH}${signQuery ? `?X-Amz-Expires=${EXPIRES}` : ''}`,
    ...CREDENTIALS,
    service: 's3',
    region: REGION,
    cache: aws4fetchCache,
    signQuery,
    ...(date === undefined ? {} : { datetime: toAmzDate(date) }),
  });

/** The crypto floor for a canonical request of the given shape (built once, with s3lane). */
function floorFor(canonicalRequest: string, amzDate: string, scope: string): Contender {
  const key = createSecretKey(createHmac('sha256', 'k').update('benchmark key').digest());
  const prefix = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n`;
  return contender({
    name: 'crypto floor',
    input: 'path',
    run: () => createHmac('sha256', key).update(prefix + hash('sha256', canonicalRequest, 'hex')).digest('hex'),
  });
}

function presignContenders(): Contender[] {
  const sample = s3lane.presign({ method: 'GET', url: ORIGIN + WIRE_PATH, expiresIn: EXPIRES, date: CHECK_DATE });
  return [
    contender({
      name: 's3lane',
      input: 'path',
      run: (date) => s3lane.presign({ method: 'GET', url: ORIGIN + WIRE_PATH, expiresIn: EXPIRES, date }).url,
      signature: signatureInUrl,
    }),
    contender({
      name: 's3lane + uriEncode',
      input: 'key',
      run: (date) => s3lane.presign({ method: 'GET', url: `${ORIGIN}/${uriEncode(KEY, false)}`, expiresIn: EXPIRES, date }).url,
      signature: signatureInUrl,
    }),
    contender({
      name: 'S3Client.presignSync',
      input: 'key',
      run: (date) => client.presignSync({ key: KEY, expiresIn: EXPIRES, signingDate: date }),
      signature: signatureInUrl,
    }),
    contender({
      name: 'await S3Client.presign',
      input: 'key',
      run: (date) => client.presign({ key: KEY, expiresIn: EXPIRES, signingDate: date }),
      signature: signatureInUrl,
    }),
    floorFor(sample.canonicalRequest, sample.amzDate, sample.scope),
    contender({
      name: '@smithy/signature-v4',
      input: 'path',
      run: (date) => smithy.presign(smithyRequest(), date === undefined ? SMITHY_PRESIGN : { ...SMITHY_PRESIGN, signingDate: date }),
      signature: (signed) => String(signed.query?.['X-Amz-Signature']),
    }),
    contender({
      name: 'aws4',
      input: 'path',
      run: (date) =>
        aws4.sign(
          {
            host: HOST,
            path: `${WIRE_PATH}?X-Amz-Expires=${EXPIRES}${date === undefined ? '' : `&X-Amz-Date=${toAmzDate(date)}`}`,
            service: 's3',
            region: REGION,
            signQuery: true,
          },
          CREDENTIALS,
        ),
      signature: (signed) => signatureInUrl(`${ORIGIN}${signed.path}`),
    }),
    contender({
      name: 'aws4fetch',
      input: 'path',
      run: async (date) => (await aws4fetchSigner(true, date).sign()).url.toString(),
      signature: signatureInUrl,
    }),
    contender({
      name: 'minio',
      input: 'key',
      run: (date) => minio.presignedGetObject(BUCKET, KEY, EXPIRES, {}, date ?? new Date()),
      signature: signatureInUrl,
    }),
    // lean-s3 takes no date: it is measured, not cross-checked.
    contender({ name: 'lean-s3', input: 'key', run: () => lean.presign(KEY, { expiresIn: EXPIRES }) }),
  ];
}

function headerContenders(): Contender[] {
  // All sign a GET with x-amz-content-sha256: UNSIGNED-PAYLOAD (aws4fetch's default for S3).
  const sample = s3lane.sign({ method: 'GET', url: ORIGIN + WIRE_PATH, payloadHash: UNSIGNED_PAYLOAD, date: CHECK_DATE });
  return [
    contender({
      name: 's3lane',
      input: 'path',
      run: (date) => s3lane.sign({ method: 'GET', url: ORIGIN + WIRE_PATH, payloadHash: UNSIGNED_PAYLOAD, date }).headers,
      signature: (headers) => signatureInAuthorization(headers.authorization),
    }),
    contender({
      name: 's3lane + uriEncode',
      input: 'key',
      run: (date) =>
        s3lane.sign({ method: 'GET', url: `${ORIGIN}/${uriEncode(KEY, false)}`, payloadHash: UNSIGNED_PAYLOAD, date }).headers,
      signature: (headers) => signatureInAuthorization(headers.authorization),
    }),
    floorFor(sample.canonicalRequest, sample.amzDate, sample.scope),
    contender({
      name: '@smithy/signature-v4',
      input: 'path',
      run: (date) => smithy.sign(smithyRequest(), date === undefined ? {} : { signingDate: date }),
      signature: (signed) => signatureInAuthorization(signed.headers['authorization']),
    }),
    contender({
      name: 'aws4',
      input: 'path',
      run: (date) =>
        aws4.sign(
          {
            host: HOST,
            path: WIRE_PATH,
            service: 's3',
            region: REGION,
            headers: { 'X-Amz-Content-Sha256': UNSIGNED_PAYLOAD, ...(date === undefined ? {} : { 'X-Amz-Date': toAmzDate(date) }) },
          },
          CREDENTIALS,
        ),
      signature: (signed) => signatureInAuthorization(signed.headers?.['Authorization']),
    }),
    contender({
      name: 'aws4fetch',
      input: 'path',
      run: async (date) => (await aws4fetchSigner(false, date).sign()).headers,
      signature: (headers) => signatureInAuthorization(headers.get('Authorization')),
    }),
  ];
}

interface Sample {
  wallNs: number;
  cpuNs: number;
}

async function runBatch(contender: Contender, iterations: number): Promise<Sample> {
  const { op } = contender;
  const cpuBefore = process.cpuUsage();
  const start = process.hrtime.bigint();
  // Async signers are awaited one by one (as a caller would); sync ones pay no await.
  const first = op();
  if (first instanceof Promise) {
    await first;
    for (let i = 1; i < iterations; i++) await op();
  } else {
    for (let i = 1; i < iterations; i++) op();
  }
  const wallNs = Number(process.hrtime.bigint() - start);
  const cpu = process.cpuUsage(cpuBefore);
  return { wallNs: wallNs / iterations, cpuNs: ((cpu.user + cpu.system) * 1000) / iterations };
}

interface Row {
  name: string;
  input: 'path' | 'key';
  wallNs: number;
  cpuNs: number;
  /** Median over rounds of this row's time / s3lane's time in the same round. */
  ratio: number;
  cpuRatio: number;
}

async function measureGroup(contenders: readonly Contender[], rounds: number, batchMs: number): Promise<Row[]> {
  // Batch size per contender: enough operations for ~batchMs, from a short calibration run.
  const iterations = new Map<Contender, number>();
  for (const contender of contenders) {
    await runBatch(contender, 200);
    const { wallNs } = await runBatch(contender, 500);
    iterations.set(contender, Math.max(50, Math.round((batchMs * 1e6) / wallNs)));
  }
  const warmup = 3;
  const samples = new Map<Contender, Sample[]>(contenders.map((c) => [c, []]));
  for (let round = 0; round < warmup + rounds; round++) {
    for (const contender of rotate(contenders, round)) {
      const sample = await runBatch(contender, iterations.get(contender)!);
      if (round >= warmup) samples.get(contender)!.push(sample);
    }
  }
  // Each row is compared with the s3lane row given the same input (see the header comment).
  const baselines = new Map(contenders.filter((c) => c.name.startsWith('s3lane')).map((c) => [c.input, samples.get(c)!]));
  return contenders.map((contender) => {
    const own = samples.get(contender)!;
    const base = baselines.get(contender.input)!;
    return {
      name: contender.name,
      input: contender.input,
      wallNs: median(own.map((s) => s.wallNs))!,
      cpuNs: median(own.map((s) => s.cpuNs))!,
      ratio: median(own.map((s, i) => s.wallNs / base[i]!.wallNs))!,
      cpuRatio: median(own.map((s, i) => s.cpuNs / base[i]!.cpuNs))!,
    };
  });
}

function printGroup(title: string, rows: readonly Row[]): void {
  console.log(`\n${title}`);
  console.log(
    formatTable<Row>(
      [
        { header: 'signer', value: (r) => r.name, align: 'left' },
        { header: 'input', value: (r) => r.input, align: 'left' },
        { header: 'µs/op', value: (r) => formatNumber(r.wallNs / 1000, 2) },
        { header: 'ops/s', value: (r) => formatNumber(1e9 / r.wallNs, 0) },
        { header: 'CPU µs/op', value: (r) => formatNumber(r.cpuNs / 1000, 2) },
        { header: 'time vs s3lane*', value: (r) => formatRatio(r.ratio, 1) },
        { header: 'CPU vs s3lane*', value: (r) => formatRatio(r.cpuRatio, 1) },
      ],
      rows,
    ),
  );
}

/** Every contender that can sign at a fixed date must agree with s3lane, or the comparison is void. */
async function crossCheck(contenders: readonly Contender[]): Promise<void> {
  const expected = await contenders[0]!.check?.();
  for (const contender of contenders) {
    if (contender.check === undefined) continue;
    const signature = await contender.check();
    if (expected === undefined || signature !== expected) throw new Error(`${contender.name} signed ${signature}, s3lane ${expected}: not the same request`);
  }
}

/** Fails loudly if anything tries to open a socket while signing (minio's region lookup would). */
async function withoutNetwork<T>(work: () => Promise<T>): Promise<T> {
  const net = await import('node:net');
  const original = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function blocked(): never {
    throw new Error('the signing benchmark tried to use the network');
  };
  try {
    return await work();
  } finally {
    net.Socket.prototype.connect = original;
  }
}

function flag(args: readonly string[], name: string, fallback: number): number {
  const at = args.indexOf(name);
  const value = at === -1 ? Number.NaN : Number(args[at + 1]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

export async function main(args: string[] = []): Promise<void> {
  const rounds = flag(args, '--rounds', 15);
  const batchMs = flag(args, '--batch-ms', 20);
  await withoutNetwork(async () => {
    const presign = presignContenders();
    const header = headerContenders();
    await crossCheck(presign);
    await crossCheck(header);
    console.log(`node ${process.version}, ${rounds} rounds of ~${batchMs} ms per signer after 3 warm-up rounds; medians.`);
    console.log(`request: GET ${ORIGIN}/${KEY}, ${EXPIRES} s presign; every signer's signature cross-checked at a fixed date (lean-s3 takes no date).`);
    const presignRows = await measureGroup(presign, rounds, batchMs);
    printGroup('presigned URL', presignRows);
    const headerRows = await measureGroup(header, rounds, batchMs);
    printGroup('Authorization header', headerRows);
    console.log('\n* against the s3lane row with the same input (path: encoded path given; key: raw key, encoded per call)');

    const floor = presignRows.find((r) => r.name === 'crypto floor')!;
    const leanRow = presignRows.find((r) => r.name === 'lean-s3')!;
    const vsFloor = 1 / floor.ratio;
    console.log(`\ntargets: s3lane presign = ${vsFloor.toFixed(2)}x the crypto floor (want <= 1.30x) ${vsFloor <= 1.3 ? 'ok' : 'MISSED'}`);
    console.log(`         lean-s3 presign = ${leanRow.ratio.toFixed(2)}x the time of s3lane + uriEncode (want >= 2.00x) ${leanRow.ratio >= 2 ? 'ok' : 'MISSED'}`);
    for (const name of ['S3Client.presignSync', 'await S3Client.presign']) {
      const row = presignRows.find((r) => r.name === name)!;
      const vs = row.wallNs / floor.wallNs;
      console.log(`         ${name} = ${vs.toFixed(2)}x the crypto floor (want <= 1.50x) ${vs <= 1.5 ? 'ok' : 'MISSED'}`);
    }
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main(process.argv.slice(2));
