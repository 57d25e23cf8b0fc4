/**
 * What the CLI prints, in one of four modes:
 * - live:  a terminal. A live display (see live-display.ts) on stderr, failures above it, a summary.
 * - lines: not a terminal (or --no-progress). One line per finished item, then a summary.
 * - json:  one JSON object per line: each item, then the summary (--json).
 * - quiet: errors only (--quiet).
 * Items and summaries go to stdout, unless stdout carries data (`cp s3://b/k -`): then to stderr.
 */
import { describeError, errorJson, isAbort } from './errors.js';
import { LiveDisplay, type TransferSnapshot } from './live-display.js';
import { formatBytes, formatDuration } from './size.js';

export type OutputMode = 'live' | 'lines' | 'json' | 'quiet';

export type Action = 'upload' | 'download' | 'copy' | 'delete';

export interface ItemResult {
  action: Action;
  /** A local path, `-`, or an s3:// URL. */
  source: string;
  target?: string;
  bytes?: number;
  /** For --json: e.g. the ETag, versionId. */
  details?: Record<string, unknown>;
  error?: unknown;
  dryrun?: boolean;
}

const PAST_TENSE: Record<Action, string> = { upload: 'uploaded', download: 'downloaded', copy: 'copied', delete: 'deleted' };

export class Output {
  readonly mode: OutputMode;
  readonly #out: NodeJS.WritableStream;
  readonly #err: NodeJS.WritableStream;
  readonly #live: LiveDisplay | undefined;
  readonly #started = Date.now();
  #ok = 0;
  #failed = 0;
  #bytes = 0;

  readonly #signal: AbortSignal;

  constructor(mode: OutputMode, streams: { out: NodeJS.WritableStream; err: NodeJS.WriteStream }, signal: AbortSignal) {
    this.mode = mode;
    this.#signal = signal;
    this.#out = streams.out;
    this.#err = streams.err;
    this.#live = mode === 'live' ? new LiveDisplay(streams.err) : undefined;
  }

  get failed(): number {
    return this.#failed;
  }

  progress(snapshot: TransferSnapshot): void {
    this.#live?.update(snapshot);
  }

  item(result: ItemResult): void {
    // Ctrl-C stops every item in flight: that is the interruption, reported once, not a failure each.
    if (result.error !== undefined && isAbort(result.error, this.#signal)) return;
    const failed = result.error !== undefined;
    if (failed) this.#failed++;
    else {
      this.#ok++;
      this.#bytes += result.bytes ?? 0;
    }
    const route = result.target === undefined ? result.source : `${result.source} to ${result.target}`;
    switch (this.mode) {
      case 'json':
        this.#json({
          type: 'item',
          action: result.action,
          source: result.source,
          ...(result.target === undefined ? {} : { target: result.target }),
          ok: !failed,
          ...(result.dryrun ? { dryrun: true } : {}),
          ...(result.bytes === undefined ? {} : { bytes: result.bytes }),
          ...result.details,
          ...(failed ? { error: errorJson(result.error) } : {}),
        });
        return;
      case 'lines':
        if (!failed) this.#out.write(`${result.dryrun ? '(dryrun) ' : ''}${result.action}: ${route}\n`);
        break;
    }
    if (failed) this.error(`${result.action} failed: ${route}: ${describeError(result.error)}`);
  }

  /** The closing line: how many items, how many bytes, how fast; and how many failed. */
  summary(action: Action, options: { dryrun?: boolean; total?: number } = {}): void {
    this.#live?.close();
    const seconds = (Date.now() - this.#started) / 1000;
    const total = options.total ?? this.#ok + this.#failed;
    if (this.mode === 'json') {
      this.#json({
        type: 'summary',
        action,
        ok: this.#ok,
        failed: this.#failed,
        total,
        bytes: this.#bytes,
        seconds,
        ...(options.dryrun ? { dryrun: true } : {}),
        ...(this.#signal.aborted ? { interrupted: true } : {}),
      });
      return;
    }
    if (this.mode === 'quiet') return;
    const count = this.#ok === total ? `${total}` : `${this.#ok} of ${total}`;
    const noun = action === 'delete' ? 'object' : 'file';
    let line = options.dryrun ? `would ${action} ${count} ${noun}${total === 1 ? '' : 's'}` : `${PAST_TENSE[action]} ${count} ${noun}${total === 1 ? '' : 's'}`;
    if (action !== 'delete') {
      line += `, ${formatBytes(this.#bytes)} in ${formatDuration(seconds)} (${formatBytes(this.#bytes / Math.max(seconds, 0.001))}/s)`;
    }
    if (this.#failed) line += `; ${this.#failed} failed`;
    if (this.#signal.aborted) line += '; interrupted';
    this.#out.write(line + '\n');
  }

  /** A line of the command's own output (ls, stat, presign): as is, or as one JSON object. */
  result(text: string, json: Record<string, unknown>): void {
    if (this.mode === 'json') this.#json(json);
    else this.#out.write(text + '\n');
  }

  error(text: string): void {
    if (this.#live) this.#live.printAbove(text);
    else this.#err.write(text + '\n');
  }

  /** Takes the live display off the screen (before exiting on Ctrl-C, say). */
  close(): void {
    this.#live?.close();
  }

  #json(value: Record<string, unknown>): void {
    this.#out.write(JSON.stringify(value) + '\n');
  }
}
