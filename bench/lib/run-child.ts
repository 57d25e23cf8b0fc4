/**
 * Parent side of a measured benchmark run: start a child process (any language) that does the work
 * and prints its report as one JSON line on stdout (see bench/lib/measure.ts for Node children).
 * Each child is its own process so that its peak RSS and CPU time are its own.
 */
import { spawn } from 'node:child_process';
import type { Measurement } from './measure.js';

export interface ChildCommand {
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** Killed (SIGKILL) after this long; default 10 minutes. */
  timeoutMs?: number;
}

export type ChildReport = Measurement & Record<string, unknown>;

type ChildResult = { ok: true; report: ChildReport } | { ok: false; error: string };

/** The child's report, or why there is none; `elapsedMs` is the whole child's life, start-up included. */
export type ChildOutcome = ChildResult & { elapsedMs: number };

const STDERR_TAIL_LINES = 8;

/** A Node child on this process's `node`, without a loader (see bench/lib/transpile.ts for TypeScript). */
export function nodeChild(file: string, args: string[] = []): ChildCommand {
  return { command: process.execPath, args: [file, ...args] };
}

export function runChild(child: ChildCommand): Promise<ChildOutcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    const proc = spawn(child.command, child.args, { env: child.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    proc.stderr.setEncoding('utf8').on('data', (text: string) => (stderr = (stderr + text).slice(-16_384)));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      proc.kill('SIGKILL');
    }, child.timeoutMs ?? 600_000);
    const finish = (result: ChildResult): void => {
      clearTimeout(timer);
      resolve({ ...result, elapsedMs: performance.now() - started });
    };
    proc.on('error', (error) => finish({ ok: false, error: `could not start ${child.command}: ${error.message}` }));
    proc.on('close', (code, signal) => {
      const tail = stderr.trim().split('\n').slice(-STDERR_TAIL_LINES).join('\n');
      if (timedOut) return finish({ ok: false, error: `timed out after ${child.timeoutMs ?? 600_000} ms\n${tail}` });
      if (code !== 0) return finish({ ok: false, error: `exited with ${signal ?? code}\n${tail}` });
      const report = lastJsonObject(stdout);
      if (!report) return finish({ ok: false, error: `printed no JSON report\n${tail}` });
      finish({ ok: true, report });
    });
  });
}

function lastJsonObject(stdout: string): ChildReport | undefined {
  const lines = stdout.trim().split('\n').reverse();
  for (const line of lines) {
    if (!line.startsWith('{')) continue;
    try {
      const parsed: unknown = JSON.parse(line);
      if (isReport(parsed)) return parsed;
    } catch {
      // Not the report line; keep looking.
    }
  }
  return undefined;
}

function isReport(value: unknown): value is ChildReport {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return ['wallMs', 'cpuMs', 'peakRssBytes'].every((field) => typeof record[field] === 'number');
}
