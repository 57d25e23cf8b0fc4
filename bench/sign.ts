/**
 * Signing benchmark: header signing and presigning by s3lane and its peers, measured side by side
 * in one process. Each round runs every contender once (order rotated between rounds) for a
 * batch sized to ~20 ms; after warm-up rounds, the median round is reported. Ratios are the
 * median of the per-round ratios, which cancels most of the drift of a shared machine.
 *
 * The "crypto floor" is the least any SigV4 signer must do per request once its key is cached:
 * one SHA-256 of the canonical request and one HMAC-SHA256 of the string to sign, with the
 * fastest node:crypto calls (crypto.hash, createHmac with a KeyObject).
 *
 * Before measuring, every contender that accepts a fixed date signs the same request at that
 * date and must produce s3lane's signature, so all rows do the same work.
 *
 * Usage: npx tsx bench/run.ts sign [--rounds N] [--batch-ms N]
 */
import { createHash, createHmac, createSecretKey, hash } from 'node:crypto';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import aws4 from 'aws4';
import { AwsV4Signer } from 'aws4fetch';
import { S3Client as LeanS3Client } from 'lean-s3';
import { Client as MinioClient } from 'minio';
import { SigV4Signer, UNSIGNED_PAYLOAD, uriEncode } from '../src/signer/index.js';
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

type Op = () => unknown;

interface Contender {
  readonly name: string;
  /** One signing operation; an async one is awaited. */
  readonly op: Op;
  readonly async: boolean;
  /** The signature this contender produces for the fixed request at CHECK_DATE, when it can take a date. */
  readonly check?: () => Promise<string>;
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

const s3lane = new SigV4Signer({ credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY }, region: REGION, service: 's3' });
const smithy = new SignatureV4({
  credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
  region: REGION,
  service: 's3',
  sha256: NodeSha256,
  uriEscapePath: false,
  applyChecksum: false,
});
const aws4fetchCache = new Map<string, ArrayBuffer>(); // AwsClient shares one cache across requests
const lean = new LeanS3Client({ endpoint: 'https://{bucket}.s3.{region}.amazonaws.com', region: REGION, bucket: BUCKET, accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY });
// With the region given, minio never looks up the bucket's region (no network; checked in main()).
const minio = new MinioClient({ endPoint: `s3.${REGION}.amazonaws.com`, region: REGION, useSSL: true, pathStyle: false, accessKey: ACCESS_KEY, secretKey: SECRET_KEY });

const wirePath = (): string => `/${uriEncode(KEY, false)}`;
const queryOf = (url: string): URLSearchParams => new URL(url).searchParams;
const smithyRequest = (headers: Record<string, string> = {}): HttpRequest =>
  new HttpRequest({ method: 'GET', protocol: 'https:', hostname: HOST, path: wirePath(), headers: { host: HOST, ...headers } });

/** The crypto floor for a canonical request of the given shape (built once, with s3lane). */
function floorFor(canonicalRequest: string, amzDate: string, scope: string): Op {
  const key = createSecretKey(Buffer.from(createHmac('sha256', 'k').update('benchmark key').digest()));
  const prefix = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n`;
  return () => createHmac('sha256', key).update(prefix + hash('sha256', canonicalRequest, 'hex')).digest('hex');
}

function presignContenders(): Contender[] {
  const sample = s3lane.presign({ method: 'GET', url: ORIGIN + wirePath(), expiresIn: EXPIRES, date: CHECK_DATE });
  return [
    {
      name: 's3lane',
      async: false,
      op: () => s3lane.presign({ method: 'GET', url: ORIGIN + wirePath(), expiresIn: EXPIRES }).url,
      check: async () => sample.signature,
    },
    { name: 'crypto floor', async: false, op: floorFor(sample.canonicalRequest, sample.amzDate, sample.scope) },
    {
      name: '@smithy/signature-v4',
      async: true,
      op: () => smithy.presign(smithyRequest(), { expiresIn: EXPIRES, unsignableHeaders: new Set(['x-amz-content-sha256']) }),
      check: async () => {
        const signed = await smithy.presign(smithyRequest({ 'x-amz-content-sha256': UNSIGNED_PAYLOAD }), {
          expiresIn: EXPIRES,
          signingDate: CHECK_DATE,
          unsignableHeaders: new Set(['x-amz-content-sha256']),
          unhoistableHeaders: new Set(['x-amz-content-sha256']),
        });
        return String(signed.query?.['X-Amz-Signature']);
      },
    },
    {
      name: 'aws4',
      async: false,
      op: () => aws4.sign({ host: HOST, path: `${wirePath()}?X-Amz-Expires=${EXPIRES}`, service: 's3', region: REGION, signQuery: true }, { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY }).path,
      check: async () => {
        const signed = aws4.sign(
          { host: HOST, path: `${wirePath()}?X-Amz-Expires=${EXPIRES}&X-Amz-Date=${sample.amzDate}`, service: 's3', region: REGION, signQuery: true },
          { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
        );
        return queryOf(`https://${HOST}${signed.path}`).get('X-Amz-Signature') ?? '';
      },
    },
    {
      name: 'aws4fetch',
      async: true,
      op: async () => (await aws4fetchSigner(true).sign()).url.toString(),
      check: async () => queryOf((await aws4fetchSigner(true, sample.amzDate).sign()).url.toString()).get('X-Amz-Signature') ?? '',
    },
    {
      name: 'minio',
      async: true,
      op: () => minio.presignedGetObject(BUCKET, KEY, EXPIRES),
      check: async () => queryOf(await minio.presignedGetObject(BUCKET, KEY, EXPIRES, {}, CHECK_DATE)).get('X-Amz-Signature') ?? '',
    },
    // lean-s3 takes no date: it is measured, not cross-checked.
    { name: 'lean-s3', async: false, op: () => lean.presign(KEY, { expiresIn: EXPIRES }) },
  ];
}

