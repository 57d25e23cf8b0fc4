/**
 * The HTTP layer: one undici Agent per client, keep-alive connection reuse, and a DNS lookup that
 * sends `localhost` and `*.localhost` to loopback itself (RFC 6761 §6.3), so virtual-hosted style
 * works against a local MinIO or Ceph without touching /etc/hosts.
 */
import type { LookupAddress, LookupOptions } from 'node:dns';
import { createRequire } from 'node:module';
import type { Dispatcher } from 'undici';

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

let dns: typeof import('node:dns') | undefined;

/** `net.connect`'s lookup: loopback for *.localhost, the system resolver for everything else. */
export function loopbackAwareLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  if (!resolvesToLoopback(hostname)) {
    // node:dns on first use: an endpoint given as an IP address never needs it.
    dns ??= createRequire(import.meta.url)('node:dns') as typeof import('node:dns');
    dns.lookup(hostname, options, callback);
    return;
  }
  const address = options.family === 6 ? '::1' : '127.0.0.1';
  const family = options.family === 6 ? 6 : 4;
  if (options.all) callback(null, [{ address, family }], family);
  else callback(null, address, family);
}

/** A request sent on a dispatcher: undici's `Dispatcher.prototype.request`, promise form. */
export type SendRequest = (this: Dispatcher, options: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData>;

/** What s3lane uses of undici: the connection pool and the request call. */
export interface UndiciParts {
  readonly Agent: typeof import('undici').Agent;
  readonly request: SendRequest;
}

/**
 * Where those two live inside the undici package. undici's index loads everything it offers
 * (fetch, WebSocket, caches, mocks, proxies: ~180 ms cold); these two files load only the
 * pool and `request` (~60 ms). undici declares no `exports` map, so its files are reachable by
 * path; test/unit/transport.test.ts checks these are the very classes the index exports.
 */
export const UNDICI_AGENT_PATH = 'undici/lib/dispatcher/agent.js';
export const UNDICI_REQUEST_PATH = 'undici/lib/api/api-request.js';

let undici: UndiciParts | undefined;

/**
 * undici, loaded on the first request rather than with `import('s3lane')` or a client's
 * construction (it is most of the cold start), synchronously from its CommonJS files so that
 * everything before the first request stays synchronous. Should a later undici move those files,
 * the package index is loaded instead: slower to start, the same behaviour.
 */
export function loadUndici(): UndiciParts {
  if (undici) return undici;
  const require = createRequire(import.meta.url);
  let parts: Partial<UndiciParts> = {};
  try {
    parts = { Agent: require(UNDICI_AGENT_PATH) as UndiciParts['Agent'], request: require(UNDICI_REQUEST_PATH) as SendRequest };
  } catch {
    // Moved or renamed: fall back to the index below.
  }
  if (typeof parts.Agent !== 'function' || typeof parts.request !== 'function') {
    const index = require('undici') as typeof import('undici');
    parts = { Agent: index.Agent, request: index.Dispatcher.prototype.request as SendRequest };
  }
  undici = parts as UndiciParts;
  return undici;
}

/**
 * The client's connections: its own undici Agent, created on the first request (so that neither
 * import nor construction loads undici), or the dispatcher the caller passed in.
 */
export class Transport {
  readonly #options: TransportOptions;
  #agent: Dispatcher | undefined;

  constructor(options: TransportOptions) {
    this.#options = options;
  }

  request(options: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData> {
    const given = this.#options.dispatcher;
    // A caller's dispatcher may come from another copy of undici: its own request() speaks its own handler protocol.
    if (given && typeof given.request === 'function') return given.request(options);
    const { request } = loadUndici();
    return request.call(given ?? this.#ownAgent(), options);
  }

  /**
   * True when requests go over the client's own Agent, whose sockets s3lane configures: only then
   * may a file body reuse its buffers (see file-chunks.ts).
   */
  get ownsConnections(): boolean {
    return this.#options.dispatcher === undefined;
  }

  /** Closes the client's own Agent; a dispatcher passed in is the caller's and stays open. */
  async close(): Promise<void> {
    await this.#agent?.close();
  }

  #ownAgent(): Dispatcher {
    if (this.#agent) return this.#agent;
    const { Agent } = loadUndici();
    this.#agent = new Agent({
      connections: this.#options.maxConnections ?? 64,
      headersTimeout: this.#options.timeoutMs ?? 60_000,
      bodyTimeout: this.#options.timeoutMs ?? 60_000,
      keepAliveTimeout: 4_000,
      connect: { lookup: loopbackAwareLookup },
    });
    return this.#agent;
  }
}
