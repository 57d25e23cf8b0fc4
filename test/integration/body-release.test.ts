/**
 * Releasing a GET body never throws into the process: cancel(), body.cancel(), a reader's
 * cancel(), a Node stream's destroy(), `await using`, an aborted signal, and bodies dropped unread
 * and garbage-collected, at every stage (before, during and after reading), against the real
 * server. Any `unhandledRejection` or `uncaughtException` meanwhile fails the test, and the pool
 * (one connection) must still serve afterwards: the released body gave its connection back.
 * Bodies dropped unread are released by a finalizer whose timing the engine decides, so they go
 * through a client of their own and only the absence of a crash is asserted for them.
 */
import { Agent } from 'undici';
import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import type { GetOutput } from '../../src/index.js';
import { describeWithServer, patternBytes, testClient, uniqueBucketName } from './server.js';

/** Sizes at every stage: an empty body and a small one arrive whole before the caller reads (undici's old crash case). */
const SIZES = { empty: 0, small: 5, large: 1024 * 1024 } as const;
type SizeName = keyof typeof SIZES;

/** Settles pending I/O callbacks and microtasks (not a timing assertion: nothing is measured). */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setTimeout(resolve, 50));
}

/** The engine's gc(), enabled at run time; bodies dropped unread are released by a finalizer. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

async function readSome(body: ReadableStream<Uint8Array>): Promise<ReadableStreamDefaultReader<Uint8Array>> {
  const reader = body.getReader();
  await reader.read();
  return reader;
}

describeWithServer('releasing bodies', () => {
  const bucket = uniqueBucketName('release');
  const s3 = testClient({ bucket, maxConnections: 1 });
  // Its own pool for dropped bodies, destroyed at the end whatever they still hold.
  const dropAgent = new Agent();
  const dropper = testClient({ bucket, dispatcher: dropAgent });
  const problems: unknown[] = [];
  const record = (error: unknown): void => {
    problems.push(error);
  };

  beforeAll(async () => {
    process.on('unhandledRejection', record);
    process.on('uncaughtException', record);
    await s3.createBucket();
    for (const [name, size] of Object.entries(SIZES)) await s3.put({ key: name, body: patternBytes(size) });
  });

  afterAll(async () => {
    process.off('unhandledRejection', record);
    process.off('uncaughtException', record);
    await s3.deleteMany({ keys: Object.keys(SIZES) });
    await s3.deleteBucket();
    await s3.close();
    await dropAgent.destroy();
  });

  let key: SizeName = 'large';
  let SIZE: number = SIZES.large;
  const get = (): Promise<GetOutput> => s3.get({ key });

  /** Collects several times: a finalizer runs in a task after the collection that found its object. */
  async function collectRepeatedly(): Promise<void> {
    for (let i = 0; i < 5; i++) {
      collectGarbage();
      await settle();
    }
  }

  const cases: [string, () => Promise<void>][] = [
    ['cancel() before reading', async () => (await get()).cancel()],
    ['body.cancel() before reading', async () => (await get()).body.cancel()],
    ['body.cancel(reason) before reading', async () => (await get()).body.cancel(new Error('not needed'))],
    ['await using before reading', async () => {
      await using object = await get();
      expect(object.contentLength).toBe(SIZE);
    }],
    ['cancel() twice', async () => {
      const object = await get();
      await object.cancel();
      await object.cancel();
    }],
    ['reader.cancel() after the first chunk', async () => (await readSome((await get()).body)).cancel()],
    ['cancel() while a reader holds the body', async () => {
      const object = await get();
      const reader = await readSome(object.body);
      await object.cancel();
      // The reader sees the end or an error, never a crash.
      await reader.read().catch(() => undefined);
    }],
    ['Node stream destroy() before reading', async () => {
      Readable.fromWeb((await get()).body as import('node:stream/web').ReadableStream<Uint8Array>).destroy();
    }],
    ['Node stream destroy() after the first chunk', async () => {
      const stream = Readable.fromWeb((await get()).body as import('node:stream/web').ReadableStream<Uint8Array>);
      await new Promise<void>((resolve) => stream.once('data', () => resolve()).once('end', resolve));
      stream.destroy();
    }],
    ['Node stream destroy(error) after the first chunk', async () => {
      const stream = Readable.fromWeb((await get()).body as import('node:stream/web').ReadableStream<Uint8Array>);
      await new Promise<void>((resolve) => stream.once('data', () => resolve()).once('end', resolve));
      stream.on('error', () => undefined);
      stream.destroy(new Error('caller gave up'));
    }],
    ['nodeStream destroy() before reading', async () => {
      (await get()).nodeStream.destroy();
    }],
    ['nodeStream destroy() after the first chunk', async () => {
      const stream = (await get()).nodeStream;
      await new Promise<void>((resolve) => stream.once('data', () => resolve()).once('end', resolve));
      stream.destroy();
    }],
    ['cancel() after taking nodeStream, before reading it', async () => {
      const object = await get();
      void object.nodeStream;
      await object.cancel();
    }],
    ['nodeStream read to the end', async () => {
      for await (const chunk of (await get()).nodeStream) expect(chunk).toBeInstanceOf(Uint8Array);
    }],
    ['cancel() after reading all', async () => {
      const object = await get();
      expect((await object.bytes()).length).toBe(SIZE);
      await object.cancel();
      await object.body.cancel().catch(() => undefined);
    }],
    ['await using after reading all', async () => {
      await using object = await get();
      expect(typeof (await object.text())).toBe('string');
    }],
    ['signal aborted while reading', async () => {
      const controller = new AbortController();
      const object = await s3.get({ key, signal: controller.signal });
      const reader = await readSome(object.body);
      controller.abort();
      await reader.read().catch(() => undefined);
      await object.cancel();
    }],
    ['dropped unread, then collected', async () => {
      for (let i = 0; i < 3; i++) await dropper.get({ key });
      await collectRepeatedly();
    }],
    ['web body taken, dropped unread, then collected', async () => {
      for (let i = 0; i < 3; i++) void (await dropper.get({ key })).body;
      await collectRepeatedly();
    }],
  ];

  const table = (Object.keys(SIZES) as SizeName[]).flatMap((size) =>
    cases
      // Collection is slow: once per size that has bytes is enough.
      .filter(([name]) => size !== 'empty' || !name.includes('collected'))
      .map(([name, act]) => [`${size} object, ${name}`, size, act] as const),
  );

  // A registration with the finalizer makes V8 run far more full collections (response-body.ts):
  // a body read in the turn it arrives is never registered, one left for later is, and one read
  // after that is unregistered. Proven on the registry's own methods, whose target is the result.
  it.each([
    ['read at once with bytes()', 0, 0, (object: GetOutput) => object.bytes()],
    ['taken at once as nodeStream and read', 0, 0, async (object: GetOutput) => {
      for await (const chunk of object.nodeStream) expect(chunk).toBeInstanceOf(Uint8Array);
    }],
    ['cancelled at once', 0, 0, (object: GetOutput) => object.cancel()],
    ['left for a turn, then read', 1, 1, async (object: GetOutput) => {
      await settle();
      await object.bytes();
    }],
    ['left for a turn, then cancelled', 1, 1, async (object: GetOutput) => {
      await settle();
      await object.cancel();
    }],
  ] as const)('small object %s: registered with the finalizer %i time(s), unregistered %i', async (_name, registered, unregistered, use) => {
    key = 'small';
    const register = vi.spyOn(FinalizationRegistry.prototype, 'register');
    const unregister = vi.spyOn(FinalizationRegistry.prototype, 'unregister');
    try {
      const object = await get();
      await use(object);
      await settle();
      expect(register.mock.calls.filter(([target]) => target === object)).toHaveLength(registered);
      expect(unregister.mock.calls.filter(([token]) => (token as { holder?: unknown }).holder === object)).toHaveLength(unregistered);
    } finally {
      register.mockRestore();
      unregister.mockRestore();
    }
  });

  it.each(table)('%s: no crash, and the connection is given back', async (_name, size, act) => {
    key = size;
    SIZE = SIZES[size];
    problems.length = 0;
    await act();
    await settle();
    expect(problems).toEqual([]);
    // One connection: this read only gets it if the released body gave it back.
    const object = await get();
    expect((await object.bytes()).length).toBe(SIZE);
    expect(problems).toEqual([]);
  });
});
