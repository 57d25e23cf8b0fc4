/**
 * Batch upload benchmark (issue "Large objects and batch uploads"): s3lane's `uploadFiles` against
 * the AWS SDK (lib-storage `Upload` + p-limit) and the Python pattern it replaces
 * (`asyncio.to_thread(requests.put, …)`), all at concurrency 16, on the same local S3 server.
 *
 *   npm run bench -- batch [--small-only | --large-only] [--rounds N] [--peers s3lane,aws-sdk,python]
 *   npx tsx bench/batch.ts …
 * Either way a local server is started through scripts/s3-server.sh (4 GiB memstore) when
 * S3_ENDPOINT is not set. PYTHON overrides /usr/bin/python3 for the Python peer.
 *
 * Phases: small (1,000 × 64 KiB), large (8 × 64 MiB), all (both in one batch, the large files
 * spread evenly through it). Each run is one peer in its own child process uploading into a fresh
 * bucket; the child measures its own wall time, CPU time and peak RSS (bench/lib/measure.ts). The
 * parent then checks the bucket with an independent client (exact keys and sizes, two objects read
 * back byte for byte) and deletes it. Peers take turns in a rotating order across rounds; the
 * tables show medians over the rounds.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { S3Client } from '@aws-sdk/client-s3';
import { ensureFiles, fileGroup, type DataFile } from './lib/data-files.js';
import type { Measurement } from './lib/measure.js';
import { nodeChild, runChild, type ChildCommand } from './lib/run-child.js';
import { s3Env } from './lib/s3-env.js';
import { createScratchBucket, destroyBucket, referenceClient } from './lib/scratch-bucket.js';
import { median, rotate } from './lib/stats.js';
import { formatNumber, formatRate, formatRatio, formatTable } from './lib/table.js';
import { compiledPath, transpileFolders } from './lib/transpile.js';
import { verifyUpload } from './lib/verify-upload.js';
import { ensureS3Server } from './lib/with-s3-server.js';
import type { Manifest } from './peers/protocol.js';

const CONCURRENCY = 16;
const KiB = 1024;
const MiB = 1024 * KiB;
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const DATA_DIR = join(ROOT, 'bench/.data');
/** Node peers run as transpiled JS on bare node: a tsx loader would add ~45 MiB to their RSS. */
const JS_DIR = join(ROOT, 'bench/.data/js');
const JS_SOURCES = ['src', 'bench/peers', 'bench/lib'];
const RUN_TIMEOUT_MS = 10 * 60_000;
const BASELINE = 's3lane';

interface Peer {
  name: string;
  command: (manifestPath: string) => ChildCommand;
}

const nodePeer = (file: string) => (manifest: string) => nodeChild(compiledPath(ROOT, JS_DIR, join(ROOT, file)), [manifest]);
const PEERS: Peer[] = [
  { name: 's3lane', command: nodePeer('bench/peers/s3lane.ts') },
  { name: 'aws-sdk', command: nodePeer('bench/peers/aws-sdk.ts') },
  {
    name: 'python',
    command: (manifest) => ({
      // Debian's interpreter sees python3-requests and python3-botocore (a pyenv `python3` may not).
      command: process.env['PYTHON'] ?? '/usr/bin/python3',
      args: [join(ROOT, 'bench/python/to_thread_upload.py'), manifest],
    }),
  },
];

interface Phase {
  name: string;
  title: string;
  files: DataFile[];
}

type RunOutcome = { ok: true; measurement: Measurement; runtime?: string } | { ok: false; error: string };

