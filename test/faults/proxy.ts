/**
 * A fault-injecting HTTP proxy in front of the real S3 server (plain node:http, port 0 on
 * 127.0.0.1). Each request is classified by S3 operation; a plan decides, per request, whether it
 * passes or which fault it meets. Signatures stay valid: the request goes upstream byte for byte,
 * Host included, so the real server still verifies every one.
 */
import { Agent, createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Operation =
  | 'PutObject'
  | 'GetObject'
  | 'HeadObject'
  | 'DeleteObject'
  | 'CopyObject'
  | 'ListObjectsV2'
  | 'DeleteObjects'
  | 'CreateMultipartUpload'
  | 'UploadPart'
  | 'CompleteMultipartUpload'
  | 'AbortMultipartUpload'
  | 'ListMultipartUploads'
  | 'ListParts'
  | 'Other';

export type Fault =
  /** The connection is reset as soon as the request arrives: nothing reaches the server. */
  | 'reset-before-body'
  /** Half the request body is read, then the connection is reset: nothing reaches the server. */
  | 'reset-mid-request'
  /** 503 SlowDown, answered by the proxy. */
  | 'slowdown'
  /** 500 InternalError, answered by the proxy. */
  | 'internal-error'
  /** The server does the work; its answer is held back for `delayMs` (past the client's timeout). */
  | 'delay'
  /** The server does the work; its answer's body is cut halfway and the connection closed. */
  | 'truncate-body'
  /** The server does the work; half its answer's body is sent, then nothing (until the client gives up). */
  | 'stall-body'
  /** The server does the work; its answer is lost (the connection is reset instead). */
  | 'lost-answer'
  /** 200 with an <Error> body (InternalError), as S3 reports a late failure of Complete or Copy. */
  | 'error-in-200'
  /** 503 SlowDown whose error body is cut halfway. */
  | 'cut-error-body'
  /** 501 NotImplemented, answered by the proxy: a store without the operation. */
  | 'not-implemented';

export interface FaultContext {
  readonly operation: Operation;
  /** How many requests of this operation the proxy saw before this one. */
  readonly index: number;
  readonly method: string;
  readonly path: string;
}

export type FaultPlan = (request: FaultContext) => Fault | undefined;

/** Classifies a request by S3 operation from its method, query and headers. */
export function classify(method: string, path: string, headers: IncomingMessage['headers']): Operation {
  const url = new URL(path, 'http://proxy');
  const q = url.searchParams;
  const hasKey = url.pathname.split('/').filter(Boolean).length > 1;
  switch (method) {
    case 'PUT':
      if (q.has('partNumber')) return 'UploadPart';
      if (headers['x-amz-copy-source']) return 'CopyObject';
      return hasKey ? 'PutObject' : 'Other';
    case 'POST':
      if (q.has('uploads')) return 'CreateMultipartUpload';
      if (q.has('uploadId')) return 'CompleteMultipartUpload';
      if (q.has('delete')) return 'DeleteObjects';
      return 'Other';
    case 'GET':
      if (q.get('list-type') === '2') return 'ListObjectsV2';
      if (q.has('uploads')) return 'ListMultipartUploads';
      if (q.has('uploadId')) return 'ListParts';
      return hasKey ? 'GetObject' : 'Other';
    case 'HEAD':
      return hasKey ? 'HeadObject' : 'Other';
    case 'DELETE':
      if (q.has('uploadId')) return 'AbortMultipartUpload';
      return hasKey ? 'DeleteObject' : 'Other';
    default:
      return 'Other';
  }
}

/** A deterministic PRNG (mulberry32): the same seed gives the same faults, run after run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Faults each operation can meet (a fault on a body needs an answer with one). */
export const FAULTS_BY_OPERATION: Readonly<Record<Exclude<Operation, 'Other' | 'ListParts' | 'AbortMultipartUpload'>, readonly Fault[]>> = {
  PutObject: ['reset-before-body', 'reset-mid-request', 'slowdown', 'internal-error', 'delay', 'lost-answer', 'cut-error-body'],
  GetObject: ['reset-before-body', 'slowdown', 'internal-error', 'delay', 'truncate-body', 'stall-body', 'cut-error-body'],
  HeadObject: ['reset-before-body', 'slowdown', 'internal-error', 'delay'],
  DeleteObject: ['reset-before-body', 'slowdown', 'internal-error', 'delay', 'lost-answer', 'cut-error-body'],
  CopyObject: ['reset-before-body', 'slowdown', 'internal-error', 'delay', 'truncate-body', 'stall-body', 'lost-answer', 'error-in-200', 'cut-error-body'],
  ListObjectsV2: ['reset-before-body', 'slowdown', 'internal-error', 'delay', 'truncate-body', 'stall-body', 'cut-error-body'],
  DeleteObjects: ['reset-before-body', 'reset-mid-request', 'slowdown', 'internal-error', 'delay', 'truncate-body', 'stall-body', 'lost-answer', 'cut-error-body'],
  CreateMultipartUpload: ['reset-before-body', 'slowdown', 'internal-error', 'delay', 'truncate-body', 'stall-body', 'lost-answer', 'cut-error-body'],
  UploadPart: ['reset-before-body', 'reset-mid-request', 'slowdown', 'internal-error', 'delay', 'lost-answer', 'cut-error-body'],
  CompleteMultipartUpload: [
    'reset-before-body',
    'reset-mid-request',
    'slowdown',
    'internal-error',
    'delay',
    'truncate-body',
    'stall-body',
    'lost-answer',
    'error-in-200',
    'cut-error-body',
  ],
  ListMultipartUploads: ['reset-before-body', 'slowdown', 'internal-error', 'delay', 'truncate-body', 'stall-body', 'cut-error-body'],
};

/** Each request meets, with `probability`, one of the faults its operation can meet, chosen by a seeded PRNG. */
export function randomFaults(seed: number, probability: number, only?: readonly Fault[]): FaultPlan {
  const random = seededRandom(seed);
  return ({ operation }) => {
    const possible = (FAULTS_BY_OPERATION as Partial<Record<Operation, readonly Fault[]>>)[operation]?.filter((f) => !only || only.includes(f));
    if (!possible?.length || random() >= probability) return undefined;
    return possible[Math.floor(random() * possible.length)];
  };
}

const errorXml = (code: string): Buffer =>
  Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>injected ${code}</Message><RequestId>FAULT</RequestId></Error>`);

export class FaultProxy {
  /** Base URL to use as the client's endpoint. */
  readonly url: string;
  /** Every request seen, with the fault it met. */
  readonly log: { operation: Operation; fault: Fault | undefined }[] = [];
  plan: FaultPlan;
  readonly #server: Server;
  readonly #target: URL;
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 64 });
  readonly #counts = new Map<Operation, number>();
  readonly #held = new Set<ServerResponse>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #delayMs: number;

  private constructor(server: Server, target: string, plan: FaultPlan, delayMs: number) {
    this.#server = server;
    this.#target = new URL(target);
    this.plan = plan;
    this.#delayMs = delayMs;
    const { port } = server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
  }

  /** Starts a proxy to `target` on an ephemeral port of 127.0.0.1. */
  static async start(target: string, plan: FaultPlan = () => undefined, options: { delayMs?: number } = {}): Promise<FaultProxy> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const proxy = new FaultProxy(server, target, plan, options.delayMs ?? 1_000);
    server.on('request', (req, res) => proxy.#handle(req, res));
    return proxy;
  }

  /** How many requests of `operation` met a fault (or any request, without one). */
  faulted(operation?: Operation): number {
    return this.log.filter((entry) => entry.fault !== undefined && (operation === undefined || entry.operation === operation)).length;
  }

  async close(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    for (const res of this.#held) res.destroy();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#agent.destroy();
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const operation = classify(method, path, req.headers);
    const index = this.#counts.get(operation) ?? 0;
    this.#counts.set(operation, index + 1);
    const fault = this.plan({ operation, index, method, path });
    this.log.push({ operation, fault });
    switch (fault) {
      case 'reset-before-body':
        req.socket.destroy();
        return;
      case 'reset-mid-request': {
        const length = Number(req.headers['content-length'] ?? 0);
        let received = 0;
        if (length < 2) req.socket.destroy();
        req.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received >= length / 2) req.socket.destroy();
        });
        return;
      }
      case 'slowdown':
        return this.#answerAfterBody(req, res, 503, errorXml('SlowDown'));
      case 'internal-error':
        return this.#answerAfterBody(req, res, 500, errorXml('InternalError'));
      case 'error-in-200':
        return this.#answerAfterBody(req, res, 200, errorXml('InternalError'));
      case 'cut-error-body':
        return this.#answerAfterBody(req, res, 503, errorXml('SlowDown'), true);
      case 'not-implemented':
        return this.#answerAfterBody(req, res, 501, errorXml('NotImplemented'));
      default:
        this.#forward(req, res, fault);
    }
  }

  /** Reads the whole request (so the client is not cut off mid-send), then answers. */
  #answerAfterBody(req: IncomingMessage, res: ServerResponse, status: number, body: Buffer, cut = false): void {
    req.resume();
    req.once('end', () => {
      res.writeHead(status, { 'content-type': 'application/xml', 'content-length': String(body.length) });
      if (!cut) res.end(body);
      else res.write(body.subarray(0, body.length >> 1), () => res.destroy());
    });
  }

  #forward(req: IncomingMessage, res: ServerResponse, fault: Fault | undefined): void {
    const upstream = httpRequest(
      {
        host: this.#target.hostname,
        port: this.#target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent: this.#agent,
      },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const body = Buffer.concat(chunks);
          const headers = { ...answer.headers };
          delete headers['transfer-encoding'];
          if (req.method !== 'HEAD') headers['content-length'] = String(body.length);
          const status = answer.statusCode ?? 502;
          const send = (): void => this.#respond(res, status, headers, body, fault);
          if (fault !== 'delay') return send();
          const timer = setTimeout(() => {
            this.#timers.delete(timer);
            send();
          }, this.#delayMs);
          this.#timers.add(timer);
        });
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  }

  #respond(res: ServerResponse, status: number, headers: Record<string, string | string[] | undefined>, body: Buffer, fault: Fault | undefined): void {
    if (res.destroyed) return;
    const half = body.subarray(0, body.length >> 1);
    switch (fault) {
      case 'lost-answer':
        res.destroy();
        return;
      case 'truncate-body':
        res.writeHead(status, headers);
        res.write(half, () => res.destroy());
        return;
      case 'stall-body':
        res.writeHead(status, headers);
        res.write(half);
        this.#held.add(res);
        res.once('close', () => this.#held.delete(res));
        return;
      default:
        res.writeHead(status, headers);
        res.end(body);
    }
  }
}
