/**
 * Child side of a measured benchmark run: time one piece of work in this process and report it
 * to the parent (bench/lib/run-child.ts) as one JSON line on stdout.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/** What a child measures about itself. Wall and CPU cover the work only, not start-up and imports. */
export interface Measurement {
  wallMs: number;
  /** User + system CPU of every thread of the process (libuv pool included) during the work. */
  cpuMs: number;
  /** Peak resident set size of this process since it started (see `peakRssBytes`). */
  peakRssBytes: number;
}

export async function measure<T>(work: () => Promise<T>): Promise<{ result: T; measurement: Measurement }> {
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const result = await work();
  const wallMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuBefore);
  return { result, measurement: { wallMs, cpuMs: (cpu.user + cpu.system) / 1000, peakRssBytes: peakRssBytes() } };
}

/**
 * VmHWM from /proc/self/status on Linux. Not getrusage's ru_maxrss (`process.resourceUsage().maxRSS`)
 * there: Linux carries ru_maxrss over fork and exec, so a child would report at least its parent's
 * RSS at spawn time. Elsewhere ru_maxrss is all there is.
 */
export function peakRssBytes(): number {
  try {
    const kib = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (kib !== undefined) return Number(kib) * 1024;
  } catch {
    // No procfs: not Linux.
  }
  return process.resourceUsage().maxRSS * 1024;
}

/** Writes the report line the parent parses: the last line of stdout that is a JSON object. */
export function printReport<Report extends Measurement>(report: Report): void {
  process.stdout.write(JSON.stringify(report) + '\n');
}
