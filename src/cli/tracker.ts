/**
 * Progress of a transfer the CLI runs itself (downloads, copies): which files are in flight and
 * how far each is, as the snapshot the live display draws. Uploads get theirs from uploadFiles.
 */
import type { ActiveFile, TransferSnapshot } from './live-display.js';

export class TransferTracker {
  readonly #active = new Map<string, ActiveFile>();
  readonly #totalFiles: number;
  #totalBytes: number | undefined;
  #bytesDone = 0;
  #filesDone = 0;
  #filesFailed = 0;

  constructor(totalFiles: number, totalBytes: number | undefined) {
    this.#totalFiles = totalFiles;
    this.#totalBytes = totalBytes;
  }

  start(name: string, total: number | undefined): void {
    this.#active.set(name, { name, bytes: 0, total });
  }

  /** The file's bytes so far (not a delta: the library reports totals). */
  progress(name: string, bytes: number, total: number | undefined): void {
    const file = this.#active.get(name);
    if (!file) return;
    this.#bytesDone += bytes - file.bytes;
    file.bytes = bytes;
    file.total = total ?? file.total;
  }

  finish(name: string, ok: boolean, bytes: number): void {
    const file = this.#active.get(name);
    this.#active.delete(name);
    this.#bytesDone += ok ? bytes - (file?.bytes ?? 0) : -(file?.bytes ?? 0);
    // A failed file's bytes will not arrive: the total shrinks so the bar can still reach 100%.
    if (!ok && this.#totalBytes !== undefined) this.#totalBytes -= file?.total ?? 0;
    this.#filesDone++;
    if (!ok) this.#filesFailed++;
  }

  snapshot(): TransferSnapshot {
    return {
      bytesDone: this.#bytesDone,
      totalBytes: this.#totalBytes,
      filesDone: this.#filesDone,
      filesFailed: this.#filesFailed,
      totalFiles: this.#totalFiles,
      active: [...this.#active.values()],
    };
  }
}
