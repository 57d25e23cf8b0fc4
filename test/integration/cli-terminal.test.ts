/**
 * The live progress display, seen as a person sees it: the built CLI uploads a few hundred files
 * inside tmux (a real pseudo-terminal), and the pane is captured mid-transfer and at the end.
 *
 * "Mid-transfer" is made certain rather than hoped for: the CLI talks to the real server through a
 * local proxy that, after the first 100 uploads, holds every request until the test has captured
 * the pane. No timing is asserted.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CLI, cliEnv } from './cli.js';
import { describeWithServer, patternBytes, removeTestBucket, s3Server, testClient, uniqueBucketName } from './server.js';

const run = promisify(execFile);
const FILES = 300;
const HOLD_AFTER = 100;

/** A pass-through proxy to the real server that can hold requests at a gate. */
function gatedProxy(target: URL, holdAfter: number) {
  let forwarded = 0;
  let held = 0;
  let open: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const forward = (incoming: IncomingMessage, outgoing: ServerResponse): void => {
    const upstream = request(
      { host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers: incoming.headers },
      (response) => {
        outgoing.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(outgoing);
      },
    );
    upstream.on('error', () => outgoing.destroy());
    incoming.pipe(upstream);
  };
  const server = createServer((incoming, outgoing) => {
    if (incoming.method === 'PUT' && forwarded >= holdAfter) {
      held++;
      void gate.then(() => forward(incoming, outgoing));
      return;
    }
    if (incoming.method === 'PUT') forwarded++;
    forward(incoming, outgoing);
  });
  return {
    server,
    get held() {
      return held;
    },
    release: () => open(),
  };
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, tries = 600): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describeWithServer('s3lane progress display in a real terminal (tmux)', () => {
  const bucket = uniqueBucketName('cli-tty');
  const s3 = testClient({ bucket });
  const proxy = gatedProxy(new URL(s3Server?.endpoint ?? 'http://127.0.0.1'), HOLD_AFTER);
  let dir = '';
  let socket = '';
  const tmux = (...args: string[]) => run('tmux', ['-S', socket, ...args], { env: { ...cliEnv(dir), TERM: 'xterm-256color' } });
  const pane = async (): Promise<string> => (await tmux('capture-pane', '-p', '-t', 'cli')).stdout;

  beforeAll(async () => {
    await run('tmux', ['-V']).catch(() => {
      throw new Error('tmux is not installed: scripts/s3-server.sh installs it with the server packages (apt-get install tmux)');
    });
    await s3.createBucket();
    dir = await mkdtemp(join(tmpdir(), 's3lane-tty-'));
    socket = join(dir, 'tmux.sock');
    for (let i = 0; i < FILES; i++) {
      const folder = join(dir, 'tree', `batch-${Math.floor(i / 50)}`);
      await mkdir(folder, { recursive: true });
      await writeFile(join(folder, `file-${String(i).padStart(3, '0')}.bin`), patternBytes(48 * 1024, i));
    }
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    proxy.release();
    await tmux('kill-server').catch(() => undefined);
    proxy.server.close();
    await removeTestBucket(s3);
    await s3.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('draws a bar, counts and throughput while files go out, then clears them for one summary line', async () => {
    const { port } = proxy.server.address() as AddressInfo;
    const command = `node ${CLI} cp ${join(dir, 'tree')} s3://${bucket}/tty/ --recursive --concurrency 4 --endpoint-url http://127.0.0.1:${port}; echo "EXIT=$?"; read wait`;
    await tmux('new-session', '-d', '-s', 'cli', '-x', '120', '-y', '30', command);

    // Mid-transfer: the proxy holds the uploads after the first 100, so the display stands still at ~100/300.
    await eventually('the proxy to hold uploads', async () => (proxy.held > 0 ? true : undefined));
    const middle = await eventually('the display to show the held state', async () => {
      const text = await pane();
      return new RegExp(`\\b${HOLD_AFTER}/${FILES} files\\b`).test(text) ? text : undefined;
    });
    const lines = middle.split('\n').filter((line) => line.trim() !== '');
    const total = lines.find((line) => line.includes(' files'));
    expect(total, middle).toMatch(/^\[#+\.+\]\s+3\d%\s+[\d.]+ MiB \/ 14\.1 MiB\s+100\/300 files\s+[\d.]+ (B|KiB|MiB)\/s/);
    // Files waiting at the gate are in flight: one line each, above the total.
    const active = lines.filter((line) => /^ {2}tty\/batch-\d\/file-\d{3}\.bin\s/.test(line));
    expect(active.length, middle).toBeGreaterThanOrEqual(1);
    expect(active.length, middle).toBeLessThanOrEqual(4);
    expect(lines.indexOf(total ?? ''), middle).toBe(lines.length - 1);

    proxy.release();
    const end = await eventually('the upload to finish', async () => {
      const text = await pane();
      return text.includes('EXIT=') ? text : undefined;
    });
    const finalLines = end.split('\n').filter((line) => line.trim() !== '');
    // The live lines are gone: only the summary line and the exit status are left.
    expect(finalLines, end).toHaveLength(2);
    expect(finalLines[0]).toMatch(/^uploaded 300 files, 14\.1 MiB in [\d.]+m?s \([\d.]+ (KiB|MiB)\/s\)$/);
    expect(finalLines[1]).toBe('EXIT=0');
    expect(end).not.toMatch(/\[#*\.*\]/);
    let uploaded = 0;
    for await (const _ of s3.list({ prefix: 'tty/' })) uploaded++;
    expect(uploaded).toBe(FILES);
  });
});
