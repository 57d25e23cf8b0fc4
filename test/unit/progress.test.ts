/**
 * Upload progress over file bodies (src/s3/transfer/progress.ts): the pipeline reads a file with
 * fileChunks, which tells the body's counter of each chunk. An attempt that is released (a refusal
 * of aws-chunked, a retry) may still hand on a chunk after the next attempt started: the total must
 * count each byte once, and a failed send must take back everything.
 */
import { describe, expect, it } from 'vitest';
import { fileBody } from '../../src/s3/body.js';
import { sendCounted } from '../../src/s3/transfer/progress.js';

describe('sendCounted over a file body', () => {
  it('ignores what a released attempt hands on after the next attempt started', async () => {
    let total = 0;
    const result = await sendCounted(fileBody('/unused', 0, 300), (delta) => (total += delta), async (counting) => {
      const first = counting.file?.counter?.start();
      first?.(100);
      const second = counting.file?.counter?.start();
      expect(total).toBe(0);
      first?.(100);
      second?.(300);
      return 'sent';
    });
    expect(result).toBe('sent');
    expect(total).toBe(300);
  });

  it('takes back everything when the send fails, even what a reader hands on afterwards', async () => {
    let total = 0;
    let late: ((bytes: number) => void) | undefined;
    const failing = sendCounted(fileBody('/unused', 0, 300), (delta) => (total += delta), async (counting) => {
      late = counting.file?.counter?.start();
      late?.(200);
      throw new Error('connection reset');
    });
    await expect(failing).rejects.toThrow('connection reset');
    late?.(100);
    expect(total).toBe(0);
  });
});
