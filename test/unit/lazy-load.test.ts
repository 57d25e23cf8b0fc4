/**
 * Cold start: `import('s3lane')` loads neither undici nor fast-xml-parser, and a put or a get never
 * loads XML parsing. Checked in a fresh Node process (this one has loaded everything already),
 * against a local HTTP server on port 0 that answers like S3. Both libraries are loaded on demand
 * through `createRequire`, so `require.cache` shows whether they were; the positive control (a
 * list, which does parse XML) proves the check sees them when they are.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const INDEX = fileURLToPath(new URL('../../src/index.ts', import.meta.url));

const CHILD = `
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const loaded = (name) => Object.keys(require.cache).some((path) => path.includes('/node_modules/' + name + '/'));
const report = {};
const { S3Client } = await import(${JSON.stringify(INDEX)});
report.afterImport = { undici: loaded('undici'), xml: loaded('fast-xml-parser') };
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
report.text = await (await s3.get({ key: 'k' })).text();
report.afterPutGet = { xml: loaded('fast-xml-parser') };
for await (const _ of s3.list()) { /* empty */ }
report.afterList = { xml: loaded('fast-xml-parser') };
await s3.close();
server.close();
process.stdout.write(JSON.stringify(report));
`;

it('loads undici with the first client and XML parsing only for an operation that parses XML', () => {
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(child.stderr).toBe('');
  const report = JSON.parse(child.stdout) as Record<string, Record<string, boolean> | string>;
  expect(report).toEqual({
    afterImport: { undici: false, xml: false },
    afterConstruct: { undici: true },
    text: 'hello',
    afterPutGet: { xml: false },
    afterList: { xml: true },
  });
});
