/**
 * Cold start: neither `import('s3lane')` nor constructing a client loads undici or fast-xml-parser,
 * the first request loads undici (only the files it needs, not its index), and a put or a get never
 * loads XML parsing, the default credential chain (the client has keys) or the transfers. Checked in a fresh Node process (this one has loaded everything already),
 * against a local HTTP server on port 0 that answers like S3. A package counts as loaded when it
 * is in `require.cache` (CommonJS) or when an ES module import resolved into it (seen by a resolve
 * hook, which logs to a file); the positive control (a list, which does parse XML) proves the check
 * sees a load when there is one.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const INDEX = fileURLToPath(new URL('../../src/index.ts', import.meta.url));

/** A resolve hook (it runs on the loader's thread) that appends every URL it resolves to a file. */
const RESOLVE_LOGGER = `
import { appendFileSync } from 'node:fs';
let log;
export function initialize(data) { log = data.log; }
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(log, resolved.url + '\\n');
  return resolved;
}
`;

const child = (log: string): string => `
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(RESOLVE_LOGGER)}), { data: { log: ${JSON.stringify(log)} } });
const require = createRequire(import.meta.url);
const loaded = (name) => {
  const inPackage = (path) => path.includes('/node_modules/' + name + '/');
  const esm = readFileSync(${JSON.stringify(log)}, 'utf8').split('\\n');
  return Object.keys(require.cache).some(inPackage) || esm.some(inPackage);
};
/** Our own modules (ES modules only): the credential chain and the transfers load on first use. */
const loadedOwn = (path) => readFileSync(${JSON.stringify(log)}, 'utf8').includes('/src/s3/' + path);
const heavy = () => ({ chain: loadedOwn('credentials/chain.'), transfers: ['upload', 'batch', 'download', 'ranged-download'].some((name) => loadedOwn('transfer/' + name + '.')) });
const report = {};
const { S3Client } = await import(${JSON.stringify(INDEX)});
report.afterImport = { undici: loaded('undici'), xml: loaded('fast-xml-parser'), ...heavy() };
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    if (req.url.includes('list-type=2')) {
      res.writeHead(200, { 'content-type': 'application/xml' });
      res.end('<?xml version="1.0"?><ListBucketResult><Name>bucket</Name><IsTruncated>false</IsTruncated><KeyCount>0</KeyCount></ListBucketResult>');
    } else {
      res.writeHead(200, { etag: '"0123"' });
      res.end(req.method === 'GET' ? 'hello' : '');
    }
  });
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const s3 = new S3Client({
  endpoint: 'http://127.0.0.1:' + server.address().port,
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
  forcePathStyle: true,
  bucket: 'bucket',
});
report.afterConstruct = { undici: loaded('undici') };
await s3.put({ key: 'k', body: 'hello' });
report.afterPut = { undici: loaded('undici'), undiciIndex: Object.keys(require.cache).some((path) => path.endsWith('/node_modules/undici/index.js')) };
report.text = await (await s3.get({ key: 'k' })).text();
report.afterPutGet = { xml: loaded('fast-xml-parser'), ...heavy() };
for await (const _ of s3.list()) { /* empty */ }
report.afterList = { xml: loaded('fast-xml-parser') };
await s3.close();
server.close();
process.stdout.write(JSON.stringify(report));
`;

it('loads undici (not its index) with the first request and XML parsing only for an operation that parses XML', () => {
  const dir = mkdtempSync(join(tmpdir(), 's3lane-lazy-'));
  const log = join(dir, 'resolved.log');
  let run;
  try {
    run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', child(log)], { encoding: 'utf8', timeout: 60_000 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  expect(run.stderr).toBe('');
  const report = JSON.parse(run.stdout) as Record<string, Record<string, boolean> | string>;
  expect(report).toEqual({
    afterImport: { undici: false, xml: false, chain: false, transfers: false },
    afterConstruct: { undici: false },
    afterPut: { undici: true, undiciIndex: false },
    text: 'hello',
    afterPutGet: { xml: false, chain: false, transfers: false },
    afterList: { xml: true },
  });
});
