/**
 * The live progress display on a terminal: a line per file in flight and a total line (bar, bytes,
 * files done / total, throughput, ETA), redrawn in place at most ten times a second and erased
 * before anything else is printed, so the scrollback keeps only real output.
 */
import { formatBytes, formatDuration } from './size.js';

export interface ActiveFile {
  name: string;
  bytes: number;
  total: number | undefined;
}

/** Where a transfer stands; the command fills it in, the display only reads it. */
export interface TransferSnapshot {
  bytesDone: number;
  totalBytes: number | undefined;
  filesDone: number;
  filesFailed: number;
  totalFiles: number | undefined;
  active: readonly ActiveFile[];
}

const REDRAW_MS = 100;
/** Throughput is measured over this window, so it follows the transfer rather than its whole history. */
const RATE_WINDOW_MS = 3000;
const MAX_ACTIVE_LINES = 8;
const BAR_WIDTH = 24;

const ESC = '\u001b[';
const HIDE_CURSOR = `${ESC}?25l`;
const SHOW_CURSOR = `${ESC}?25h`;
const CLEAR_TO_END = `${ESC}J`;

export function bar(fraction: number, width = BAR_WIDTH): string {
  const filled = Math.max(0, Math.min(width, Math.floor(fraction * width)));
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

function percent(done: number, total: number | undefined): string {
  return total ? `${String(Math.floor((done / total) * 100)).padStart(3)}%` : '    ';
}

/** Cuts a line to the terminal's width: a wrapped line would break the cursor arithmetic. */
function fit(line: string, columns: number): string {
  const chars = [...line];
  return chars.length < columns ? line : `${chars.slice(0, Math.max(0, columns - 2)).join('')}…`;
}

export class LiveDisplay {
  readonly #stream: NodeJS.WriteStream;
  readonly #started = Date.now();
  readonly #samples: { at: number; bytes: number }[] = [];
  #snapshot: TransferSnapshot | undefined;
  #dirty = false;
  #linesOnScreen = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(stream: NodeJS.WriteStream) {
    this.#stream = stream;
  }

  update(snapshot: TransferSnapshot): void {
    this.#snapshot = snapshot;
    this.#dirty = true;
    if (this.#timer) return;
    this.#stream.write(HIDE_CURSOR);
    this.#draw();
    this.#timer = setInterval(() => this.#dirty && this.#draw(), REDRAW_MS);
    this.#timer.unref();
  }

  /** Prints a line above the display (which is redrawn below it). */
  printAbove(text: string): void {
    this.#stream.write(this.#erase() + text + '\n');
    if (this.#snapshot) this.#draw();
  }

  /** Erases the display for good and gives the cursor back. */
  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#snapshot) this.#stream.write(this.#erase() + SHOW_CURSOR);
    this.#snapshot = undefined;
  }

  /** Bytes per second over the last few seconds. */
  rate(now: number, bytes: number): number {
    this.#samples.push({ at: now, bytes });
    while (this.#samples.length > 2 && now - (this.#samples[0]?.at ?? now) > RATE_WINDOW_MS) this.#samples.shift();
    const first = this.#samples[0] ?? { at: this.#started, bytes: 0 };
    const span = now - first.at;
    // Until the window has some length, the average since the start is the better guess.
    return span >= 500 ? ((bytes - first.bytes) * 1000) / span : (bytes * 1000) / Math.max(1, now - this.#started);
  }

  render(snapshot: TransferSnapshot, now: number, columns: number): string[] {
    const shown = snapshot.active.slice(0, MAX_ACTIVE_LINES);
    // Names padded to the longest shown, so the percentages form a column.
    const nameWidth = Math.max(0, ...shown.map((file) => file.name.length));
    const lines = shown.map((file) => {
      const size = file.total === undefined ? formatBytes(file.bytes) : `${formatBytes(file.bytes)} / ${formatBytes(file.total)}`;
      return `  ${file.name.padEnd(nameWidth)}  ${percent(file.bytes, file.total)}  ${size}`;
    });
    const hidden = snapshot.active.length - MAX_ACTIVE_LINES;
    if (hidden > 0) lines.push(`  … and ${hidden} more`);
    const rate = this.rate(now, snapshot.bytesDone);
    const { bytesDone, totalBytes, filesDone, totalFiles, filesFailed } = snapshot;
    const parts = [
      totalBytes ? `${bar(bytesDone / totalBytes)} ${percent(bytesDone, totalBytes)}` : bar(0).replace(/\./g, ' '),
      totalBytes ? `${formatBytes(bytesDone)} / ${formatBytes(totalBytes)}` : formatBytes(bytesDone),
      `${filesDone}/${totalFiles ?? '?'} files`,
      `${formatBytes(rate)}/s`,
    ];
    if (filesFailed) parts.push(`${filesFailed} failed`);
    if (totalBytes && rate > 0 && bytesDone < totalBytes) parts.push(`ETA ${formatDuration((totalBytes - bytesDone) / rate)}`);
    lines.push(parts.join('  '));
    return lines.map((line) => fit(line, columns));
  }

  #draw(): void {
    if (!this.#snapshot) return;
    this.#dirty = false;
    const lines = this.render(this.#snapshot, Date.now(), this.#stream.columns || 80);
    this.#stream.write(this.#erase() + lines.join('\n'));
    this.#linesOnScreen = lines.length;
  }

  /** The escape sequence that takes the cursor back to the display's first line and clears below. */
  #erase(): string {
    const up = this.#linesOnScreen > 1 ? `${ESC}${this.#linesOnScreen - 1}A` : '';
    this.#linesOnScreen = 0;
    return `${up}\r${CLEAR_TO_END}`;
  }
}
