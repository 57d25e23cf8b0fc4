/**
 * The s3lane command line, built (see cli-build.ts) and run as a child process against the real
 * server: recursive uploads with a file that cannot be read, recursive downloads, ls, rm,
 * presign, stdin and stdout, --json, usage errors and Ctrl-C.
 */
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cliEnv, runCli } from './cli.js';
import { describeWithServer, patternBytes, testClient, uniqueBucketName } from './server.js';

const MiB = 1024 * 1024;

/** The tree to upload: nested folders, non-ASCII names (NFC and a 4-byte emoji), an empty file. */
const TREE: Record<string, Uint8Array> = {
  'top.txt': new TextEncoder().encode('top level\n'),
  'empty.dat': new Uint8Array(0),
  'a/b/c/deep.bin': patternBytes(300_000, 1),
  'a/sibling.bin': patternBytes(70_000, 2),
  'ünïcødé/日本語の名前.txt': new TextEncoder().encode('こんにちは\n'),
  'ünïcødé/emoji 😀 and spaces.txt': new TextEncoder().encode('smile\n'),
  'large/seven-mib.bin': patternBytes(7 * MiB + 3, 3),
};
const UNREADABLE = 'a/b/secret.txt';

async function filesUnder(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(relative(dir, path).split(sep).join('/'), await readFile(path));
  }
  return files;
}

