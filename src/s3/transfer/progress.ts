/**
 * Progress counting: upload bodies that count the bytes undici reads from them, and a
 * reporter that calls the user back at most every 100 ms (plus once at the end), so a batch of
 * thousands of files does not flood the event loop with callbacks.
 */
import { pipeline, Transform } from 'node:stream';
import type { PreparedBody } from '../body.js';
import type { ByteCounter } from '../file-chunks.js';

/**
 * Sends `body` through `send`, reporting every byte undici reads from it. In-memory bodies go out as
 * one buffer, so they are reported whole once sent. A retry re-opens the body: what the failed
 * attempt had counted is taken back first, and a failed send takes back everything, so the total
 * never runs past the bytes really delivered.
 */
export async function sendCounted<T>(
  body: PreparedBody,
  report: ((delta: number) => void) | undefined,
  send: (body: PreparedBody) => Promise<T>,
): Promise<T> {
  if (!report) return send(body);
  if (body.bytes) {
    const result = await send(body);
    report(body.length);
    return result;
  }
  let counted = 0;
  let attempt = 0;
  /** Ends the attempt under way: what it counted is taken back, and a chunk it reports later is ignored. */
  const takeBack = (): void => {
    attempt++;
    if (counted) report(-counted);
    counted = 0;
  };
  const counter: ByteCounter = {
    start() {
      takeBack();
      const mine = attempt;
      return (bytes) => {
        if (mine !== attempt) return;
        counted += bytes;
        report(bytes);
      };
    },
  };
  const counting: PreparedBody = {
    length: body.length,
    bytes: undefined,
    // A file is still sent by the pipeline's file reader, which tells the counter of each chunk.
    file: body.file && { ...body.file, counter },
    replayable: body.replayable,
    // The hash comes from the body itself: hashing is not sending, and must not count as progress.
    sha256: () => body.sha256(),
    open() {
      return pipeline(body.open(), byteCounter(counter.start()), () => undefined);
    },
  };
  try {
    return await send(counting);
  } catch (error) {
    // Nothing of a failed send counts, not even a chunk its reader hands on after this.
    takeBack();
    throw error;
  }
}

/** A pass-through that tells `onBytes` the size of every chunk going by (uploads and downloads alike). */
export function byteCounter(onBytes: (bytes: number) => void): Transform {
  return new Transform({
    transform(chunk: Uint8Array, _encoding, callback) {
      onBytes(chunk.byteLength);
      callback(null, chunk);
    },
  });
}

/** Calls `emit` at most once per `intervalMs` while changes arrive, and always on `flush()`. */
export class Throttle {
  readonly #emit: () => void;
  readonly #intervalMs: number;
  #last = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(emit: () => void, intervalMs = 100) {
    this.#emit = emit;
    this.#intervalMs = intervalMs;
  }

  changed(): void {
    if (this.#timer) return;
    const wait = this.#last + this.#intervalMs - Date.now();
    if (wait <= 0) {
      this.#fire();
      return;
    }
    this.#timer = setTimeout(() => this.#fire(), wait);
    // A pending progress report must not keep the process alive by itself.
    this.#timer.unref();
  }

  flush(): void {
    this.#fire();
  }

  #fire(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#last = Date.now();
    try {
      this.#emit();
    } catch (error) {
      // A bug in a progress callback must not fail the upload it reports on (nor, in a batch,
      // turn uploadFiles' per-file results into a rejection): it becomes a process warning.
      process.emitWarning(`s3lane: the onProgress callback threw: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
