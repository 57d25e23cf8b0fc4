/**
 * undici interceptors for integration tests: they pass requests to the real server and only
 * observe (requests in flight) or break a chosen request on purpose (a connection refused), so
 * retries and clean-up are tested against a server that really checks every signature.
 */
import { Agent, DecoratorHandler, type Dispatcher } from 'undici';
import { loopbackAwareLookup } from '../../src/s3/transport.js';

type Dispatch = Dispatcher['dispatch'];

export interface Observed {
  readonly dispatcher: Dispatcher;
  /** The most requests that were in flight at once. */
  readonly maxInFlight: () => number;
  readonly requests: () => { method: string; path: string }[];
  close(): Promise<void>;
}

/** undici declares DecoratorHandler without methods; at run time it forwards every handler callback. */
type EndArgs = Parameters<NonNullable<Dispatcher.DispatchHandler['onResponseEnd']>>;
type ErrorArgs = Parameters<NonNullable<Dispatcher.DispatchHandler['onResponseError']>>;
interface Settling extends Dispatcher.DispatchHandler {
  onResponseEnd(...args: EndArgs): void;
  onResponseError(...args: ErrorArgs): void;
}
const ForwardingHandler = DecoratorHandler as unknown as new (handler: Dispatcher.DispatchHandler) => Settling;

class OnSettled extends ForwardingHandler {
  readonly #settled: () => void;
  #done = false;
  constructor(handler: Dispatcher.DispatchHandler, settled: () => void) {
    super(handler);
    this.#settled = settled;
  }
  #finish(): void {
    if (this.#done) return;
    this.#done = true;
    this.#settled();
  }
  override onResponseEnd(...args: EndArgs): void {
    this.#finish();
    super.onResponseEnd(...args);
  }
  override onResponseError(...args: ErrorArgs): void {
    this.#finish();
    super.onResponseError(...args);
  }
}

export interface Fault {
  /** Which requests to break. */
  match: (options: Dispatcher.DispatchOptions) => boolean;
  /** How many matching requests to break (then they pass). Default 1. */
  times?: number;
}

/**
 * A dispatcher to the real server that counts requests in flight and, for `faults`, sends the
 * matching request to a closed port instead (ECONNREFUSED: a retryable network failure).
 */
export function observedDispatcher(faults: Fault[] = []): Observed {
  const agent = new Agent({ connections: 256, connect: { lookup: loopbackAwareLookup } });
  let inFlight = 0;
  let max = 0;
  const seen: { method: string; path: string }[] = [];
  const remaining = faults.map((fault) => fault.times ?? 1);
  const intercept =
    (dispatch: Dispatch): Dispatch =>
    (options, handler) => {
      seen.push({ method: options.method, path: options.path });
      const faultIndex = faults.findIndex((fault, i) => (remaining[i] ?? 0) > 0 && fault.match(options));
      let target = options;
      if (faultIndex >= 0) {
        remaining[faultIndex] = (remaining[faultIndex] ?? 0) - 1;
        target = { ...options, origin: 'http://127.0.0.1:9' };
      }
      inFlight++;
      max = Math.max(max, inFlight);
      return dispatch(target, new OnSettled(handler, () => inFlight--));
    };
  return {
    dispatcher: agent.compose(intercept),
    maxInFlight: () => max,
    requests: () => seen,
    close: () => agent.close(),
  };
}
