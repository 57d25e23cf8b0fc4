/**
 * The package as users install it: `npm pack` (which builds), then the tarball's contents, and the
 * tarball unpacked into a throw-away project and loaded in child processes, with `import`, with
 * `require` (Node ≥ 20.19 loads the ES module synchronously: one module instance for both), and
 * from a TypeScript CommonJS project compiled with `module: nodenext`.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

interface PackResult {
  filename: string;
  files: { path: string }[];
}

/** A presigned URL computed the same way by each loader, so the outputs can be compared. */
const PRESIGN = `new S3Client({ endpoint: 'http://127.0.0.1:9000', region: 'us-east-1', bucket: 'bkt',
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' } })
  .presignSync({ key: 'k', signingDate: new Date('2026-01-01T00:00:00Z') })`;

describe('the packed tarball', () => {
  let work = '';
  let files: string[] = [];
  let project = '';

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 's3lane-pack-'));
    // `npm pack` runs `prepack`, which builds dist/ afresh.
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', work], { cwd: root, maxBuffer: 16 * 1024 * 1024 });
    const [packed] = JSON.parse(stdout.slice(stdout.indexOf('['))) as PackResult[];
    if (!packed) throw new Error(`npm pack printed no result: ${stdout}`);
    files = packed.files.map((f) => f.path).sort();

    project = join(work, 'project');
    const installed = join(project, 'node_modules', 's3lane');
    await mkdir(installed, { recursive: true });
    await run('tar', ['-xzf', join(work, packed.filename), '-C', installed, '--strip-components=1']);
    // The runtime dependencies, as npm would install them next to the package.
    const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    for (const name of Object.keys(manifest.dependencies)) {
      await mkdir(dirname(join(project, 'node_modules', name)), { recursive: true });
      await symlink(join(root, 'node_modules', name), join(project, 'node_modules', name), 'dir');
    }
    // npm pack builds with tsc: room for a busy 2-core machine, no speed claim.
  }, 300_000);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('holds the build, its sources, LICENSE and README, and nothing of the repository besides', () => {
    for (const required of ['LICENSE', 'README.md', 'package.json', 'dist/index.js', 'dist/index.d.ts', 'dist/signer/index.js', 'dist/signer/index.d.ts']) {
      expect(files, required).toContain(required);
    }
    const outside = files.filter((f) => !/^(dist|src)\//.test(f) && !['LICENSE', 'README.md', 'package.json'].includes(f));
    expect(outside).toEqual([]);
    // Every module of src/ is built: new folders under src/ are picked up by the build config.
    for (const source of files.filter((f) => f.startsWith('src/') && f.endsWith('.ts'))) {
      expect(files, source).toContain(source.replace(/^src\//, 'dist/').replace(/\.ts$/, '.js'));
    }
  });

  it('has no broken source maps: every map names sources that are in the tarball', async () => {
    const maps = files.filter((f) => f.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(0);
    for (const map of maps) {
      const { sources } = JSON.parse(await readFile(join(project, 'node_modules', 's3lane', map), 'utf8')) as { sources: string[] };
      for (const source of sources) {
        const target = join(dirname(map), source);
        expect(files, `${map} → ${source}`).toContain(target);
      }
    }
    for (const js of files.filter((f) => f.endsWith('.js'))) expect(files, js).toContain(`${js}.map`);
  });

  it('loads with import: the client and the signer', async () => {
    const script = `import { S3Client, S3Error } from 's3lane'; import { SigV4Signer } from 's3lane/signer';
      console.log(JSON.stringify({ url: ${PRESIGN}, error: typeof S3Error, signer: typeof SigV4Signer }));`;
    const { stdout, stderr } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: project });
    expect(stderr).toBe('');
    const out = JSON.parse(stdout) as { url: string; error: string; signer: string };
    expect(out).toMatchObject({ error: 'function', signer: 'function' });
    expect(out.url).toMatch(/^http:\/\/127\.0\.0\.1:9000\/bkt\/k\?X-Amz-Algorithm=AWS4-HMAC-SHA256&/);
  });

  it('loads with require, as the same module instance as import, without warnings', async () => {
    const script = `const { S3Client, S3Error } = require('s3lane'); const { SigV4Signer } = require('s3lane/signer');
      import('s3lane').then((esm) => console.log(JSON.stringify({
        url: ${PRESIGN}, signer: typeof SigV4Signer, sameClass: esm.S3Error === S3Error })));`;
    const { stdout, stderr } = await run(process.execPath, ['-e', script], { cwd: project });
    expect(stderr).toBe('');
    const out = JSON.parse(stdout) as { url: string; signer: string; sameClass: boolean };
    expect(out).toMatchObject({ signer: 'function', sameClass: true });
    expect(out.url).toMatch(/^http:\/\/127\.0\.0\.1:9000\/bkt\/k\?X-Amz-Algorithm=AWS4-HMAC-SHA256&/);
  });

  it('type-checks and runs in a TypeScript CommonJS project (module nodenext)', async () => {
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'commonjs' }));
    await writeFile(
      join(project, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, types: [], typeRoots: [join(root, 'node_modules/@types')], skipLibCheck: true, outDir: 'out' }, files: ['main.ts'] }),
    );
    await writeFile(
      join(project, 'main.ts'),
      `import { S3Client, S3ConfigError } from 's3lane';\nimport { SigV4Signer } from 's3lane/signer';\n` +
        `const url: string = ${PRESIGN};\nconsole.log(JSON.stringify({ url, config: typeof S3ConfigError, signer: typeof SigV4Signer }));\n`,
    );
    await run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', project], { cwd: project });
    expect(existsSync(join(project, 'out/main.js'))).toBe(true);
    expect(await readFile(join(project, 'out/main.js'), 'utf8')).toContain('require("s3lane")');
    const { stdout, stderr } = await run(process.execPath, [join(project, 'out/main.js')], { cwd: project });
    expect(stderr).toBe('');
    expect(JSON.parse(stdout)).toMatchObject({ config: 'function', signer: 'function' });
  }, 180_000);
});
