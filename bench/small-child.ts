/**
 * One small-object contender timed in its own process, so that no other client's garbage is
 * collected on its time and every client runs as compiled JS on bare node (as users run it);
 * bench/transfer.ts (section small) starts it and reads its JSON report.
 *
 *   node small-child.js <contender> <PUT|GET> <size> <count> <bucket> <key prefix> <keys>
 *
 * It first runs `count` operations unmeasured (JIT, connections), then `count` measured ones.
 */
import { measure, printReport } from './lib/measure.js';
import { s3Env } from './lib/s3-env.js';
import { smallContenders } from './lib/small-contenders.js';

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
  const ops = async (): Promise<void> => {
    for (let i = 0; i < Number(count); i++) await op(i);
  };
  await ops();
  const { measurement } = await measure(ops);
  printReport({ ...measurement, units: Number(count) });
  for (const c of contenders) await c.close();
}

if (process.argv[1]?.endsWith('small-child.js')) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}
