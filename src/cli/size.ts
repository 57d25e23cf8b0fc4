/**
 * Sizes and byte ranges as people type them (`16MiB`, `0-1023`), and byte counts as they read them.
 */
import type { ByteRange } from '../index.js';
import { UsageError } from './usage.js';

const UNITS: Readonly<Record<string, number>> = { '': 1, b: 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };

/**
 * `16MiB`, `16MB`, `16M`, `16m` and `16777216` are all 16 MiB: like the AWS CLI's
 * `multipart_chunksize = 16MB`, KB/MB/GB count in powers of 1024.
 */
export function parseSize(text: string, option: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([kmgt](?:i?b)?|b)?$/i.exec(text.trim());
  const unit = UNITS[(match?.[2] ?? '').charAt(0).toLowerCase()];
  const bytes = match && unit !== undefined ? Math.round(Number(match[1]) * unit) : NaN;
  if (!Number.isSafeInteger(bytes) || bytes <= 0) {
    throw new UsageError(`--${option} must be a size such as 16MiB, 8MB or 5242880, got '${text}'`);
  }
  return bytes;
}

/** `0-1023` (first KiB), `1024-` (from byte 1024 on), `-500` (last 500 bytes): inclusive, as HTTP counts. */
export function parseRange(text: string): ByteRange {
  const match = /^(\d*)-(\d*)$/.exec(text.trim());
  const [start, end] = [match?.[1] ?? '', match?.[2] ?? ''];
  if (match && start !== '' && (end === '' || Number(end) >= Number(start))) {
    return end === '' ? { start: Number(start) } : { start: Number(start), end: Number(end) };
  }
  if (match && start === '' && end !== '' && Number(end) > 0) return { suffix: Number(end) };
  throw new UsageError(`--range must be START-END, START- or -LAST (bytes, inclusive), got '${text}'`);
}

/** A positive integer option, e.g. `--concurrency 16`. */
export function parseCount(text: string, option: string, max = Number.MAX_SAFE_INTEGER): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new UsageError(`--${option} must be an integer from 1 to ${max}, got '${text}'`);
  }
  return value;
}

const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** 1536 -> '1.5 KiB'; below 1 KiB, plain bytes. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BINARY_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${Math.round(bytes)} B` : `${value.toFixed(value < 10 ? 2 : value < 100 ? 1 : 0)} ${BINARY_UNITS[unit]}`;
}

/** Seconds as '850ms', '12.3s', '4m05s' or '2h03m'. */
export function formatDuration(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)}ms`;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const whole = Math.round(seconds);
  if (whole < 3600) return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`;
  return `${Math.floor(whole / 3600)}h${String(Math.floor((whole % 3600) / 60)).padStart(2, '0')}m`;
}
