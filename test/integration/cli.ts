/**
 * Running the built CLI (.cli-dist/cli/main.js, see cli-build.ts) as a child process against the test server, with the
 * server's endpoint and keys in AWS_* variables, as a user would set them.
 */
import { spawn, type SpawnOptions } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import { s3Server } from './server.js';

export const CLI = fileURLToPath(new URL('../../.cli-dist/cli/main.js', import.meta.url));

/** The environment a user of the CLI would have: AWS_* pointing at the test server, no ~/.aws. */
export function cliEnv(home: string): NodeJS.ProcessEnv {
  if (!s3Server) throw new Error('no S3 server: run the integration tests through scripts/s3-server.sh');
  if (!inject('cliBuilt')) throw new Error('the CLI was not built: test/integration/cli-build.ts is the globalSetup that builds it');
  return {
    PATH: process.env.PATH,
    HOME: home,
    AWS_ACCESS_KEY_ID: s3Server.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3Server.secretAccessKey,
    AWS_REGION: s3Server.region,
    AWS_ENDPOINT_URL: s3Server.endpoint,
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  stdoutBytes: Buffer;
}

export interface CliOptions extends Pick<SpawnOptions, 'uid' | 'gid'> {
  env: NodeJS.ProcessEnv;
  /** Written to stdin, which is then closed; without it stdin is empty. */
  input?: Uint8Array | string;
  /** Called once the child runs, e.g. to send it a signal. */
  started?: (child: ReturnType<typeof spawn>) => void;
}

export function runCli(args: readonly string[], options: CliOptions): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: options.env, uid: options.uid, gid: options.gid, stdio: 'pipe' });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    // The CLI may close its stdin before reading it all (Ctrl-C does): a write then fails with EPIPE,
    // which is the child's choice, not a failure of the test.
    child.stdin.on('error', () => undefined);
    child.on('close', (code, signal) => {
      const stdoutBytes = Buffer.concat(out);
      resolve({ code, signal, stdout: stdoutBytes.toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), stdoutBytes });
    });
    if (options.started) options.started(child);
    else child.stdin.end(options.input);
  });
}
