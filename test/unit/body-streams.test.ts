/**
 * The stream behaviour the data path's speed relies on, pinned so that a change in Node (or in how
 * we use it) shows up here rather than as a slowdown or a memory blow-up:
 * - webStreamOf hands the Node stream's chunks on as the very same buffers (no join, no copy) and
 *   stops reading once its buffer is full;
 * - an unread fs.ReadStream of a regular file is taken as the file range it reads (fs.ReadStream's
 *   `path`, `start`, `end` and `bytesRead`), which makes it replayable and lets aws-chunked framing
 *   read straight into its frames.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { setImmediate as tick } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareBody, webStreamOf } from '../../src/s3/body.js';

describe('webStreamOf', () => {
  it('passes each chunk on as the same buffer, in order', async () => {
    const chunks = [Buffer.from('first'), Buffer.alloc(70_000, 1), Buffer.from('last')];
    const reader = webStreamOf(Readable.from(chunks, { objectMode: false })).getReader();
    const seen: Uint8Array[] = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      seen.push(value);
    }
    expect(seen).toHaveLength(3);
    seen.forEach((chunk, i) => expect(chunk).toBe(chunks[i]));
  });

  it('stops pulling from the Node stream while nobody reads (bounded memory)', async () => {
    let produced = 0;
    const endless = new Readable({
      read() {
        produced += 16 * 1024;
        this.push(Buffer.alloc(16 * 1024));
      },
    });
    const web = webStreamOf(endless);
    for (let i = 0; i < 50; i++) await tick();
    // The web stream's 64 KiB plus the Node stream's own 16 KiB buffer, and one chunk in between.
    expect(produced).toBeLessThanOrEqual(128 * 1024);
    expect(endless.isPaused()).toBe(true);
    const reader = web.getReader();
    await reader.read();
    for (let i = 0; i < 50; i++) await tick();
    expect(produced).toBeLessThanOrEqual(192 * 1024);
    await reader.cancel();
    expect(endless.destroyed).toBe(true);
  });

  it('errors the web stream when the Node stream fails', async () => {
    const failing = new Readable({ read() {} });
    const reader = webStreamOf(failing).getReader();
    failing.destroy(new Error('socket reset'));
    await expect(reader.read()).rejects.toThrow('socket reset');
  });
});

describe('prepareBody with an fs.ReadStream', () => {
  let dir = '';
  let file = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 's3lane-body-'));
    file = join(dir, 'data.bin');
    await writeFile(file, Buffer.alloc(1000, 7));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('takes an unread stream of a regular file as its file range: replayable, the stream released', async () => {
    const stream = createReadStream(file, { start: 10, end: 109 });
    const body = await prepareBody(stream);
    expect(body.file).toEqual({ path: file, start: 10, length: 100 });
    expect(body.length).toBe(100);
    expect(body.replayable).toBe(true);
    expect(stream.destroyed).toBe(true);
    const read = async (): Promise<number> => {
      let n = 0;
      for await (const chunk of body.open()) n += (chunk as Buffer).byteLength;
      return n;
    };
    expect(await read()).toBe(100);
    expect(await read()).toBe(100);
  });

  it('keeps a stream that was already read from as a one-shot stream', async () => {
    const stream = createReadStream(file, { highWaterMark: 100 });
    await new Promise((resolve) => stream.once('data', resolve));
    stream.pause();
    const body = await prepareBody(stream, 900);
    expect(body.file).toBeUndefined();
    expect(body.replayable).toBe(false);
    stream.destroy();
  });
});
