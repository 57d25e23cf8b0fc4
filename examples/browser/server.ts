/**
 * The browser example's HTTP server (node:http, no framework): the page, its script, and the JSON
 * endpoints of the UploadBackend.
 *
 *   GET  /                              the page
 *   GET  /uploader.js                   its script
 *   GET  /api/config                    { multipartThreshold }
 *   POST /api/uploads/post              { filename, contentType }        -> { key, url, fields }
 *   POST /api/uploads/multipart         { filename, contentType, size }  -> { key, uploadId, partSize, partCount }
 *   POST /api/uploads/multipart/part    { key, uploadId, partNumber }    -> { url }
 *   POST /api/uploads/multipart/complete { key, uploadId, parts }        -> { key, etag }
 *   POST /api/uploads/multipart/abort   { key, uploadId }                -> {}
 *
 * Refusals answer 4xx with `{ error: { code, message } }`; the store's refusals 502 with its code.
 * A real service would authenticate the caller before any of this (and choose the prefix per user).
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { S3Error, S3NetworkError } from '../../src/index.js';
import { Refusal, type UploadBackend } from './backend.js';

const STATIC_FILES: Readonly<Record<string, { file: string; type: string }>> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/uploader.js': { file: 'uploader.js', type: 'text/javascript; charset=utf-8' },
};

const MAX_JSON_BYTES = 256 * 1024;

export interface UploadServer {
  /** e.g. `http://127.0.0.1:41234` */
  readonly url: string;
  readonly server: Server;
  /** Stops accepting requests and aborts the multipart uploads still open. */
  close(): Promise<void>;
}

/** Listens on host:port (port 0: any free port) and serves the page and the backend. */
export async function startUploadServer(
  backend: UploadBackend,
  options: { host?: string; port?: number; s3Origin: string },
): Promise<UploadServer> {
  const routes: Readonly<Record<string, (body: unknown) => Promise<unknown>>> = {
    '/api/uploads/post': (body) => backend.postPolicy(body),
    '/api/uploads/multipart': (body) => backend.createMultipart(body),
    '/api/uploads/multipart/part': (body) => backend.signPart(body),
    '/api/uploads/multipart/complete': (body) => backend.complete(body),
    '/api/uploads/multipart/abort': async (body) => {
      await backend.abort(body);
      return {};
    },
  };
  // The page may talk to this server and to the store, and to nothing else.
  const securityHeaders = {
    'content-security-policy': `default-src 'self'; connect-src 'self' ${options.s3Origin}; style-src 'self' 'unsafe-inline'`,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    const asset = STATIC_FILES[path];
    if ((request.method === 'GET' || request.method === 'HEAD') && asset) {
      const content = await readFile(join(import.meta.dirname, asset.file));
      response.writeHead(200, { ...securityHeaders, 'content-type': asset.type });
      response.end(request.method === 'GET' ? content : undefined);
      return;
    }
    if (request.method === 'GET' && path === '/api/config') return sendJson(response, 200, backend.config());
    const route = routes[path];
    if (!route) return sendJson(response, 404, { error: { code: 'NotFound', message: `No ${request.method ?? ''} ${path} here.` } });
    if (request.method !== 'POST') return sendJson(response, 405, { error: { code: 'MethodNotAllowed', message: 'Use POST.' } });
    // JSON only: a cross-site form cannot send it without a CORS preflight, which this server never allows.
    if (!/^application\/json\b/i.test(request.headers['content-type'] ?? '')) {
      return sendJson(response, 415, { error: { code: 'UnsupportedMediaType', message: 'Send application/json.' } });
    }
    try {
      sendJson(response, 200, await route(await readJson(request)));
    } catch (error) {
      const { status, code, message } = errorAnswer(error);
      sendJson(response, status, { error: { code, message } });
    }
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      console.error('browser example:', error);
      if (!response.headersSent) sendJson(response, 500, { error: { code: 'InternalError', message: 'Internal error.' } });
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address}:${port}`,
    server,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await backend.abortAll();
    },
  };
}

function sendJson(response: ServerResponse, status: number, value: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(value));
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length > MAX_JSON_BYTES) throw new Refusal(413, 'RequestTooLarge', `Request bodies are limited to ${MAX_JSON_BYTES} bytes.`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new Refusal(400, 'InvalidRequest', 'The request body is not JSON.');
  }
}

/** The answer for a failed request: our refusal, the store's (its code, never our signing details), or a bare 500. */
function errorAnswer(error: unknown): { status: number; code: string; message: string } {
  if (error instanceof Refusal) return { status: error.status, code: error.code, message: error.message };
  if (error instanceof S3Error) {
    return { status: 502, code: error.code, message: error.serverMessage || `The store answered ${error.statusCode} ${error.code}.` };
  }
  if (error instanceof S3NetworkError) return { status: 502, code: 'StoreUnreachable', message: 'The store did not answer.' };
  throw error;
}
