/**
 * A TCP proxy on 127.0.0.1:0 that caps each connection's download bandwidth (server to client),
 * as a real network path does: on loopback one connection is never the bottleneck, so parallel
 * ranges could not show what they are for. Bytes pass unchanged, so signatures still verify.
 */
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

const BURST_MS = 250;

export interface ThrottleProxy {
  /** `http://127.0.0.1:<port>`. */
  endpoint: string;
  close(): Promise<void>;
}

/** Forwards to `target` (`http://host:port`), each connection's answers at most `bytesPerSecond`. */
export async function startThrottleProxy(target: string, bytesPerSecond: number): Promise<ThrottleProxy> {
  const upstreamUrl = new URL(target);
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(upstreamUrl.port), upstreamUrl.hostname);
    sockets.add(client).add(upstream);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    // Token bucket: each chunk may leave once the previous ones have had their time. Up to
    // BURST_MS of unused time is credited, so timers that fire late on a busy machine do not
    // lower the cap.
    let readyAt = performance.now();
    upstream.on('data', (chunk: Buffer) => {
      client.write(chunk);
      readyAt = Math.max(readyAt, performance.now() - BURST_MS) + (chunk.byteLength / bytesPerSecond) * 1000;
      const wait = readyAt - performance.now();
      if (wait > 1) {
        upstream.pause();
        setTimeout(() => upstream.resume(), wait);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
