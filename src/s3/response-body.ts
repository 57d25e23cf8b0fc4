/**
 * The body of a GET, handed to the caller. A response body that nobody reads holds its connection
 * forever (the pool drains and every later call hangs: a well-known trap of other clients). So a
 * body that is dropped unread is destroyed when it is garbage-collected, and `cancel()` /
 * `await using` release it at once.
 */
import { finished, pipeline as pipeStreams, type Readable } from 'node:stream';
import { webStreamOf } from './body.js';
import type { ChecksumCheck } from './checksum/stream.js';

type NodeBody = Readable;

/** Destroys the connection's stream when the object the caller held is collected unread. */
const abandoned = new FinalizationRegistry<NodeBody>((stream) => {
  if (!stream.destroyed && !stream.readableEnded) stream.destroy();
});

/**
 * An object handed to the caller (a GET result, its web stream) and the connection's stream it would
 * leave open if dropped unread. Also the unregister token of its registration.
 */
interface Watch {
  readonly holder: object;
  readonly stream: NodeBody;
  /** Reading (or releasing) began: the stream is the caller's to finish, not the finalizer's. */
  claimed: boolean;
  registered: boolean;
}

/** Watches begun during this turn of the event loop, registered when it ends (see watchForDrop). */
let pending: Watch[] = [];

function registerPending(): void {
  const watches = pending;
  pending = [];
  for (const watch of watches) {
    if (watch.claimed || watch.stream.destroyed || watch.stream.readableEnded) continue;
    abandoned.register(watch.holder, watch.stream, watch);
    watch.registered = true;
  }
}

/**
 * Watches `holder` for being dropped with `stream` unread, from the end of this turn of the event
 * loop. Not at once: a registration makes V8 run a full mark-compact far more often (measured 26
 * against 2 per 6,000 small GETs, tripling their CPU), and most bodies are claimed in the turn
 * they arrive (`await (await s3.get(…)).bytes()`), so they never need one. Until the turn ends the
 * pending list holds the holder, so nothing can be collected unwatched.
 */
function watchForDrop(holder: object, stream: NodeBody): Watch {
  const watch: Watch = { holder, stream, claimed: false, registered: false };
  if (pending.length === 0) setImmediate(registerPending);
  pending.push(watch);
  return watch;
}

/** The caller has taken the stream (or released it): the finalizer no longer needs to watch. */
function claim(watch: Watch): void {
  watch.claimed = true;
  if (watch.registered) abandoned.unregister(watch);
}

function ignoreError(): void {}

const decoder = new TextDecoder();

/**
 * Every byte of a stream in one Buffer. Not node:stream/consumers' buffer(): on Node 20 it goes
 * through a Blob and an async iterator, which cost a small GET more than the request itself.
 */
function readAll(stream: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    stream.on('data', (chunk: Buffer | string) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      chunks.push(bytes);
      length += bytes.length;
    });
    finished(stream, { writable: false }, (error) => {
      if (error) reject(error);
      else resolve(chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks, length));
    });
  });
}

export class ResponseBody {
  readonly #stream: NodeBody;
  /** With `checksum: true`: every way of reading the bytes checks them and fails on a mismatch. */
  readonly #check: ChecksumCheck | undefined;
  readonly #watch: Watch;
  #webStream: ReadableStream<Uint8Array> | undefined;
  #nodeStream: Readable | undefined;

  constructor(stream: NodeBody, check?: ChecksumCheck) {
    this.#stream = stream;
    // Destroying an unread undici body emits RequestAbortedError; with no listener that is an
    // uncaught exception, so releasing a body (cancel(), body.cancel(), a dropped body's
    // finalizer, a caller's destroy()) would crash the process. Readers still see the error:
    // text(), bytes() and the stream's iterator reject with it.
    stream.on('error', ignoreError);
    this.#check = check;
    this.#watch = watchForDrop(this, stream);
  }

  /**
   * The bytes as a web stream. Our own wrapper (rather than undici's `body` getter, whose stream the
   * Node stream references back) so that dropping it lets the finalizer above see it go.
   */
  get body(): ReadableStream<Uint8Array> {
    if (this.#webStream) return this.#webStream;
    const web = webStreamOf(this.#checked());
    // From now on the web stream is what the caller may drop unread.
    claim(this.#watch);
    watchForDrop(web, this.#stream);
    this.#webStream = web;
    return web;
  }

  /**
   * The bytes as a Node stream, for `stream.pipeline()` into a file or a socket without a web-stream
   * hop (Readable.fromWeb(body) costs ~15% more CPU per byte). It resumes after a cut like `body`.
   * Once taken, the stream is the caller's: read it to the end or destroy() it.
   */
  get nodeStream(): Readable {
    if (this.#nodeStream) return this.#nodeStream;
    claim(this.#watch);
    this.#nodeStream = this.#checked();
    return this.#nodeStream;
  }

  /** The connection's stream, through the checksum check when the read asked for one. */
  #checked(): Readable {
    return this.#check ? pipeStreams(this.#stream, this.#check.transform(), () => undefined) : this.#stream;
  }

  async bytes(): Promise<Uint8Array> {
    claim(this.#watch);
    const bytes = await readAll(this.#stream);
    if (this.#check) {
      this.#check.update(bytes);
      this.#check.finish();
    }
    return bytes;
  }

  async text(): Promise<string> {
    return decoder.decode(await this.bytes());
  }

  async json<T = unknown>(): Promise<T> {
    return JSON.parse(await this.text()) as T;
  }

  /** Releases the connection without reading the rest of the body. */
  async cancel(): Promise<void> {
    claim(this.#watch);
    // A web stream held by a reader (getReader, pipeTo) cannot be cancelled from here: destroying
    // the connection's stream releases the socket either way, and the reader sees the end.
    if (this.#nodeStream) this.#nodeStream.destroy();
    if (this.#webStream && !this.#webStream.locked) await this.#webStream.cancel();
    else if (!this.#stream.destroyed && !this.#stream.readableEnded) this.#stream.destroy();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.cancel();
  }
}
