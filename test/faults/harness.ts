/**
 * What the fault suites share: a client that talks to the real server through a FaultProxy, tuned
 * so faults resolve in tenths of a second (short per-attempt timeout, short backoff), and a direct
 * client (no proxy) to check what the server holds afterwards.
 */
import type { S3Client, S3ClientOptions } from '../../src/index.js';
import { testClient } from '../integration/server.js';
import { FaultProxy, type FaultPlan } from './proxy.js';

/**
 * How fast faults resolve. `timeoutMs` bounds each attempt (headers, and each body chunk);
 * the proxy holds a 'delay' answer `delayMs`, twice as long (undici's timers above 1 s are coarse, and
 * a loaded machine fires them late); `deadlineMs` bounds a persistent fault's
 * whole call, short of four attempts' timeouts so that the deadline is what ends it.
 */
export interface Pace {
  readonly timeoutMs: number;
  readonly delayMs: number;
  readonly deadlineMs: number;
}

/** For small requests. */
export const QUICK: Pace = { timeoutMs: 1_000, delayMs: 2_500, deadlineMs: 2_500 };
/** For uploads of 5 MiB parts, on a loaded 2-core machine. */
export const UNHURRIED: Pace = { timeoutMs: 5_000, delayMs: 11_000, deadlineMs: 9_000 };
/** For runs without 'delay' or 'stall-body' faults: only a broken server would exceed it. */
export const PATIENT: Pace = { timeoutMs: 15_000, delayMs: 16_000, deadlineMs: 60_000 };

export const FAST_RETRIES = { retries: 3, baseDelayMs: 10, throttleBaseDelayMs: 25, maxDelayMs: 200, budget: 500 } as const;

export interface FaultedClient {
  readonly s3: S3Client;
  readonly proxy: FaultProxy;
  close(): Promise<void>;
}

export async function faultedClient(
  server: string,
  bucket: string,
  plan: FaultPlan,
  pace: Pace = QUICK,
  options: S3ClientOptions = {},
): Promise<FaultedClient> {
  const proxy = await FaultProxy.start(server, plan, { delayMs: pace.delayMs });
  const s3 = testClient({ endpoint: proxy.url, bucket, retries: FAST_RETRIES, timeoutMs: pace.timeoutMs, ...options });
  return {
    s3,
    proxy,
    async close() {
      await s3.close();
      await proxy.close();
    },
  };
}

/** The error's `code`, for S3Error, S3NetworkError and deleteMany's per-key errors alike. */
export function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code: unknown = Reflect.get(error, 'code');
  return typeof code === 'string' ? code : undefined;
}

/** A failure with no HTTP answer: the codes S3NetworkError takes from Node and undici. */
export const NETWORK_CODE = /^(E[A-Z]+|UND_ERR_[A-Z_]+|NetworkError)$/;