describeWithServer('s3lane CLI against a real server', () => {
  const bucket = uniqueBucketName('cli');
  const s3 = testClient({ bucket });
  let dir = '';
  let env: NodeJS.ProcessEnv = {};

  beforeAll(async () => {
    await s3.createBucket();
    dir = await mkdtemp(join(tmpdir(), 's3lane-cli-'));
    env = cliEnv(dir);
    const tree = join(dir, 'tree');
    for (const [name, bytes] of Object.entries({ ...TREE, [UNREADABLE]: new TextEncoder().encode('no one may read this') })) {
      await mkdir(join(tree, name, '..'), { recursive: true });
      await writeFile(join(tree, name), bytes);
    }
    await chmod(join(tree, UNREADABLE), 0o000);
    // mkdtemp makes a private directory: the upload test runs the CLI as another user (see below).
    for (const path of [dir, tree, ...(await readdir(tree, { recursive: true })).map((name) => join(tree, name))]) {
      if (!path.endsWith(UNREADABLE)) await chmod(path, path.includes('.') && !path.endsWith('ünïcødé') ? 0o644 : 0o755);
    }
  });

  const keysUnder = async (prefix: string): Promise<string[]> => {
    const keys = [];
    for await (const object of s3.list({ prefix })) keys.push(object.key);
    return keys;
  };

  afterAll(async () => {
    for await (const object of s3.list()) await s3.delete({ key: object.key });
    await s3.deleteBucket();
    await s3.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('cp --recursive uploads a tree and exits 1 naming the one file it could not read; the rest arrive intact', async () => {
    // Root reads a chmod-000 file regardless (CAP_DAC_OVERRIDE), so as root the CLI runs as
    // 'nobody' (uid 65534): then the open() fails with a real EACCES, as it would for any user.
    const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const run = await runCli(['cp', join(dir, 'tree'), `s3://${bucket}/up/`, '--recursive', '--part-size', '5MiB'], { env, ...asNobody });
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toContain(`upload failed: ${join(dir, 'tree', UNREADABLE)} to s3://${bucket}/up/${UNREADABLE}: EACCES`);
    expect(run.stdout).toMatch(/^uploaded 7 of 8 files, [\d.]+ MiB in [\d.]+m?s \([\d.]+ [KM]iB\/s\); 1 failed$/m);
    for (const [name, bytes] of Object.entries(TREE)) {
      expect(run.stdout).toContain(`upload: ${join(dir, 'tree', name)} to s3://${bucket}/up/${name}\n`);
      const object = await s3.get({ key: `up/${name}` });
      expect(Buffer.from(await object.bytes()).equals(Buffer.from(bytes)), name).toBe(true);
    }
    expect(await s3.exists({ key: `up/${UNREADABLE}` })).toBe(false);
    // Content-Type from the extension, as the AWS CLI does; none for unknown ones.
    expect((await s3.head({ key: 'up/top.txt' })).contentType).toBe('text/plain; charset=utf-8');
    expect((await s3.head({ key: 'up/a/sibling.bin' })).contentType).toBe('binary/octet-stream');
    expect(await s3.listMultipartUploads()).toEqual([]);
  });

  it('cp --recursive downloads every object under a prefix into the same tree', async () => {
    const target = join(dir, 'down');
    const run = await runCli(['cp', `s3://${bucket}/up/`, target, '--recursive'], { env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^downloaded 7 files, /m);
    const downloaded = await filesUnder(target);
    expect([...downloaded.keys()].sort()).toEqual(Object.keys(TREE).sort());
    for (const [name, bytes] of Object.entries(TREE)) expect(downloaded.get(name)?.equals(Buffer.from(bytes)), name).toBe(true);
  });

  it('ls lists the buckets, one level of a prefix with its folders, and --recursive every key', async () => {
    const buckets = await runCli(['ls'], { env });
    expect(buckets.code, buckets.stderr).toBe(0);
    expect(buckets.stdout).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d ${bucket}$`, 'm'));

    const level = await runCli(['ls', `s3://${bucket}/up/`], { env });
    expect(level.code, level.stderr).toBe(0);
    expect(level.stdout.split('\n').filter(Boolean).map((line) => line.trim().split(/\s+/).at(-1))).toEqual([
      'a/',
      'large/',
      'ünïcødé/',
      'empty.dat',
      'top.txt',
    ]);
    expect(level.stdout).toMatch(/^ +PRE a\/$/m);
    expect(level.stdout).toMatch(/^\S+ \S+ +10 top\.txt$/m);

    const all = await runCli(['ls', `s3://${bucket}/up/`, '--recursive', '--human'], { env });
    expect(all.stdout).toMatch(/ 7\.00 MiB up\/large\/seven-mib\.bin$/m);
    expect(all.stdout).toContain(' up/ünïcødé/emoji 😀 and spaces.txt\n');
  });

  it('--json prints one parseable object per item and a summary', async () => {
    const run = await runCli(['cp', `s3://${bucket}/up/a/`, join(dir, 'json'), '--recursive', '--json'], { env });
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.slice(0, -1).map((item) => item['source']).sort()).toEqual([`s3://${bucket}/up/a/b/c/deep.bin`, `s3://${bucket}/up/a/sibling.bin`]);
    expect(lines.slice(0, -1).every((item) => item['type'] === 'item' && item['ok'] === true && item['action'] === 'download')).toBe(true);
    expect(lines.at(-1)).toMatchObject({ type: 'summary', action: 'download', ok: 2, failed: 0, total: 2, bytes: 370_000 });

    const listed = await runCli(['ls', `s3://${bucket}/up/`, '--json'], { env });
    const entries = listed.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries).toContainEqual(expect.objectContaining({ type: 'object', key: 'up/top.txt', size: 10 }));
    expect(entries).toContainEqual(expect.objectContaining({ type: 'prefix', prefix: 'up/a/' }));
  });

  it('cp - uploads stdin of unknown length (multipart past the part size) and cp KEY - writes it to stdout', async () => {
    const bytes = Buffer.from(patternBytes(11 * MiB + 17, 9));
    const up = await runCli(['cp', '-', `s3://${bucket}/stdin.bin`, '--part-size', '5MiB'], { env, input: bytes });
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toContain(`upload: - to s3://${bucket}/stdin.bin`);
    expect((await s3.head({ key: 'stdin.bin' })).etag).toMatch(/-3"$/);

    const down = await runCli(['cp', `s3://${bucket}/stdin.bin`, '-'], { env });
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdoutBytes.equals(bytes)).toBe(true);
    // With the object's bytes on stdout, the report goes to stderr.
    expect(down.stderr).toMatch(/^downloaded 1 file, 11\.0 MiB in /m);

    const ranged = await runCli(['cat', `s3://${bucket}/stdin.bin`, '--range', '100-199'], { env });
    expect(ranged.stdoutBytes.equals(bytes.subarray(100, 200))).toBe(true);
  });

  it('--profile and AWS_PROFILE read keys from ~/.aws/credentials, as the AWS CLI does', async () => {
    const home = join(dir, 'home');
    await mkdir(join(home, '.aws'), { recursive: true });
    const keys = `aws_access_key_id = ${env['AWS_ACCESS_KEY_ID']}\naws_secret_access_key = ${env['AWS_SECRET_ACCESS_KEY']}\n`;
    await writeFile(join(home, '.aws', 'credentials'), `[default]\naws_access_key_id = AKIDWRONGWRONGWRONG\naws_secret_access_key = wrong\n[cli-test]\n${keys}`);
    const { AWS_ACCESS_KEY_ID: _id, AWS_SECRET_ACCESS_KEY: _secret, ...noKeys } = env;
    const profileEnv = { ...noKeys, HOME: home };
    await s3.put({ key: 'profile/seen.txt', body: 'seen' });
    for (const run of [
      await runCli(['ls', `s3://${bucket}/profile/`, '--profile', 'cli-test'], { env: profileEnv }),
      await runCli(['ls', `s3://${bucket}/profile/`], { env: { ...profileEnv, AWS_PROFILE: 'cli-test' } }),
    ]) {
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/ 4 seen\.txt\n$/);
    }
    // The default profile's keys are wrong: without a profile the store refuses them. (RGW answers
    // InvalidAccessKeyId, or AccessDenied once its STS/IAM is on: the status is what is certain.)
    const refused = await runCli(['ls', `s3://${bucket}/profile/`], { env: profileEnv });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^s3lane: \w+: .*\(HTTP 403, /m);
  });

  it('presign makes a URL that a plain fetch, with no credentials, can GET', async () => {
    const run = await runCli(['presign', `s3://${bucket}/up/ünïcødé/日本語の名前.txt`, '--expires-in', '120'], { env });
    expect(run.code, run.stderr).toBe(0);
    const url = run.stdout.trim();
    expect(url).toContain('X-Amz-Expires=120');
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('こんにちは\n');
  });

  it('rm --recursive --dryrun deletes nothing; rm --recursive deletes every key under the prefix and nothing else', async () => {
    await s3.put({ key: 'upx/outside-the-prefix.txt', body: 'stays' });
    const dry = await runCli(['rm', `s3://${bucket}/up/`, '--recursive', '--dryrun'], { env });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`(dryrun) delete: s3://${bucket}/up/top.txt\n`);
    expect(dry.stdout).toMatch(/^would delete 7 objects$/m);
    expect(await keysUnder('up/')).toHaveLength(7);

    // 'up' without the slash still means the folder up/, never upx/.
    const real = await runCli(['rm', `s3://${bucket}/up`, '--recursive'], { env });
    expect(real.code, real.stderr).toBe(0);
    expect(real.stdout).toMatch(/^deleted 7 objects$/m);
    expect(await keysUnder('up/')).toEqual([]);
    expect(await s3.exists({ key: 'upx/outside-the-prefix.txt' })).toBe(true);
  });

  it.each([
    ['no command', []],
    ['an unknown command', ['mv', 'a', 'b']],
    ['an unknown option', ['ls', '--colour']],
    ['an option of another command', ['ls', `s3://${bucket}`, '--dryrun']],
    ['a malformed size', ['cp', '-', `s3://${bucket}/k`, '--part-size', 'lots']],
    ['a directory without --recursive', ['cp', tmpdir(), `s3://${bucket}/k`]],
  ])('a usage error (%s) exits 2 with the usage text and sends nothing', async (_name, args) => {
    const run = await runCli(args, { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^s3lane: .+\n\nUsage: s3lane <command>/);
    expect(run.stdout).toBe('');
  });

  it('a failed item reports its key and S3 code, exits 1, and never prints the secret key', async () => {
    const run = await runCli(['cp', `s3://${bucket}/no/such/key`, join(dir, 'missing.txt')], { env });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`download failed: s3://${bucket}/no/such/key to ${join(dir, 'missing.txt')}: NoSuchKey`);
    const wrongKey = await runCli(['ls', `s3://${bucket}`, '--debug'], { env: { ...env, AWS_SECRET_ACCESS_KEY: 'not/the/right/secret/at/all/1234567890' } });
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toMatch(/^s3lane: (SignatureDoesNotMatch|AccessDenied): .*\(HTTP 403, /m);
    expect(wrongKey.stderr).not.toContain('not/the/right/secret');
  });

  it('Ctrl-C during a multipart upload from stdin aborts it: exit 130, no multipart upload and no object left', async () => {
    const key = 'interrupted.bin';
    const run = await runCli(['cp', '-', `s3://${bucket}/${key}`, '--part-size', '5MiB'], {
      env,
      started: (child) => {
        // One part and a bit: the multipart upload starts, and then waits for the rest of stdin.
        child.stdin?.write(Buffer.from(patternBytes(6 * MiB, 4)));
        const waitForUpload = async (): Promise<void> => {
          while ((await s3.listMultipartUploads({ prefix: key })).length === 0) await new Promise((r) => setTimeout(r, 50));
          child.kill('SIGINT');
        };
        void waitForUpload();
      },
    });
    expect(run.code, run.stderr).toBe(130);
    expect(run.stderr).toContain('interrupted');
    expect(await s3.listMultipartUploads({ prefix: key })).toEqual([]);
    expect(await s3.exists({ key })).toBe(false);
  });
});
