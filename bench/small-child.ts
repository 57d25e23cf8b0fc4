/**
 * One small-object contender timed in its own process, so that no other client's garbage is
 * collected on its time and every client runs as compiled JS on bare node (as users run it);
 * bench/transfer.ts (section small) starts it and reads its JSON report.
 *
 *   node small-child.js <contender> <PUT|GET> <size> <count> <bucket> <key prefix> <keys>
 *
 * It first runs `count` operations unmeasured (JIT, connections), then `count` measured ones, in
 * slices of SLICE_OPS, and reports the whole run's CPU and its cheapest slice's. This machine is a
 * VM whose CPU accounting swings 2-5x within one process and one loop (stolen time is charged to
 * whatever runs); noise only ever adds time, so the cheapest slice is the steadiest figure of what
 * the work itself costs. A slice is long enough to include the work's share of garbage collection.
 */
import { measure, printReport } from './lib/measure.js';
import { s3Env } from './lib/s3-env.js';
import { smallContenders } from './lib/small-contenders.js';

/** Operations per slice: ~50-100 ms of work, several scavenges and any full collection the work causes. */
const SLICE_OPS = 250;

async function main(): Promise<void> {
  const [name = '', verb = '', size = '0', count = '0', bucket = '', prefix = '', keys = '1'] = process.argv.slice(2);
  const contenders = smallContenders(s3Env(), bucket);
  const contender = contenders.find((c) => c.name === name);
  if (!contender) throw new Error(`unknown contender ${name}`);
  const body = new Uint8Array(Number(size)).fill(0x61);
  const get = verb === 'GET' ? contender.get : undefined;
  if (verb === 'GET' && !get) throw new Error(`${name} does not GET`);
  const op = (i: number): Promise<unknown> => {
    const key = `${prefix}${i % Number(keys)}`;
    return get ? get(key) : contender.put(key, body);
  };
  const total = Number(count);
  for (let i = 0; i < total; i++) await op(i);
  // Whole slices only: the cheapest of a few odd operations would say little.
  const sliceOps = Math.min(SLICE_OPS, total);
  let bestSliceCpuMs = Infinity;
  const { measurement } = await measure(async () => {
    let done = 0;
    while (done + sliceOps <= total) {
      const before = process.cpuUsage();
      for (const end = done + sliceOps; done < end; done++) await op(done);
      const cpu = process.cpuUsage(before);
      bestSliceCpuMs = Math.min(bestSliceCpuMs, (cpu.user + cpu.system) / 1000);
    }
    for (; done < total; done++) await op(done);
  });
  printReport({ ...measurement, units: total, bestSliceCpuMs, sliceOps });
  for (const c of contenders) await c.close();
}

if (process.argv[1]?.endsWith('small-child.js')) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}
