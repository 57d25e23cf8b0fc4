/**
 * The data path, side by side with the peers in one run: small PUT/GET CPU per operation, large
 * uploads and downloads (each in its own process: CPU, wall, RSS growth), 1 GiB memory runs, and
 * cold start. Against the nginx sink (bench/lib/nginx-sink.ts: the server costs little, so the
 * client's own cost shows) and against the real S3 server (Ceph RGW from scripts/s3-server.sh).
 *
 * Every contender takes its turn once per round, in an order rotated between rounds; figures are
 * medians over rounds, and ratios are medians of the per-round ratios, which cancels most of the
 * drift of a shared machine. The floor is raw undici sending to a presigned URL.
 *
 * Parallel ranged download (`ranged`): through a proxy that caps each connection at
 * `--cap-mib` MiB/s (default 20), download() with concurrency 1 against 2, 4 and 8 connections.
 *
 * Usage: npm run bench -- transfer [--target sink|server|both] [--sections small,large,memory,cold,ranged]
 *          [--rounds N] [--large-mib N] [--memory-mib N] [--small-ops N] [--cap-mib N]
 */
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ensureFiles } from './lib/data-files.js';
import { runChild, nodeChild } from './lib/run-child.js';
import { s3Env, type S3Env } from './lib/s3-env.js';
import { startNginxSink } from './lib/nginx-sink.js';
import { startThrottleProxy } from './lib/throttle-proxy.js';
import { median, rotate } from './lib/stats.js';
import { formatNumber, formatRatio, formatRate, formatTable } from './lib/table.js';
import { compiledPath, transpileFolders } from './lib/transpile.js';
import { s3laneClient } from './lib/transfer-clients.js';
import { smallContenders } from './lib/small-contenders.js';
import { ensureS3Server } from './lib/with-s3-server.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const DATA_DIR = join(ROOT, 'bench/.data');
const JS_DIR = join(ROOT, 'bench/.data/js-transfer');
const CHILD = compiledPath(ROOT, JS_DIR, join(ROOT, 'bench/transfer-child.ts'));
const SMALL_CHILD = compiledPath(ROOT, JS_DIR, join(ROOT, 'bench/small-child.ts'));
const SECTIONS = ['small', 'large', 'memory', 'cold', 'ranged'] as const;
type Section = (typeof SECTIONS)[number];

interface Options {
  targets: ('sink' | 'server')[];
  sections: Set<Section>;
  rounds: number;
  largeMiB: number;
  memoryMiB: number;
  /** Operations per small-object round (and as many unmeasured before them). */
  smallOps: number;
  capMiB: number;
}

function parseOptions(args: string[]): Options {
  const options: Options = { targets: ['sink', 'server'], sections: new Set(SECTIONS), rounds: 7, largeMiB: 256, memoryMiB: 1024, smallOps: 2000, capMiB: 20 };
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value = ''] = [args[i], args[i + 1]];
    if (flag === '--target') options.targets = value === 'both' ? ['sink', 'server'] : [value as 'sink' | 'server'];
    else if (flag === '--sections') options.sections = new Set(value.split(',') as Section[]);
    else if (flag === '--rounds') options.rounds = Number(value);
    else if (flag === '--large-mib') options.largeMiB = Number(value);
    else if (flag === '--memory-mib') options.memoryMiB = Number(value);
    else if (flag === '--small-ops') options.smallOps = Number(value);
    else if (flag === '--cap-mib') options.capMiB = Number(value);
    else throw new Error(`unknown option ${flag}`);
  }
  return options;
}

interface Sample {
  cpuMs: number;
  wallMs: number;
  /** Operations, or bytes for transfers. */
  units: number;
  peakRssGrowth?: number;
  /** Small operations: CPU per operation of the run's cheapest slice (see bench/small-child.ts). */
  bestSliceCpuPerOp?: number;
}

type Samples = Map<string, Sample[]>;

function push(samples: Samples, name: string, sample: Sample): void {
  const list = samples.get(name) ?? [];
  list.push(sample);
  samples.set(name, list);
}


/** Puts an object the GETs read: into the sink's directory, or onto the real server. */
type Seed = (key: string, source: { bytes: Uint8Array } | { file: string }) => Promise<void>;

