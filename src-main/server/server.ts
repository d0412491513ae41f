/**
 * Browser mode: the same services as Electron, over HTTP + WebSocket on 127.0.0.1. Every API route is
 * POST /api/<channel> with a JSON body validated against the contract; it needs the session token
 * (header `x-pdw-token`) and, when the browser sends an Origin or Host, it must be this server's own
 * (no other site, and no DNS-rebound name, can drive the workbench). Progress events arrive on the
 * WebSocket /api/events?token=... . The renderer's built files are served from dist-renderer/.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { isChannel, validateRequest } from '../../shared/api/contract.js';
import type { WorkbenchEvent } from '../../shared/api/types.js';
import { errorStatus } from '../services/errors.js';
import type { Workbench } from '../services/workbench.js';

const MIME: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};
const MAX_BODY = 60 * 2 ** 20;

export interface RunningServer {
  readonly url: string;
  readonly token: string;
  readonly port: number;
  close(): Promise<void>;
}

function tokenMatches(expected: string, given: string | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(text);
}

class BodyTooLarge extends Error {
  override name = 'BodyTooLarge';
}

/** The request body as text; past MAX_BODY the rest is read and dropped (so the answer can still be sent) and BodyTooLarge thrown. */
async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= MAX_BODY) chunks.push(chunk as Buffer);
  }
  if (size > MAX_BODY) throw new BodyTooLarge(`the request body is larger than ${MAX_BODY / 2 ** 20} MiB`);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startServer(workbench: Workbench, options: { readonly port?: number; readonly staticDir: string; readonly token?: string }): Promise<RunningServer> {
  const token = options.token ?? randomBytes(24).toString('hex');
  let origin = '';
  let hosts: string[] = [];

  const allowed = (req: IncomingMessage): boolean => {
    const o = req.headers.origin;
    if (o !== undefined && o !== origin && o !== origin.replace('127.0.0.1', 'localhost')) return false;
    const h = req.headers.host;
    return h === undefined || hosts.includes(h);
  };

  const serveStatic = (req: IncomingMessage, res: ServerResponse): void => {
    let path: string;
    try {
      path = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end('bad request: the path is not valid percent-encoding');
      return;
    }
    if (path.includes('\0')) {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end('bad request: the path contains a NUL character');
      return;
    }
    const rel = normalize(path === '/' ? '/index.html' : path).replace(/^([/\\])+/, '');
    const file = join(options.staticDir, rel);
    if (!file.startsWith(options.staticDir + sep) || !existsSync(file) || !statSync(file).isFile()) {
      if (!existsSync(join(options.staticDir, 'index.html'))) {
        res.writeHead(503, { 'content-type': 'text/plain' });
        res.end("the renderer is not built; run 'npm run setup'");
        return;
      }
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': MIME[extname(file)] ?? 'application/octet-stream',
      'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self' ws://127.0.0.1:* ws://localhost:*; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
      'x-content-type-options': 'nosniff',
    });
    res.end(readFileSync(file));
  };

  const server: Server = createServer((req, res) => {
    req.on('error', () => res.destroy());
    // nothing a request does may take the server down: any throw below answers 500 and is logged
    void handle(req, res).catch((e: unknown) => {
      console.error(`pdw serve: ${req.method ?? '?'} ${JSON.stringify((req.url ?? '').slice(0, 200))} failed: ${(e as Error).message}`);
      if (!res.headersSent) send(res, 500, { error: 'the workbench failed to answer this request; see the server log' });
      else res.destroy();
    });
  });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!allowed(req)) return send(res, 403, { error: 'requests from another origin are refused' });
    const url = req.url ?? '/';
    if (!url.startsWith('/api/')) return serveStatic(req, res);
    if (!tokenMatches(token, req.headers['x-pdw-token'] as string | undefined)) return send(res, 401, { error: 'missing or wrong session token' });
    if (req.method !== 'POST') return send(res, 405, { error: 'use POST' });
    const channel = url.slice('/api/'.length).split('?')[0]!;
    if (!isChannel(channel)) return send(res, 404, { error: `no API channel '${channel}'` });
    let payload: unknown;
    try {
      const text = await readBody(req);
      payload = text ? JSON.parse(text) : {};
    } catch (e) {
      return send(res, 400, { error: `bad request body: ${(e as Error).message}` });
    }
    let request;
    try {
      request = validateRequest(channel, payload);
    } catch (e) {
      return send(res, 400, { error: (e as Error).message });
    }
    try {
      send(res, 200, { result: await workbench.handle(channel, request) });
    } catch (e) {
      const status = errorStatus(e);
      if (status === 500) throw e;
      send(res, status, { error: (e as Error).message });
    }
  };

  const wss = new WebSocketServer({ noServer: true });
  const clients = new Set<WebSocket>();
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    let u: URL;
    try {
      u = new URL(req.url ?? '/', origin || 'http://127.0.0.1');
    } catch {
      socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      return;
    }
    if (u.pathname !== '/api/events' || !allowed(req) || !tokenMatches(token, u.searchParams.get('token') ?? undefined)) {
      socket.write('HTTP/1.1 401 Unauthorized\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      clients.add(ws);
      ws.on('close', () => clients.delete(ws));
    });
  });
  const forward = (event: WorkbenchEvent): void => {
    const text = JSON.stringify(event);
    for (const ws of clients) ws.send(text);
  };
  workbench.events.on('event', forward);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  hosts = [`127.0.0.1:${port}`, `localhost:${port}`];
  return {
    url: `${origin}/#token=${token}`,
    token,
    port,
    close: async () => {
      workbench.events.off('event', forward);
      for (const ws of clients) ws.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
