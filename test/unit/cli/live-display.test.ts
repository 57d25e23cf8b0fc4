/**
 * The live display's promises, on a fake terminal and a fake clock: at most about ten redraws a
 * second however often progress arrives, lines that never wrap, and a clean screen at the end.
 */
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LiveDisplay, type TransferSnapshot } from '../../../src/cli/live-display.js';

function fakeTerminal(columns = 80): { stream: NodeJS.WriteStream; writes: string[] } {
  const writes: string[] = [];
  const stream = Object.assign(new PassThrough(), { columns, isTTY: true }) as unknown as NodeJS.WriteStream;
  stream.write = ((chunk: string) => {
    writes.push(chunk);
    return true;
  }) as NodeJS.WriteStream['write'];
  return { stream, writes };
}

const snapshot = (bytesDone: number, name = 'photos/cat.jpg'): TransferSnapshot => ({
  bytesDone,
  totalBytes: 10 * 2 ** 20,
  filesDone: 3,
  filesFailed: 0,
  totalFiles: 10,
  active: [{ name, bytes: bytesDone % 2 ** 20, total: 2 ** 20 }],
});

describe('LiveDisplay', () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  it('redraws at most ten times a second however many updates arrive', () => {
    const { stream, writes } = fakeTerminal();
    const display = new LiveDisplay(stream);
    for (let ms = 0; ms < 1000; ms++) {
      display.update(snapshot(ms * 1000));
      vi.advanceTimersByTime(1);
    }
    const frames = writes.filter((w) => w.includes(' files'));
    expect(frames.length).toBeGreaterThanOrEqual(9);
    expect(frames.length).toBeLessThanOrEqual(11);
    display.close();
  });

  it('draws nothing while nothing changes', () => {
    const { stream, writes } = fakeTerminal();
    const display = new LiveDisplay(stream);
    display.update(snapshot(1000));
    const before = writes.length;
    vi.advanceTimersByTime(5000);
    expect(writes.length).toBe(before);
    display.close();
  });

  it('renders a line per active file and a total line with bar, bytes, counts, throughput and ETA', () => {
    const display = new LiveDisplay(fakeTerminal().stream);
    display.rate(0, 0);
    const lines = display.render(snapshot(5 * 2 ** 20), 1000, 200);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^ {2}photos\/cat\.jpg\s+0%\s+0 B \/ 1\.00 MiB$/);
    expect(lines[1]).toBe('[############............]  50%  5.00 MiB / 10.0 MiB  3/10 files  5.00 MiB/s  ETA 1.0s');
  });

  it('cuts lines to the terminal width so they never wrap', () => {
    const display = new LiveDisplay(fakeTerminal().stream);
    const lines = display.render(snapshot(1, 'x'.repeat(300)), 1000, 40);
    for (const line of lines) expect([...line].length).toBeLessThan(40);
  });

  it('close() erases what it drew and shows the cursor again', () => {
    const { stream, writes } = fakeTerminal();
    const display = new LiveDisplay(stream);
    display.update(snapshot(1));
    display.close();
    // Two lines were drawn: up one line, to the start, clear to the end of the screen, cursor on.
    expect(writes.at(-1)).toBe('\u001b[1A\r\u001b[J\u001b[?25h');
  });
});