/**
 * Small objects: CPU per operation. Each contender's turn in a round is its own child process
 * (bench/small-child.ts), warmed up by as many operations as it then times.
 */
/**
 * The small-object children run with glibc's heap trimming off. Otherwise, whenever a collection
 * frees a run of 64 KiB bodies at the top of the heap, glibc gives those pages back to the kernel
 * and the next bodies fault fresh ones in: whether that happens depends on the heap's layout, so
 * one process of a client spent 5x the CPU of the next on the same GETs (copies and page faults),
 * the raw floor's too. It is noise every client meets alike, not a client's cost.
 */
function steadyMallocEnv(): NodeJS.ProcessEnv {
  return { ...process.env, MALLOC_TRIM_THRESHOLD_: String(256 * MiB), MALLOC_MMAP_THRESHOLD_: String(256 * MiB) };
}

async function runSmall(server: S3Env, bucket: string, options: Options, seed: Seed): Promise<string[]> {
  const listed = smallContenders(server, bucket);
  for (const contender of listed) await contender.close();
  const out: string[] = [];
  const keys = 16;
  for (const size of [4 * KiB, 64 * KiB]) {
    const body = new Uint8Array(size).fill(0x61);
    const count = options.smallOps;
    for (const verb of ['PUT', 'GET'] as const) {
      const samples: Samples = new Map();
      const taking = listed.filter((contender) => verb === 'PUT' || contender.get !== undefined);
      const prefixOf = (name: string): string => `small/${size}/${name.replace(/\W+/g, '')}-`;
      if (verb === 'GET') for (const contender of taking) for (let i = 0; i < keys; i++) await seed(`${prefixOf(contender.name)}${i}`, { bytes: body });
      for (let round = 1; round <= options.rounds; round++) {
        for (const contender of rotate(taking, round)) {
          const args = [contender.name, verb, String(size), String(count), bucket, prefixOf(contender.name), String(keys)];
          const outcome = await runChild({ ...nodeChild(SMALL_CHILD, args), env: steadyMallocEnv(), timeoutMs: 10 * 60_000 });
          if (!outcome.ok) throw new Error(`small ${verb} ${contender.name}: ${outcome.error}`);
          const { cpuMs, wallMs, bestSliceCpuMs, sliceOps } = outcome.report;
          push(samples, contender.name, { cpuMs, wallMs, units: count, bestSliceCpuPerOp: Number(bestSliceCpuMs) / Number(sliceOps) });
        }
      }
      out.push(
        `\n${verb} ${size / KiB} KiB, ${count} sequential ops per round (after as many unmeasured), each contender in its own process, ${options.rounds} rounds`,
        opsTable(samples, taking.map((c) => c.name)),
      );
    }
  }
  return out;
}

const cpuPerUnit = (sample: Sample): number => sample.cpuMs / sample.units;
const bestSliceCpuPerOp = (sample: Sample): number => sample.bestSliceCpuPerOp ?? NaN;

/** Per-round ratio of a row's CPU per unit (or another per-unit figure) to the baseline's, medianed over rounds. */
function cpuRatio(samples: Samples, name: string, baseline: string, perUnit = cpuPerUnit): number | undefined {
  const rows = samples.get(name) ?? [];
  const base = samples.get(baseline) ?? [];
  const ratios = rows.flatMap((sample, i) => {
    const b = base[i];
    return b ? [perUnit(sample) / perUnit(b)] : [];
  });
  return median(ratios);
}

function opsTable(samples: Samples, names: string[]): string {
  const floor = names[0] ?? '';
  return formatTable(
    [
      { header: 'client', value: (name: string) => name, align: 'left' },
      { header: 'ops/s', value: (name) => formatRate(median((samples.get(name) ?? []).map((s) => (s.units / s.wallMs) * 1000))) },
      { header: 'CPU µs/op', value: (name) => formatNumber(median((samples.get(name) ?? []).map((s) => cpuPerUnit(s) * 1000)), 0) },
      { header: 'CPU vs floor', value: (name) => ratioText(cpuRatio(samples, name, floor)) },
      { header: 'CPU vs s3lane', value: (name) => ratioText(cpuRatio(samples, name, 's3lane')) },
      { header: 'best slice µs/op', value: (name) => formatNumber(median((samples.get(name) ?? []).map((s) => bestSliceCpuPerOp(s) * 1000)), 0) },
      { header: 'best vs floor', value: (name) => ratioText(cpuRatio(samples, name, floor, bestSliceCpuPerOp)) },
      { header: 'best vs s3lane', value: (name) => ratioText(cpuRatio(samples, name, 's3lane', bestSliceCpuPerOp)) },
    ],
    names,
  );
}