function parseOptions(args: string[]): { phases: Set<string>; rounds: number; peers: Peer[] } {
  const { values } = parseArgs({
    args,
    options: {
      'small-only': { type: 'boolean', default: false },
      'large-only': { type: 'boolean', default: false },
      rounds: { type: 'string', default: '3' },
      peers: { type: 'string', default: PEERS.map((peer) => peer.name).join(',') },
    },
  });
  if (values['small-only'] && values['large-only']) throw new Error('--small-only and --large-only exclude each other');
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a positive integer, got ${values.rounds}`);
  const names = values.peers.split(',').filter(Boolean);
  const unknown = names.filter((name) => !PEERS.some((peer) => peer.name === name));
  if (unknown.length > 0) throw new Error(`unknown peer ${unknown.join(', ')}; known: ${PEERS.map((p) => p.name).join(', ')}`);
  const phases = values['small-only'] ? ['small'] : values['large-only'] ? ['large'] : ['small', 'large', 'all'];
  return { phases: new Set(phases), rounds, peers: PEERS.filter((peer) => names.includes(peer.name)) };
}

/** `small` with one `large` file at the start of each equal share of it. */
function spreadEvenly(small: DataFile[], large: DataFile[]): DataFile[] {
  const share = Math.ceil(small.length / Math.max(large.length, 1));
  const batch: DataFile[] = [];
  small.forEach((file, i) => {
    const big = i % share === 0 ? large[i / share] : undefined;
    if (big) batch.push(big);
    batch.push(file);
  });
  return batch;
}

async function preparePhases(wanted: Set<string>): Promise<Phase[]> {
  const groups = { small: fileGroup('small', 1000, 64 * KiB), large: fileGroup('large', 8, 64 * MiB) };
  const all = wanted.has('all');
  const needed = [...(all || wanted.has('small') ? groups.small : []), ...(all || wanted.has('large') ? groups.large : [])];
  process.stderr.write(`batch: input files in ${DATA_DIR} (made once, reused)…\n`);
  const { files, written } = await ensureFiles(DATA_DIR, needed);
  if (written > 0) process.stderr.write(`batch: wrote ${written} files\n`);
  const small = files.filter((file) => file.name.startsWith('small/'));
  const large = files.filter((file) => file.name.startsWith('large/'));
  const phases: Phase[] = [
    { name: 'small', title: '1,000 × 64 KiB', files: small },
    { name: 'large', title: '8 × 64 MiB', files: large },
    { name: 'all', title: '1,000 × 64 KiB + 8 × 64 MiB in one batch', files: spreadEvenly(small, large) },
  ];
  return phases.filter((phase) => wanted.has(phase.name));
}

/** One peer, one phase, one fresh bucket: upload in a child, check, then delete everything. */
async function runOnce(s3: S3Client, peer: Peer, phase: Phase, workDir: string): Promise<RunOutcome> {
  const bucket = await createScratchBucket(s3, `bench-batch-${peer.name}-${phase.name}`);
  try {
    const expected = phase.files.map((file) => ({ key: file.name, path: file.path, bytes: file.bytes }));
    const manifest: Manifest = { bucket, concurrency: CONCURRENCY, files: expected };
    const manifestPath = join(workDir, `${bucket}.json`);
    await writeFile(manifestPath, JSON.stringify(manifest));
    const outcome = await runChild({ ...peer.command(manifestPath), timeoutMs: RUN_TIMEOUT_MS });
    if (!outcome.ok) return { ok: false, error: outcome.error };
    const { report } = outcome;
    if (report['failed'] !== 0 || report['uploaded'] !== expected.length) {
      const firstError = typeof report['firstError'] === 'string' ? `: ${report['firstError'].split('\n')[0]}` : '';
      return { ok: false, error: `reported ${String(report['uploaded'])} uploaded, ${String(report['failed'])} failed${firstError}` };
    }
    const samples = [expected[0]?.key, expected.find((object) => object.bytes > MiB)?.key].filter((key) => key !== undefined);
    const problems = await verifyUpload(s3, bucket, expected, samples);
    if (problems.length > 0) return { ok: false, error: `verification failed: ${problems.join('; ')}` };
    const runtime = typeof report['runtime'] === 'string' ? report['runtime'] : undefined;
    return { ok: true, measurement: report, ...(runtime ? { runtime } : {}) };
  } finally {
    await destroyBucket(s3, bucket).catch((error: unknown) => process.stderr.write(`batch: cleanup of ${bucket} failed: ${String(error)}\n`));
  }
}

interface Row {
  peer: string;
  outcomes: RunOutcome[];
  files: number;
  bytes: number;
}

interface Summary {
  okRounds: number;
  filesPerSec?: number;
  mibPerSec?: number;
  wallS?: number;
  cpuS?: number;
  cpuMsPerFile?: number;
  rssMiB?: number;
}

function summarize(row: Row): Summary {
  const measured = row.outcomes.flatMap((outcome) => (outcome.ok ? [outcome.measurement] : []));
  const wallMs = median(measured.map((m) => m.wallMs));
  const cpuMs = median(measured.map((m) => m.cpuMs));
  const rss = median(measured.map((m) => m.peakRssBytes));
  if (wallMs === undefined || cpuMs === undefined || rss === undefined) return { okRounds: 0 };
  return {
    okRounds: measured.length,
    filesPerSec: row.files / (wallMs / 1000),
    mibPerSec: row.bytes / MiB / (wallMs / 1000),
    wallS: wallMs / 1000,
    cpuS: cpuMs / 1000,
    cpuMsPerFile: cpuMs / row.files,
    rssMiB: rss / MiB,
  };
}

function phaseTable(phase: Phase, rows: Row[]): string {
  const summaries = new Map(rows.map((row) => [row.peer, summarize(row)]));
  const base = summaries.get(BASELINE);
  const of = (row: Row): Summary => summaries.get(row.peer) ?? { okRounds: 0 };
  const table = formatTable<Row>(
    [
      { header: 'peer', value: (row) => row.peer, align: 'left' },
      { header: 'ok', value: (row) => `${of(row).okRounds}/${row.outcomes.length}` },
      { header: 'files/s', value: (row) => formatRate(of(row).filesPerSec) },
      { header: 'MiB/s', value: (row) => formatRate(of(row).mibPerSec) },
      { header: 'wall s', value: (row) => formatNumber(of(row).wallS, 2) },
      { header: 'CPU s', value: (row) => formatNumber(of(row).cpuS, 2) },
      { header: 'CPU ms/file', value: (row) => formatNumber(of(row).cpuMsPerFile, 2) },
      { header: 'peak RSS MiB', value: (row) => formatNumber(of(row).rssMiB, 0) },
      { header: `files/s vs ${BASELINE}`, value: (row) => formatRatio(of(row).filesPerSec, base?.filesPerSec) },
      { header: `RSS vs ${BASELINE}`, value: (row) => formatRatio(of(row).rssMiB, base?.rssMiB) },
    ],
    rows,
  );
  const totalMiB = (rows[0]?.bytes ?? 0) / MiB;
  const failures = rows.flatMap((row) => {
    const errors = row.outcomes.flatMap((outcome) => (outcome.ok ? [] : [outcome.error.split('\n').filter(Boolean).join(' | ')]));
    return errors.length === 0 ? [] : [`  ${row.peer} FAILED in ${errors.length} of ${row.outcomes.length} rounds; first: ${errors[0]}`];
  });
  return [`\n${phase.name}: ${phase.title} (${totalMiB.toFixed(1)} MiB), concurrency ${CONCURRENCY}, median of successful rounds`, table, ...failures].join('\n');
}

async function runBenchmark(args: string[]): Promise<void> {
  const options = parseOptions(args);
  ensureS3Server({ memstoreBytes: 4 * 1024 * MiB });
  const server = s3Env();
  const phases = await preparePhases(options.phases);
  await transpileFolders(ROOT, JS_SOURCES, JS_DIR);
  const rows = new Map(
    phases.map((phase) => [
      phase.name,
      options.peers.map((peer): Row => ({
        peer: peer.name,
        outcomes: [],
        files: phase.files.length,
        bytes: phase.files.reduce((sum, file) => sum + file.bytes, 0),
      })),
    ]),
  );
  const runtimes = new Map<string, string>();
  const workDir = await mkdtemp(join(tmpdir(), 's3lane-bench-batch-'));
  const s3 = referenceClient(server);
  process.stderr.write(`batch: ${server.endpoint} (${process.env['S3_SERVER_KIND'] ?? 'external'}), ${options.rounds} rounds\n`);
  try {
    for (let round = 0; round < options.rounds; round++) {
      for (const phase of phases) {
        for (const peer of rotate(options.peers, round)) {
          const outcome = await runOnce(s3, peer, phase, workDir);
          rows.get(phase.name)?.find((row) => row.peer === peer.name)?.outcomes.push(outcome);
          if (outcome.ok && outcome.runtime) runtimes.set(peer.name, outcome.runtime);
          const detail = outcome.ok
            ? `${(outcome.measurement.wallMs / 1000).toFixed(2)} s wall, ${(outcome.measurement.cpuMs / 1000).toFixed(2)} s CPU, ${(outcome.measurement.peakRssBytes / MiB).toFixed(0)} MiB peak RSS`
            : `FAILED: ${outcome.error.split('\n')[0]}`;
          process.stderr.write(`batch: round ${round + 1}/${options.rounds} ${phase.name.padEnd(5)} ${peer.name.padEnd(8)} ${detail}\n`);
        }
      }
    }
  } finally {
    s3.destroy();
    await rm(workDir, { recursive: true, force: true });
  }
  for (const phase of phases) console.log(phaseTable(phase, rows.get(phase.name) ?? []));
  if (runtimes.size > 0) console.log(`\nruntimes: ${[...runtimes].map(([peer, runtime]) => `${peer}: ${runtime}`).join('; ')}`);
  const failed = [...rows.values()].flat().some((row) => row.outcomes.some((outcome) => !outcome.ok));
  if (failed) process.exitCode = 1;
}

/** Entry point for bench/run.ts (`npm run bench -- batch …`). Exit code 1 when any run failed. */
export async function main(args: string[]): Promise<void> {
  try {
    await runBenchmark(args);
  } catch (error) {
    process.stderr.write(`batch: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main(process.argv.slice(2));
