/**
 * Bench dispatcher: `npm run bench -- <name> [args]` runs bench/<name>.ts's main(args).
 * Adding a bench is one line in BENCHES (benches are imported lazily: only the one run loads).
 */
const BENCHES: Record<string, () => Promise<{ main(args: string[]): Promise<void> }>> = {
  sign: () => import('./sign.js'),
  batch: () => import('./batch.js'),
  checksum: () => import('./checksum.js'),
  transfer: () => import('./transfer.js'),
};

const [name, ...args] = process.argv.slice(2);
const load = name === undefined ? undefined : BENCHES[name];
if (load === undefined) {
  console.error(`usage: npm run bench -- <${Object.keys(BENCHES).join('|')}> [args]`);
  process.exitCode = 2;
} else {
  await (await load()).main(args);
}