function ratioText(ratio: number | undefined): string {
  return ratio === undefined ? '—' : `${ratio.toFixed(2)}x`;
}

// ---------------------------------------------------------------------------------------------
// Large transfers and memory: one child process per run.

async function runChildWork(work: string, bucket: string, key: string, file: string, bytes: number, warm = false): Promise<Sample> {
  const args = [work, bucket, key, file, String(bytes), ...(warm ? ['warm'] : [])];
  const outcome = await runChild({ ...nodeChild(CHILD, args), timeoutMs: 15 * 60_000 });
  if (!outcome.ok) throw new Error(`${work}: ${outcome.error}`);
  const { cpuMs, wallMs, peakRssBytes } = outcome.report;
  const rssStart = Number(outcome.report['rssStartBytes'] ?? 0);
  return { cpuMs, wallMs, units: bytes, peakRssGrowth: peakRssBytes - rssStart };
}

interface LargeRow {
  work: string;
  label: string;
}

const UPLOADS: LargeRow[] = [
  { work: 'put:floor', label: 'undici PUT (floor)' },
  { work: 'hash-in-memory', label: 'SHA-256 in memory' },
  { work: 'put:s3lane-auto', label: "s3lane put 'auto' (aws-chunked)" },
  { work: 'put:s3lane-unsigned', label: "s3lane put 'unsigned'" },
  { work: 'upload:floor', label: 'undici multipart (floor) 8 MiB x4' },
  { work: 'upload:s3lane-auto', label: "s3lane upload() 'auto' 8 MiB x4" },
  { work: 'upload:s3lane-unsigned', label: "s3lane upload() 'unsigned'" },
  { work: 'upload:s3lane-sha256', label: "s3lane upload() 'sha256'" },
  { work: 'upload:lib-storage', label: 'aws-sdk lib-storage Upload' },
  { work: 'upload:minio', label: 'minio fPutObject' },
];

/** The floor of the same shape: the multipart floor for upload() rows, the single PUT for the rest. */
function shapeFloor(work: string): string {
  return work.startsWith('upload:') ? 'upload:floor' : 'put:floor';
}

/** The piped rows write through one 1 MiB fs.WriteStream (transfer-child.ts fileWriter), like download(). */
const DOWNLOADS: LargeRow[] = [
  { work: 'get:floor', label: 'undici GET piped (floor)' },
  { work: 'get:floor-dispatch', label: 'undici dispatch() to file' },
  { work: 'get:s3lane-download', label: 's3lane download()' },
  { work: 'get:s3lane-body-web', label: 's3lane get().body piped' },
  { work: 'get:s3lane-node-stream', label: 's3lane get().nodeStream piped' },
  { work: 'get:s3lane-body-node', label: 's3lane Readable.fromWeb(body)' },
  { work: 'get:aws-sdk', label: 'aws-sdk GetObject, default pipe' },
  { work: 'get:aws-sdk-1m', label: 'aws-sdk GetObject piped' },
  { work: 'get:minio', label: 'minio fGetObject' },
];

