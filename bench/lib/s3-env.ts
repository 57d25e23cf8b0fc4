/**
 * The S3 server a benchmark talks to, from the variables scripts/s3-server.sh exports
 * (S3_ENDPOINT, S3_ACCESS_KEY, S3_SECRET_KEY, S3_REGION).
 */
export interface S3Env {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** The server from the environment, or undefined when S3_ENDPOINT is not set. */
export function s3EnvOrUndefined(env: NodeJS.ProcessEnv = process.env): S3Env | undefined {
  const endpoint = env['S3_ENDPOINT'];
  if (!endpoint) return undefined;
  const accessKeyId = env['S3_ACCESS_KEY'];
  const secretAccessKey = env['S3_SECRET_KEY'];
  if (!accessKeyId || !secretAccessKey) {
    throw new Error(`S3_ENDPOINT is set (${endpoint}) but S3_ACCESS_KEY or S3_SECRET_KEY is not.`);
  }
  return { endpoint, region: env['S3_REGION'] || 'us-east-1', accessKeyId, secretAccessKey };
}

/** The server from the environment; throws with the command to start one when there is none. */
export function s3Env(env: NodeJS.ProcessEnv = process.env): S3Env {
  const found = s3EnvOrUndefined(env);
  if (!found) {
    throw new Error('S3_ENDPOINT is not set: run through `bash scripts/s3-server.sh <command>`, which starts a local S3 server.');
  }
  return found;
}
