/**
 * Checksum throughput: s3lane's CRC32C and CRC64NVME (table-driven, slicing-by-8), CRC32 (Node's
 * zlib.crc32) and SHA via node:crypto, beside the AWS SDK's JavaScript implementations
 * (@aws-sdk/checksums, @smithy/core) and buffer-crc32 (minio's), on the same buffer in one run.
 *
 *   npm run bench -- checksum [--mib 64] [--rounds 5] [--only CRC64NVME]
 *
 * MB/s is the median of the rounds; CPU is process.cpuUsage() per MiB. Checksums are CPU-bound
 * and single-threaded, no server involved: on a shared machine wall-clock MB/s moves with the
 * load, CPU per MiB holds still (1 / it is the speed on an idle core).
 */
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { Crc32cJs, Crc64NvmeJs } from '@aws-sdk/checksums/crc';
import { Crc32Js } from '@smithy/core/checksum';
import { checksumOf, type ChecksumAlgorithm } from '../src/s3/checksum/index.js';
import { peakRssBytes, printReport } from './lib/measure.js';
import { runChild } from './lib/run-child.js';
import { median } from './lib/stats.js';
import { formatNumber, formatRatio, formatTable } from './lib/table.js';

// minio's CRC32 (CommonJS, `export =`).
const bufferCrc32 = createRequire(import.meta.url)('buffer-crc32') as typeof import('buffer-crc32');

interface Contender {
  algorithm: ChecksumAlgorithm;
  name: string;
  run: (data: Uint8Array) => Promise<unknown> | unknown;
}

const aws = (make: () => { update(d: Uint8Array): void; digest(): Promise<Uint8Array> }) => (data: Uint8Array) => {
  const checksum = make();
  checksum.update(data);
  return checksum.digest();
};

const CONTENDERS: Contender[] = [
  { algorithm: 'CRC32', name: 's3lane (zlib.crc32)', run: (d) => checksumOf('CRC32', d) },
  { algorithm: 'CRC32', name: '@smithy Crc32Js', run: aws(() => new Crc32Js()) },
  { algorithm: 'CRC32', name: 'buffer-crc32 (minio)', run: (d) => bufferCrc32.unsigned(Buffer.from(d.buffer, d.byteOffset, d.byteLength)) },
  { algorithm: 'CRC32C', name: 's3lane', run: (d) => checksumOf('CRC32C', d) },
  { algorithm: 'CRC32C', name: '@aws-sdk Crc32cJs', run: aws(() => new Crc32cJs()) },
  { algorithm: 'CRC64NVME', name: 's3lane', run: (d) => checksumOf('CRC64NVME', d) },
  { algorithm: 'CRC64NVME', name: '@aws-sdk Crc64NvmeJs', run: aws(() => new Crc64NvmeJs()) },
  { algorithm: 'SHA1', name: 's3lane (node:crypto)', run: (d) => checksumOf('SHA1', d) },
  { algorithm: 'SHA256', name: 's3lane (node:crypto)', run: (d) => checksumOf('SHA256', d) },
];

interface Row {
  contender: Contender;
  mbPerSec: number | undefined;
  cpuMsPerMiB: number | undefined;
  baseline: number | undefined;
  error?: string;
}

/** One contender, in this process: warm up, time the rounds, print the report for the parent. */
async function measureContender(contender: Contender, mib: number, rounds: number): Promise<void> {
  const data = new Uint8Array(mib * 1024 * 1024);
  for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24;
  // Warm-up: tables built and the loop optimised before anything is timed. V8 optimises on a
  // background thread: on a busy machine that takes a while, hence the pause.
  for (let i = 0; i < 64; i++) await contender.run(data.subarray(0, 256 * 1024));
  await new Promise((resolve) => setTimeout(resolve, 500));
  const speeds: number[] = [];
  const cpus: number[] = [];
  let wallMs = 0;
  let cpuMs = 0;
  for (let round = 0; round < rounds; round++) {
    const cpuBefore = process.cpuUsage();
    const start = performance.now();
    await contender.run(data);
    const elapsed = performance.now() - start;
    const cpu = process.cpuUsage(cpuBefore);
    wallMs += elapsed;
    cpuMs += (cpu.user + cpu.system) / 1000;
    speeds.push(data.length / 1e6 / (elapsed / 1000));
    cpus.push((cpu.user + cpu.system) / 1000 / mib);
  }
  printReport({ wallMs, cpuMs, peakRssBytes: peakRssBytes(), mbPerSec: median(speeds), cpuMsPerMiB: median(cpus) });
}

export async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      mib: { type: 'string', default: '64' },
      rounds: { type: 'string', default: '5' },
      only: { type: 'string' },
      contender: { type: 'string' },
    },
  });
  const mib = Number(values.mib);
  const rounds = Number(values.rounds);
  if (values.contender !== undefined) {
    const contender = CONTENDERS[Number(values.contender)];
    if (contender === undefined) throw new Error(`no contender ${values.contender}`);
    return measureContender(contender, mib, rounds);
  }

  // Each contender in its own process: in one process, code optimised for one implementation
  // slowed the next ones down (measured: CRC64NVME 1.8 ms/MiB alone, 4.7 after the others).
  const rows: Row[] = [];
  for (const [index, contender] of CONTENDERS.entries()) {
    if (values.only !== undefined && contender.algorithm !== values.only) continue;
    const self = process.argv[1] ?? 'bench/run.ts';
    const outcome = await runChild({
      command: process.execPath,
      args: [...process.execArgv, self, 'checksum', '--contender', String(index), '--mib', String(mib), '--rounds', String(rounds)],
    });
    const report = outcome.ok ? outcome.report : undefined;
    const mbPerSec = typeof report?.['mbPerSec'] === 'number' ? report['mbPerSec'] : undefined;
    const cpuMsPerMiB = typeof report?.['cpuMsPerMiB'] === 'number' ? report['cpuMsPerMiB'] : undefined;
    const baseline = rows.find((r) => r.contender.algorithm === contender.algorithm)?.mbPerSec ?? mbPerSec;
    rows.push({ contender, mbPerSec, cpuMsPerMiB, baseline, ...(outcome.ok ? {} : { error: outcome.error }) });
  }
  console.log(`checksum throughput over ${mib} MiB, median of ${rounds} rounds, one process per row (Node ${process.version})\n`);
  console.log(
    formatTable<Row>(
      [
        { header: 'algorithm', value: (r) => r.contender.algorithm, align: 'left' },
        { header: 'implementation', value: (r) => r.contender.name, align: 'left' },
        { header: 'MB/s', value: (r) => formatNumber(r.mbPerSec, 0) },
        { header: 'CPU ms/MiB', value: (r) => formatNumber(r.cpuMsPerMiB, 2) },
        { header: 's3lane vs it', value: (r) => formatRatio(r.baseline, r.mbPerSec) },
      ],
      rows,
    ),
  );
  for (const row of rows) if (row.error) console.error(`${row.contender.algorithm} ${row.contender.name}: ${row.error}`);
}