async function runLarge(bucket: string, options: Options, scratch: string, label: string, seed: Seed): Promise<string[]> {
  const bytes = options.largeMiB * MiB;
  const { files } = await ensureFiles(DATA_DIR, [{ name: `transfer/${options.largeMiB}mib.bin`, bytes }]);
  const source = files[0]!.path;
  const out: string[] = [];
  const rounds = Math.max(1, Math.min(options.rounds, 3));
  const failures: string[] = [];
  await seed('large/source', { file: source });
  for (const [title, rows] of [
    ['upload', UPLOADS],
    ['download', DOWNLOADS],
  ] as const) {
    const samples: Samples = new Map();
    for (let round = 0; round < rounds; round++) {
      for (const row of rotate(rows, round)) {
        const isGet = row.work.startsWith('get:');
        const file = isGet ? join(scratch, `down-${round}.bin`) : source;
        const key = isGet ? 'large/source' : `large/${row.work.replace(/\W+/g, '-')}`;
        const sample = await runChildWork(row.work, bucket, key, file, bytes).catch((error: unknown) => {
          failures.push(`${label} ${row.label}: ${String(error).split('\n').slice(0, 3).join(' | ')}`);
          return undefined;
        });
        if (!sample) continue;
        push(samples, row.work, sample);
        process.stderr.write(
          `transfer: ${label} ${title} round ${round + 1}/${rounds} ${row.label}: ${(sample.wallMs / 1000).toFixed(2)} s, ` +
            `${(sample.cpuMs / 1000).toFixed(2)} s CPU\n`,
        );
      }
    }
    const floor = rows[0]!.work;
    const withHash = (name: string, base = floor): number | undefined => {
      const hashed = samples.get('hash-in-memory') ?? [];
      const ratios = (samples.get(name) ?? []).flatMap((sample, i) => {
        const f = samples.get(base)?.[i];
        const h = hashed[i];
        return f && h ? [sample.cpuMs / (f.cpuMs + h.cpuMs)] : [];
      });
      return median(ratios);
    };
    out.push(
      `\n${title} ${options.largeMiB} MiB (one process per run, ${rounds} rounds)`,
      formatTable(
        [
          { header: 'client', value: (row: LargeRow) => row.label, align: 'left' },
          { header: 'MiB/s', value: (row) => formatRate(median((samples.get(row.work) ?? []).map((s) => s.units / MiB / (s.wallMs / 1000)))) },
          { header: 'CPU ms', value: (row) => formatNumber(median((samples.get(row.work) ?? []).map((s) => s.cpuMs)), 0) },
          { header: 'CPU vs floor', value: (row) => ratioText(cpuRatio(samples, row.work, floor)) },
          ...(title === 'upload'
            ? [
                { header: 'vs floor+SHA', value: (row: LargeRow) => ratioText(withHash(row.work)) },
                // upload() against the same part shape sent by raw undici: its fair floor.
                { header: 'vs shape floor', value: (row: LargeRow) => ratioText(cpuRatio(samples, row.work, shapeFloor(row.work))) },
                { header: 'vs shape+SHA', value: (row: LargeRow) => ratioText(withHash(row.work, shapeFloor(row.work))) },
              ]
            : []),
          {
            header: 'vs s3lane',
            value: (row) => ratioText(cpuRatio(samples, row.work, title === 'upload' ? 'put:s3lane-auto' : 'get:s3lane-download')),
          },
          { header: 'RSS +MiB', value: (row) => formatNumber(median((samples.get(row.work) ?? []).map((s) => (s.peakRssGrowth ?? 0) / MiB)), 0) },
        ],
        rows,
      ),
    );
  }
  return [...out, ...failures.map((failure) => `FAILED: ${failure}`)];
}

const MEMORY_WORKS = [
  'put:floor',
  'put:s3lane-auto',
  'put:s3lane-unsigned',
  'put:s3lane-sha256',
  'upload:floor',
  'upload:s3lane-auto',
  'upload:s3lane-unsigned',
  'upload:s3lane-sha256',
  'get:floor',
  'get:s3lane-download',
  'get:s3lane-download-c4',
  'get:s3lane-body-web',
  'get:s3lane-node-stream',
];

interface MemoryRow {
  work: string;
  sample: Sample;
  /** The same run in a process that has already made requests (see warmUp in transfer-child.ts). */
  warm?: Sample | undefined;
}