function aws4fetchSigner(signQuery: boolean, datetime?: string): AwsV4Signer {
  return new AwsV4Signer({
    url: `${ORIGIN}${wirePath()}${signQuery ? `?X-Amz-Expires=${EXPIRES}` : ''}`,
    accessKeyId: ACCESS_KEY,
    secretAccessKey: SECRET_KEY,
    service: 's3',
    region: REGION,
    cache: aws4fetchCache,
    signQuery,
    ...(datetime === undefined ? {} : { datetime }),
  });
}

function headerContenders(): Contender[] {
  // All sign a GET with x-amz-content-sha256: UNSIGNED-PAYLOAD (aws4fetch's default for S3).
  const sample = s3lane.sign({ method: 'GET', url: ORIGIN + wirePath(), payloadHash: UNSIGNED_PAYLOAD, date: CHECK_DATE });
  const authSignature = (authorization: unknown): string => String(authorization).split('Signature=')[1] ?? '';
  return [
    {
      name: 's3lane',
      async: false,
      op: () => s3lane.sign({ method: 'GET', url: ORIGIN + wirePath(), payloadHash: UNSIGNED_PAYLOAD }).headers,
      check: async () => sample.signature,
    },
    { name: 'crypto floor', async: false, op: floorFor(sample.canonicalRequest, sample.amzDate, sample.scope) },
    {
      name: '@smithy/signature-v4',
      async: true,
      op: () => smithy.sign(smithyRequest({ 'x-amz-content-sha256': UNSIGNED_PAYLOAD })),
      check: async () =>
        authSignature((await smithy.sign(smithyRequest({ 'x-amz-content-sha256': UNSIGNED_PAYLOAD }), { signingDate: CHECK_DATE })).headers['authorization']),
    },
    {
      name: 'aws4',
      async: false,
      op: () => aws4.sign({ host: HOST, path: wirePath(), service: 's3', region: REGION, headers: { 'X-Amz-Content-Sha256': UNSIGNED_PAYLOAD } }, { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY }).headers,
      check: async () =>
        authSignature(
          aws4.sign(
            { host: HOST, path: wirePath(), service: 's3', region: REGION, headers: { 'X-Amz-Content-Sha256': UNSIGNED_PAYLOAD, 'X-Amz-Date': sample.amzDate } },
            { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
          ).headers?.['Authorization'],
        ),
    },
    {
      name: 'aws4fetch',
      async: true,
      op: async () => (await aws4fetchSigner(false).sign()).headers,
      check: async () => authSignature((await aws4fetchSigner(false, sample.amzDate).sign()).headers.get('Authorization')),
    },
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
  if (contender.async) for (let i = 0; i < iterations; i++) await op();
  else for (let i = 0; i < iterations; i++) op();
  const wallNs = Number(process.hrtime.bigint() - start);
  const cpu = process.cpuUsage(cpuBefore);
  return { wallNs: wallNs / iterations, cpuNs: ((cpu.user + cpu.system) * 1000) / iterations };
}

interface Row {
  name: string;
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
  const base = samples.get(contenders[0]!)!;
  return contenders.map((contender) => {
    const own = samples.get(contender)!;
    return {
      name: contender.name,
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
        { header: 'µs/op', value: (r) => formatNumber(r.wallNs / 1000, 2) },
        { header: 'ops/s', value: (r) => formatNumber(1e9 / r.wallNs, 0) },
        { header: 'CPU µs/op', value: (r) => formatNumber(r.cpuNs / 1000, 2) },
        { header: 'time vs s3lane', value: (r) => formatRatio(r.ratio, 1) },
        { header: 'CPU vs s3lane', value: (r) => formatRatio(r.cpuRatio, 1) },
      ],
      rows,
    ),
  );
}

/** Every contender that can sign at a fixed date must agree with s3lane, or the comparison is void. */
async function crossCheck(contenders: readonly Contender[]): Promise<void> {
  const expected = await contenders[0]!.check!();
  for (const contender of contenders) {
    if (contender.check === undefined) continue;
    const signature = await contender.check();
    if (signature !== expected) throw new Error(`${contender.name} signed ${signature}, s3lane ${expected}: not the same request`);
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
  const presign = presignContenders();
  const header = headerContenders();
  await withoutNetwork(async () => {
    await crossCheck(presign);
    await crossCheck(header);
    console.log(`node ${process.version}, ${rounds} rounds of ~${batchMs} ms per signer after 3 warm-up rounds; medians.`);
    console.log(`request: GET ${ORIGIN}/${KEY} (key encoded per call), ${EXPIRES} s presign; signatures cross-checked.`);
    const presignRows = await measureGroup(presign, rounds, batchMs);
    printGroup('presigned URL', presignRows);
    const headerRows = await measureGroup(header, rounds, batchMs);
    printGroup('Authorization header', headerRows);

    const floor = presignRows.find((r) => r.name === 'crypto floor')!;
    const leanRow = presignRows.find((r) => r.name === 'lean-s3')!;
    const vsFloor = 1 / floor.ratio;
    console.log(`\ntargets: s3lane presign = ${vsFloor.toFixed(2)}x the crypto floor (want <= 1.30x) ${vsFloor <= 1.3 ? 'ok' : 'MISSED'}`);
    console.log(`         lean-s3 presign = ${leanRow.ratio.toFixed(2)}x s3lane's time (want >= 2.00x) ${leanRow.ratio >= 2 ? 'ok' : 'MISSED'}`);
  });
}
