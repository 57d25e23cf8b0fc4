/**
 * The contract between bench/batch.ts and each upload peer (Node here, Python in bench/python/):
 * the peer gets a manifest path as its only argument and the server in S3_ENDPOINT, S3_ACCESS_KEY,
 * S3_SECRET_KEY, S3_REGION; it uploads every file and prints one JSON line, a `PeerReport`.
 */
import { readFile } from 'node:fs/promises';
import { measure, printReport, type Measurement } from '../lib/measure.js';
import { s3Env, type S3Env } from '../lib/s3-env.js';

/** Written by the parent as JSON. */
export interface Manifest {
  bucket: string;
  concurrency: number;
  files: { key: string; path: string; bytes: number }[];
}

/** Per-file outcome as a peer sees it. */
export type FileOutcome = { ok: true } | { ok: false; error: string };

export type PeerReport = Measurement & {
  uploaded: number;
  failed: number;
  /** The first failure's message, when any failed. */
  firstError?: string;
  /** Runtime and library versions, free text. */
  runtime?: string;
};

export async function readManifest(path: string | undefined): Promise<Manifest> {
  if (!path) throw new Error('usage: <peer> <manifest.json>');
  const manifest = JSON.parse(await readFile(path, 'utf8')) as Manifest;
  if (typeof manifest.bucket !== 'string' || !Array.isArray(manifest.files) || !(manifest.concurrency > 0)) {
    throw new Error(`${path} is not a batch manifest`);
  }
  return manifest;
}

/**
 * Runs a Node peer: reads the manifest named on the command line, measures `upload` (client
 * construction included, start-up and imports excluded) and prints the report. Exits 1 when
 * `upload` itself throws, e.g. when the client lacks the method under test.
 */
export async function runPeer(upload: (manifest: Manifest, server: S3Env) => Promise<FileOutcome[]>): Promise<void> {
  try {
    const manifest = await readManifest(process.argv[2]);
    const server = s3Env();
    const { result, measurement } = await measure(() => upload(manifest, server));
    const failures = result.filter((outcome): outcome is { ok: false; error: string } => !outcome.ok);
    const report: PeerReport = {
      ...measurement,
      uploaded: result.length - failures.length,
      failed: failures.length,
      ...(failures[0] ? { firstError: failures[0].error } : {}),
      runtime: `node ${process.version}`,
    };
    printReport(report);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  }
}

/** A readable one-line message for any thrown value. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