async function runMemory(bucket: string, options: Options, scratch: string, seed: Seed): Promise<string[]> {
  const bytes = options.memoryMiB * MiB;
  const { files } = await ensureFiles(DATA_DIR, [{ name: `transfer/${options.memoryMiB}mib.bin`, bytes }]);
  const rows: MemoryRow[] = [];
  const sourceKey = 'memory/source';
  await seed(sourceKey, { file: files[0]!.path });
  const run = (work: string, warm: boolean): Promise<Sample | undefined> => {
    const isGet = work.startsWith('get:');
    const key = isGet ? sourceKey : `memory/${work}`;
    return runChildWork(work, bucket, key, isGet ? join(scratch, 'memory.bin') : files[0]!.path, bytes, warm).catch((error: unknown) => {
      process.stderr.write(`transfer: memory ${work}${warm ? ' (warm)' : ''} FAILED: ${String(error).split('\n')[0]}\n`);
      return undefined;
    });
  };
  for (const work of MEMORY_WORKS) {
    const sample = await run(work, false);
    if (!sample) continue;
    const warm = await run(work, true);
    rows.push({ work, sample, warm });
    process.stderr.write(
      `transfer: memory ${work}: +${((sample.peakRssGrowth ?? 0) / MiB).toFixed(0)} MiB` +
        (warm ? `, warm +${((warm.peakRssGrowth ?? 0) / MiB).toFixed(0)} MiB` : '') +
        '\n',
    );
  }
  const growth = (sample: Sample | undefined): string => (sample ? formatNumber((sample.peakRssGrowth ?? 0) / MiB, 0) : '—');
  return [
    `\nmemory: ${options.memoryMiB} MiB through one child process each (peak RSS minus RSS after imports; ` +
      'warm: after 16 small requests, once V8 has optimised undici\'s parser)',
    formatTable(
      [
        { header: 'work', value: (row: MemoryRow) => row.work, align: 'left' },
        { header: 'RSS +MiB', value: (row) => growth(row.sample) },
        { header: 'warm +MiB', value: (row) => growth(row.warm) },
        { header: 'MiB/s', value: (row) => formatRate(row.sample.units / MiB / (row.sample.wallMs / 1000)) },
      ],
      rows,
    ),
    ...memoryTargetLines(rows),
  ];
}

/** Issue 12's target: no s3lane transfer, up or down, in any payload mode, grows RSS by more than 40 MiB, whatever the size. */
function memoryTargetLines(rows: readonly MemoryRow[]): string[] {
  const ours = rows.filter((row) => /^(put|upload|get):s3lane-/.test(row.work));
  const line = (label: string, pick: (row: MemoryRow) => Sample | undefined): string => {
    const measured = ours.flatMap((row) => {
      const sample = pick(row);
      return sample ? [{ work: row.work, mib: (sample.peakRssGrowth ?? 0) / MiB }] : [];
    });
    const worst = measured.reduce<{ work: string; mib: number } | undefined>((most, row) => (most && most.mib >= row.mib ? most : row), undefined);
    if (!worst) return `target (${label}): no s3lane row ran`;
    const over = measured.filter((row) => row.mib > RSS_TARGET_MiB).map((row) => row.work);
    const verdict = over.length === 0 ? 'met' : `MISSED by ${over.join(', ')}`;
    return `target (${label}): s3lane transfers grow RSS by <= ${RSS_TARGET_MiB} MiB: ${verdict} (worst ${worst.work} +${worst.mib.toFixed(0)} MiB)`;
  };
  return [line('from process start', (row) => row.sample), line('warm process', (row) => row.warm)];
}

const RSS_TARGET_MiB = 40;

// ---------------------------------------------------------------------------------------------
// Cold start: a fresh `node` per run.

