/**
 * The HTTP layer: one undici Agent per client, keep-alive connection reuse, and a DNS lookup that
 * sends `localhost` and `*.localhost` to loopback itself (RFC 6761 §6.3), so virtual-hosted style
 * works against a local MinIO or Ceph without touching /etc/hosts.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { Agent, type Dispatcher } from 'undici';

export interface TransportOptions {
  /** Connections per origin (default 64). */
  maxConnections?: number;
  /** Time to receive response headers, and the longest pause between body chunks (default 60 s). */
  timeoutMs?: number;
  /** Bring your own undici dispatcher (a proxy agent, a mock for fault injection). */
  dispatcher?: Dispatcher;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family: number) => void;

/** RFC 6761 §6.3: `localhost` and every name under it mean this machine. */
function resolvesToLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname.endsWith('.localhost');
}

/** `net.connect`'s lookup: loopback for *.localhost, the system resolver for everything else. */
export function loopbackAwareLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  if (!resolvesToLoopback(hostname)) {
    dnsLookup(hostname, options, callback);
    return;
  }
  const address = options.family === 6 ? '::1' : '127.0.0.1';
  const family = options.family === 6 ? 6 : 4;
  if (options.all) callback(null, [{ address, family }], family);
  else callback(null, address, family);
}

export function createDispatcher(options: TransportOptions): Dispatcher {
  if (options.dispatcher) return options.dispatcher;
  return new Agent({
    connections: options.maxConnections ?? 64,
    headersTimeout: options.timeoutMs ?? 60_000,
    bodyTimeout: options.timeoutMs ?? 60_000,
    keepAliveTimeout: 4_000,
    connect: { lookup: loopbackAwareLookup },
  });
}

