/**
 * Checksum throughput: s3lane's CRC32C and CRC64NVME (table-driven, slicing-by-8), CRC32 (Node's
 * zlib.crc32) and SHA via node:crypto, beside the AWS SDK's JavaScript implementations
 * (@aws-sdk/checksums, @smithy/core) and buffer-crc32 (minio's), on the same buffer in one run.
 *
 *   npm run bench -- checksum [--mib 64] [--rounds 5]
 *
 * MB/s is the median of the rounds; CPU is process.cpuUsage() per MiB (single-threaded work, so
 * it tracks wall time). Checksums are CPU-bound: no server is involved.
 */
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { Crc32cJs, Crc64NvmeJs } from '@aws-sdk/checksums/crc';
import { Crc32Js } from '@smithy/core/checksum';
import { checksumOf, type ChecksumAlgorithm } from '../src/s3/checksum/index.js';
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
}

export async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { mib: { type: 'string', default: '64' }, rounds: { type: 'string', default: '5' } } });
  const mib = Number(values.mib);
  const rounds = Number(values.rounds);
  const data = new Uint8Array(mib * 1024 * 1024);
  for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24;

  const rows: Row[] = [];
  for (const contender of CONTENDERS) {
    await contender.run(data.subarray(0, 1024 * 1024)); // warm-up: tables built, code optimised
    const speeds: number[] = [];
    const cpus: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const cpuBefore = process.cpuUsage();
      const start = performance.now();
      await contender.run(data);
      const seconds = (performance.now() - start) / 1000;
      const cpu = process.cpuUsage(cpuBefore);
      speeds.push(data.length / 1e6 / seconds);
      cpus.push((cpu.user + cpu.system) / 1000 / mib);
    }
    const mbPerSec = median(speeds);
    const baseline = rows.find((r) => r.contender.algorithm === contender.algorithm)?.mbPerSec ?? mbPerSec;
    rows.push({ contender, mbPerSec, cpuMsPerMiB: median(cpus), baseline });
  }
  console.log(`checksum throughput over ${mib} MiB, median of ${rounds} rounds (Node ${process.version})\n`);
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
}
