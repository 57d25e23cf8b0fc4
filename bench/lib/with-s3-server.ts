/**
 * Lets a benchmark be started bare (`npx tsx bench/x.ts`): when no S3 server is configured, the
 * script runs itself again under scripts/s3-server.sh, which starts a throw-away one.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { s3EnvOrUndefined } from './s3-env.js';

const SERVER_SCRIPT = fileURLToPath(new URL('../../scripts/s3-server.sh', import.meta.url));

export interface ServerOptions {
  /** Object store capacity for the local Ceph RGW (memstore keeps objects in RAM). */
  memstoreBytes?: number;
}

/**
 * Returns when S3_ENDPOINT is set. Otherwise re-runs this process's command line under
 * scripts/s3-server.sh and exits with its exit code (it never returns).
 */
export function ensureS3Server(options: ServerOptions = {}): void {
  if (s3EnvOrUndefined()) return;
  const env = { ...process.env };
  if (options.memstoreBytes !== undefined && !env['S3_SERVER_MEMSTORE_BYTES']) {
    env['S3_SERVER_MEMSTORE_BYTES'] = String(options.memstoreBytes);
  }
  const rerun = [process.execPath, ...process.execArgv, ...process.argv.slice(1)];
  const result = spawnSync('bash', [SERVER_SCRIPT, ...rerun], { stdio: 'inherit', env });
  if (result.error) throw result.error;
  process.exit(result.status ?? 1);
}