async function runCold(server: S3Env, bucket: string, options: Options): Promise<string[]> {
  const s3lane = pathToFileURL(compiledPath(ROOT, JS_DIR, join(ROOT, 'src/index.ts'))).href;
  const env = JSON.stringify(server);
  // Prints when the first answer arrived, from the process's start (performance.now()'s origin):
  // what a service waits. The process's wall time also counts its exit, where undici itself (the
  // raw floor too) spends ~200 ms more than node:http.
  const firstRequest = (importer: string, send: string, close: string): string =>
    `const s=${env};${importer};${send};` +
    `process.stdout.write(JSON.stringify({wallMs:performance.now(),cpuMs:0,peakRssBytes:0})+'\\n');${close}`;
  const cases: { name: string; code: string }[] = [
    { name: 'bare node', code: '' },
    { name: "import('s3lane')", code: `await import('${s3lane}')` },
    { name: "import('@aws-sdk/client-s3')", code: `await import('@aws-sdk/client-s3')` },
    { name: "import('undici')", code: `await import('undici')` },
    { name: "import('fast-xml-parser')", code: `await import('fast-xml-parser')` },
    {
      name: 's3lane import+construct+PUT',
      code: firstRequest(
        `const {S3Client}=await import('${s3lane}')`,
        `const c=new S3Client({endpoint:s.endpoint,region:s.region,credentials:{accessKeyId:s.accessKeyId,secretAccessKey:s.secretAccessKey},forcePathStyle:true});` +
          `await c.put({bucket:'${bucket}',key:'cold',body:'x'})`,
        'await c.close()',
      ),
    },
    {
      name: 'aws-sdk import+construct+PUT',
      code: firstRequest(
        `process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED='true';const {S3Client,PutObjectCommand}=await import('@aws-sdk/client-s3')`,
        `const c=new S3Client({endpoint:s.endpoint,region:s.region,credentials:{accessKeyId:s.accessKeyId,secretAccessKey:s.secretAccessKey},forcePathStyle:true,requestChecksumCalculation:'WHEN_REQUIRED'});` +
          `await c.send(new PutObjectCommand({Bucket:'${bucket}',Key:'cold',Body:'x'}))`,
        'c.destroy()',
      ),
    },
  ];
  const times = new Map<string, number[]>();
  const answered = new Map<string, number[]>();
  const rounds = Math.max(options.rounds, 5);
  for (let round = 0; round < rounds; round++) {
    for (const { name, code } of rotate(cases, round)) {
      const started = performance.now();
      const outcome = await runChild({ command: process.execPath, args: ['--input-type=module', '-e', code], timeoutMs: 60_000 }).catch(
        (error: unknown) => ({ ok: false as const, error: String(error), elapsedMs: 0 }),
      );
      const elapsed = performance.now() - started;
      // runChild wants a JSON report; a bare import prints none, which is fine here: only the time counts.
      if (!outcome.ok && !outcome.error.includes('printed no JSON report')) throw new Error(`${name}: ${outcome.error}`);
      const list = times.get(name) ?? [];
      list.push(elapsed);
      times.set(name, list);
      if (outcome.ok) answered.set(name, [...(answered.get(name) ?? []), outcome.report.wallMs]);
    }
  }
  const bare = median(times.get('bare node') ?? []) ?? 0;
  const aws = (median(times.get("import('@aws-sdk/client-s3')") ?? []) ?? 0) - bare;
  return [
    `\ncold start: wall time of a fresh node process, median of ${rounds}, minus bare node (${bare.toFixed(0)} ms)`,
    formatTable(
      [
        { header: 'case', value: (row: { name: string }) => row.name, align: 'left' },
        { header: '+ms', value: (row) => formatNumber((median(times.get(row.name) ?? []) ?? 0) - bare, 0) },
        { header: 'vs aws-sdk import', value: (row) => formatRatio((median(times.get(row.name) ?? []) ?? 0) - bare, aws) },
      ],
      cases.filter((c) => c.name !== 'bare node'),
    ),
    firstAnswerLine(answered),
  ];
}

/** Issue 12's target: import + construct + first signed request no slower than the AWS SDK's. */
function firstAnswerLine(answered: ReadonlyMap<string, number[]>): string {
  const ours = median(answered.get('s3lane import+construct+PUT') ?? []);
  const theirs = median(answered.get('aws-sdk import+construct+PUT') ?? []);
  if (ours === undefined || theirs === undefined) return 'first answer: not measured';
  return (
    `first answer, ms from the process's start (median): s3lane ${ours.toFixed(0)}, aws-sdk ${theirs.toFixed(0)} = ${formatRatio(ours, theirs)}; ` +
    `target <= 1.00x: ${ours <= theirs ? 'met' : 'MISSED'}`
  );
}

// ---------------------------------------------------------------------------------------------
// Parallel ranged download through a per-connection bandwidth cap.

