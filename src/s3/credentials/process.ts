/**
 * `credential_process`: runs the profile's command and reads credentials from its stdout, JSON
 * with `Version: 1`. The command runs through the shell, as the AWS SDK for JavaScript runs it, so
 * quoting works as the user wrote it. Its stderr goes to ours (prompts and diagnostics stay
 * visible) and never into an error message, where it could carry a secret.
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-process-credentials.html
 */
import { spawn } from 'node:child_process';
import { S3CredentialsError } from '../errors.js';
import { credentialsFrom, parseJsonObject, stringField } from './answers.js';
import type { Credentials } from './types.js';

export const PROCESS_TIMEOUT_MS = 60_000;
const MAX_OUTPUT_BYTES = 1 << 20;

export async function credentialsFromProcess(command: string, profile: string, timeoutMs = PROCESS_TIMEOUT_MS): Promise<Credentials> {
  const source = `credential_process of profile "${profile}"`;
  const stdout = await run(command, source, timeoutMs);
  const json = parseJsonObject(source, stdout);
  if (json.Version !== 1) {
    throw new S3CredentialsError('CredentialsProviderError', `${source}: the output must have "Version": 1, got ${JSON.stringify(json.Version ?? null)}.`);
  }
  return credentialsFrom(
    source,
    {
      accessKeyId: stringField(json, 'AccessKeyId'),
      secretAccessKey: stringField(json, 'SecretAccessKey'),
      sessionToken: stringField(json, 'SessionToken'),
      expiration: stringField(json, 'Expiration'),
    },
    false,
  );
}

function run(command: string, source: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const fail = (why: string): void => reject(new S3CredentialsError('CredentialsProviderError', `${source}: ${why}.`));
    // Its own process group, so that a time-out ends the shell and whatever it started (which
    // would otherwise hold stdout open).
    const child = spawn(command, { shell: true, stdio: ['ignore', 'pipe', 'inherit'], detached: process.platform !== 'win32' });
    const killAll = (): void => {
      try {
        if (child.pid !== undefined && process.platform !== 'win32') process.kill(-child.pid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        // Already gone.
      }
    };
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killAll();
    }, timeoutMs);
    const chunks: Buffer[] = [];
    let size = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_OUTPUT_BYTES) chunks.push(chunk);
      else killAll();
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      fail(`could not start the command (${e.message})`);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (size > MAX_OUTPUT_BYTES) fail(`the command wrote more than ${MAX_OUTPUT_BYTES} bytes`);
      else if (timedOut) fail(`the command did not finish within ${timeoutMs} ms`);
      else if (signal !== null) fail(`the command was killed by ${signal}`);
      else if (code !== 0) fail(`the command exited with code ${code ?? '?'}`);
      else resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}
