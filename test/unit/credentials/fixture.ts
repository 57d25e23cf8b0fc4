/** A temporary HOME for one test, and helpers shared by the credential tests. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3CredentialsError } from '../../../src/s3/errors.js';
import type { CredentialsProvider } from '../../../src/s3/credentials/index.js';

// AWS documentation example keys.
export const AKID = 'AKIAIOSFODNN7EXAMPLE';
export const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
export const TOKEN = 'IQoJb3JpZ2luX2VjEXAMPLE//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+abc/def==';

/** No instance metadata: a test must never reach for 169.254.169.254. */
export const NO_IMDS = { AWS_EC2_METADATA_DISABLED: 'true' } as const;

export interface TempHome {
  readonly dir: string;
  write(rel: string, text: string): string;
  remove(): void;
}

export function tempHome(): TempHome {
  const dir = mkdtempSync(join(tmpdir(), 's3lane-creds-'));
  return {
    dir,
    write(rel, text) {
      const path = join(dir, rel);
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, text, { mode: 0o700 });
      return path;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The S3CredentialsError the provider rejects with (fails the test if it resolves or throws anything else). */
export async function failure(p: CredentialsProvider): Promise<S3CredentialsError> {
  const e: unknown = await p().then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof S3CredentialsError)) throw new Error(`expected S3CredentialsError, got ${String(e)}`);
  return e;
}

/** Everything a user could read of an error: message, JSON, and the messages down its cause chain. */
export function visibleText(e: unknown): string {
  const parts: string[] = [];
  for (let c: unknown = e, depth = 0; c instanceof Error && depth < 6; c = c.cause, depth++) {
    parts.push(c.message, JSON.stringify(c));
  }
  return parts.join('\n');
}