async function runRanged(server: S3Env, bucket: string, options: Options, scratch: string, seed: Seed): Promise<string[]> {
  const bytes = options.largeMiB * MiB;
  const { files } = await ensureFiles(DATA_DIR, [{ name: `transfer/${options.largeMiB}mib.bin`, bytes }]);
  await seed('ranged/source', { file: files[0]!.path });
  const proxy = await startThrottleProxy(server.endpoint, options.capMiB * MiB);
  const s3 = s3laneClient({ ...server, endpoint: proxy.endpoint }, { bucket });
  const levels = [1, 2, 4, 8];
  const rates = new Map<number, number[]>();
  const rounds = Math.max(1, Math.min(options.rounds, 3));
  try {
    for (let round = 0; round < rounds; round++) {
      for (const concurrency of rotate(levels, round)) {
        const file = join(scratch, `ranged-${concurrency}.bin`);
        const started = performance.now();
        await s3.download({ key: 'ranged/source', file, concurrency, partSize: 8 * MiB });
        const seconds = (performance.now() - started) / 1000;
        await rm(file);
        const list = rates.get(concurrency) ?? [];
        list.push(bytes / MiB / seconds);
        rates.set(concurrency, list);
        process.stderr.write(`transfer: ranged concurrency ${concurrency}: ${(bytes / MiB / seconds).toFixed(1)} MiB/s\n`);
      }
    }
  } finally {
    await s3.close();
    await proxy.close();
  }
  const single = median(rates.get(1) ?? []) ?? 0;
  return [
    `\nranged download() of ${options.largeMiB} MiB in 8 MiB parts, each connection capped at ${options.capMiB} MiB/s, median of ${rounds}`,
    formatTable(
      [
        { header: 'concurrency', value: (c: number) => String(c) },
        { header: 'MiB/s', value: (c) => formatRate(median(rates.get(c) ?? [])) },
        { header: 'vs 1 connection', value: (c) => formatRatio(median(rates.get(c) ?? []), single) },
        { header: 'of c x 1 connection', value: (c) => `${(((median(rates.get(c) ?? []) ?? 0) / (c * single)) * 100).toFixed(0)}%` },
      ],
      levels,
    ),
  ];
}

// ---------------------------------------------------------------------------------------------

async function createBucket(server: S3Env, bucket: string): Promise<void> {
  // The sink makes directories on PUT; the real server needs the bucket.
  const s3 = s3laneClient(server);
  if (!(await s3.bucketExists({ bucket }))) await s3.createBucket({ bucket });
  await s3.close();
}

async function runTarget(server: S3Env, label: string, options: Options, sinkRoot?: string): Promise<void> {
  const bucket = `transfer-${Date.now().toString(36)}`;
  if (sinkRoot === undefined) await createBucket(server, bucket);
  const seed: Seed = async (key, source) => {
    if (sinkRoot !== undefined) {
      const path = join(sinkRoot, bucket, key);
      await mkdir(dirname(path), { recursive: true });
      await ('bytes' in source ? writeFile(path, source.bytes) : copyFile(source.file, path));
      return;
    }
    await using s3 = s3laneClient(server, { bucket, payloadSigning: 'unsigned' });
    await s3.put({ key, body: 'bytes' in source ? source.bytes : createReadStream(source.file) });
  };
  const scratch = await mkdtemp(join('/dev/shm', 's3lane-transfer-'));
  const childEnv = { S3_ENDPOINT: server.endpoint, S3_ACCESS_KEY: server.accessKeyId, S3_SECRET_KEY: server.secretAccessKey, S3_REGION: server.region };
  Object.assign(process.env, childEnv);
  console.log(`\n=== ${label}: ${server.endpoint} ===`);
  try {
    if (options.sections.has('small')) for (const line of await runSmall(server, bucket, options, seed)) console.log(line);
    if (options.sections.has('large')) for (const line of await runLarge(bucket, options, scratch, label, seed)) console.log(line);
    if (options.sections.has('memory') && label === 'sink') for (const line of await runMemory(bucket, options, scratch, seed)) console.log(line);
    if (options.sections.has('ranged')) for (const line of await runRanged(server, bucket, options, scratch, seed)) console.log(line);
    if (options.sections.has('cold') && label === 'sink') for (const line of await runCold(server, bucket, options)) console.log(line);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

export async function main(args: string[]): Promise<void> {
  const options = parseOptions(args);
  if (options.targets.includes('server')) ensureS3Server({ memstoreBytes: 6 * 1024 * MiB });
  await transpileFolders(ROOT, ['src', 'bench'], JS_DIR);
  const realServer = options.targets.includes('server') ? s3Env() : undefined;
  console.log(`transfer: node ${process.version}; shared 2-core machine: compare ratios within a run, not absolute numbers`);
  if (options.targets.includes('sink')) {
    const sink = await startNginxSink();
    try {
      await runTarget({ endpoint: sink.endpoint, region: 'us-east-1', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'sink-secret' }, 'sink', options, sink.root);
    } finally {
      await sink.stop();
    }
  }
  if (realServer) await runTarget(realServer, 'server', options);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main(process.argv.slice(2));
