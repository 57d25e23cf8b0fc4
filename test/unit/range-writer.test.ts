/**
 * writeBody (transfer/ranged-download.ts): the cursor a range's retry continues from must say what
 * is on disk when the failure is reported. A body cut while a write is still in flight reported the
 * failure at once; the retry asked from the old cursor, the write then moved it on, and the answer
 * failed the range check as ObjectChanged (seen once in three runs of the "range keeps breaking"
 * integration test). And bytes that a write in flight already covers count toward the range's end.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { S3NetworkError } from '../../src/index.js';
import { writeBody } from '../../src/s3/transfer/ranged-download.js';

const cut = (): Error => Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });

describe('writeBody', () => {
  it('reports a cut body only once the write in flight has landed, with the cursor past its bytes', async () => {
    const body = new Readable({ read() {} });
    const cursor = { position: 1000 };
    const landed: [number, number][] = [];
    let release: () => void = () => undefined;
    const sink = (chunks: Buffer[], position: number): Promise<void> =>
      new Promise((resolve) => {
        release = () => {
          landed.push([position, Buffer.concat(chunks).byteLength]);
          resolve();
        };
      });
    const writing = writeBody(body, sink, cursor, 1999);
    let outcome: unknown = 'pending';
    writing.then(() => (outcome = 'resolved'), (error: unknown) => (outcome = error));
    body.push(Buffer.alloc(10, 1));
    await new Promise((resolve) => setImmediate(resolve));
    body.destroy(cut());
    await new Promise((resolve) => setTimeout(resolve, 20));
    // The 10 bytes are still being written: the failure waits for them.
    expect(outcome).toBe('pending');
    expect(cursor.position).toBe(1000);
    release();
    await writing.catch(() => undefined);
    expect(outcome).toBeInstanceOf(S3NetworkError);
    expect(landed).toEqual([[1000, 10]]);
    expect(cursor.position).toBe(1010);
  });

  it('writes nothing past the range end, and resolves once the last write landed', async () => {
    const body = Readable.from([Buffer.alloc(6, 1), Buffer.alloc(6, 2)], { objectMode: false });
    const cursor = { position: 0 };
    const landed: Buffer[] = [];
    await writeBody(body, async (chunks) => void landed.push(Buffer.concat(chunks)), cursor, 9);
    expect(Buffer.concat(landed)).toEqual(Buffer.concat([Buffer.alloc(6, 1), Buffer.alloc(4, 2)]));
    expect(cursor.position).toBe(10);
  });
});
