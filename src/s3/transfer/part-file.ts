/**
 * The partial file of a resumable download (`resume: true`) and the record kept beside it
 * (`.<name>.s3lane-part.json`): which request it belongs to, the version it was started on (ETag,
 * span) and, for a parallel download, the byte spans already on disk. A single-stream download
 * appends, so its file's length says how far it got and the record needs no spans.
 *
 * The record is written before the first byte and again as ranges complete, each time to a
 * temporary name and renamed over the old one, so a run killed at any moment leaves a record that
 * is whole and never claims a byte that is not on disk (it may claim fewer: those are fetched again).
 */
import { readFile, rename, rm, stat, truncate, writeFile } from 'node:fs/promises';
import type { ReadSpan } from '../resumable-read.js';

/** Inclusive byte spans `[first, last]`, absolute offsets in the object. */
export type Spans = readonly (readonly [number, number])[];

/** What identifies the request a partial file belongs to: a different request never continues it. */
export interface PartOwner {
  bucket: string;
  key: string;
  versionId: string | undefined;
  /** The requested range as given (JSON), so a different range never continues this file. */
  range: string | undefined;
}

interface PartRecord extends PartOwner {
  span: ReadSpan;
  /** Spans on disk (parallel downloads, which write at offsets); absent when the file is appended to. */
  written?: Spans;
}

/** An earlier run's partial file: its version and what of it is on disk. */
export interface EarlierPart {
  span: ReadSpan;
  /** Spans on disk, merged and in order. */
  written: Spans;
  /** Whether the file was written at offsets (parallel) rather than appended to. */
  positional: boolean;
}

export class PartFile {
  readonly path: string;
  readonly #record: string;
  readonly #owner: PartOwner;
  /** Saves in flight are chained so that a later state never lands before an earlier one. */
  #saving: Promise<void> = Promise.resolve();

  constructor(path: string, owner: PartOwner) {
    this.path = path;
    this.#record = `${path}.json`;
    this.#owner = owner;
  }

  /** The earlier run's partial file, if its record belongs to this very request and the file is there. */
  async earlier(): Promise<EarlierPart | undefined> {
    let parsed: PartRecord;
    let size: number;
    try {
      parsed = JSON.parse(await readFile(this.#record, 'utf8')) as PartRecord;
      size = (await stat(this.path)).size;
    } catch {
      return undefined;
    }
    const owner = this.#owner;
    const span = parsed.span;
    const same =
      parsed.bucket === owner.bucket &&
      parsed.key === owner.key &&
      parsed.versionId === owner.versionId &&
      parsed.range === owner.range &&
      typeof span?.etag === 'string' &&
      Number.isSafeInteger(span.start) &&
      Number.isSafeInteger(span.end) &&
      size <= span.end - span.start + 1;
    if (!same) return undefined;
    if (parsed.written === undefined) {
      return { span, written: size > 0 ? [[span.start, span.start + size - 1]] : [], positional: false };
    }
    const written = validSpans(parsed.written, span);
    return written && { span, written, positional: true };
  }

  /** Records the version being read and what is on disk (replacing the record atomically). */
  save(span: ReadSpan, written?: Spans): Promise<void> {
    const record: PartRecord = { ...this.#owner, span, ...(written ? { written } : {}) };
    const text = JSON.stringify(record);
    const next = this.#saving.then(async () => {
      await writeFile(`${this.#record}.tmp`, text);
      await rename(`${this.#record}.tmp`, this.#record);
    });
    // A failed save is reported to its caller; the chain goes on for the next one.
    this.#saving = next.catch(() => undefined);
    return next;
  }

  /** The download is complete: the file takes its place and the record goes. */
  async finish(target: string): Promise<void> {
    await this.#saving;
    await rename(this.path, target);
    await rm(this.#record, { force: true });
  }

  /**
   * Turns a file written at offsets into one to append to: everything after the first stretch
   * written from the span's start is cut off. The record goes first, so that a run killed halfway
   * leaves no record claiming bytes that were cut.
   */
  async keepFirstStretch(earlier: EarlierPart): Promise<EarlierPart> {
    const { span } = earlier;
    const [head] = earlier.written;
    const bytes = head && head[0] === span.start ? head[1] - head[0] + 1 : 0;
    await this.#saving;
    await rm(this.#record, { force: true });
    await truncate(this.path, bytes);
    await this.save(span);
    return { span, written: bytes > 0 ? [[span.start, span.start + bytes - 1]] : [], positional: false };
  }

  /** The partial file is worthless (the object changed): both go. */
  async discard(): Promise<void> {
    await this.#saving;
    await rm(this.path, { force: true });
    await rm(this.#record, { force: true });
  }
}

/** `spans` as read from a record: merged, in order and inside `span`, or undefined if not. */
function validSpans(spans: unknown, span: ReadSpan): Spans | undefined {
  if (!Array.isArray(spans)) return undefined;
  let last = span.start - 1;
  for (const item of spans as unknown[]) {
    if (!Array.isArray(item) || item.length !== 2) return undefined;
    const [first, end] = item as unknown[];
    if (!Number.isSafeInteger(first) || !Number.isSafeInteger(end)) return undefined;
    if ((first as number) <= last || (end as number) < (first as number) || (end as number) > span.end) return undefined;
    last = end as number;
  }
  return spans as Spans;
}

/** `spans` plus `[first, last]`, merged (adjacent spans join). */
export function addSpan(spans: Spans, first: number, last: number): Spans {
  const out: [number, number][] = [];
  let lo = first;
  let hi = last;
  let placed = false;
  for (const [a, b] of spans) {
    if (b + 1 < lo) out.push([a, b]);
    else if (a > hi + 1) {
      if (!placed) out.push([lo, hi]);
      placed = true;
      out.push([a, b]);
    } else {
      lo = Math.min(lo, a);
      hi = Math.max(hi, b);
    }
  }
  if (!placed) out.push([lo, hi]);
  return out;
}

/** The bytes of `[first, last]` not in `spans`, cut into pieces of at most `pieceSize`. */
export function missingPieces(spans: Spans, first: number, last: number, pieceSize: number): [number, number][] {
  const pieces: [number, number][] = [];
  const gap = (from: number, to: number): void => {
    for (let at = from; at <= to; at += pieceSize) pieces.push([at, Math.min(to, at + pieceSize - 1)]);
  };
  let next = first;
  for (const [a, b] of spans) {
    if (b < next) continue;
    if (a > last) break;
    if (a > next) gap(next, a - 1);
    next = b + 1;
  }
  if (next <= last) gap(next, last);
  return pieces;
}

/** How many bytes `spans` cover. */
export function spanBytes(spans: Spans): number {
  return spans.reduce((sum, [a, b]) => sum + b - a + 1, 0);
}
