// Hostile and malformed requests against a real `pdw serve` on 127.0.0.1: every one gets an answer
// (or a closed socket), none takes the server down, and none leaks a file or a stack.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');
let server: ChildProcess;
let port = 0;
let token = '';
let dir = '';
let exited = false;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pdw-hostile-'));
  server = spawn(process.execPath, [join(root, 'bin', 'pdw.js'), 'serve', '--workspace', dir], { env: { ...process.env, PDW_BACKEND: 'wasm' }, stdio: ['ignore', 'pipe', 'pipe'] });
  server.on('exit', () => (exited = true));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    server.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /http:\/\/127\.0\.0\.1:(\d+)\/#token=([0-9a-f]+)/.exec(out);
      if (m) {
        port = Number(m[1]);
        token = m[2]!;
        resolve();
      }
    });
    server.on('exit', (code) => reject(new Error(`pdw serve exited (${code})`)));
  });
}, 60_000);

afterAll(() => {
  server?.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

/** Sends raw bytes and returns what came back before the server closed or 2 s passed. */
function raw(text: string | Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    const done = (): void => {
      socket.destroy();
      resolve(reply);
    };
    socket.setTimeout(2000, done);
    socket.on('data', (d) => (reply += d.toString('latin1')));
    socket.on('end', done);
    socket.on('error', done);
    socket.on('close', done);
    socket.write(text);
  });
}

const status = (reply: string): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(reply)?.[1] ?? 0);

async function api(channel: string, body: unknown, headers: Record<string, string> = { 'x-pdw-token': token }): Promise<{ status: number; body: { error?: string; result?: unknown } }> {
  const res = await fetch(`http://127.0.0.1:${port}/api/${channel}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as { error?: string } };
}

describe('pdw serve under hostile requests', () => {
  it.each(['/%', '/%zz', '/%ff', '/%C0', '/assets/%', '/%00', '/a%00.js'])('GET %s answers 400 and the server keeps running', async (path) => {
    expect(status(await raw(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`))).toBe(400);
  });

  it.each(['http://[', '//[::1', '/api/events?token=%zz', '/%'])('a WebSocket upgrade to %s is refused without taking the server down', async (target) => {
    const reply = await raw(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    expect([0, 400, 401]).toContain(status(reply));
  });

  it.each(['/../../../../etc/passwd', '/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '/..%2f..%2f..%2fetc%2fpasswd', '/....//....//etc/passwd'])('path traversal %s serves no file outside the renderer', async (path) => {
    const reply = await raw(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
    expect(reply).not.toMatch(/root:x:0:0/);
    expect([400, 404]).toContain(status(reply));
  });

  it('wrong tokens, origins, methods, channels and bodies get 4xx with a message', async () => {
    expect((await api('count', {}, {})).status).toBe(401);
    expect((await api('count', {}, { 'x-pdw-token': `${token}x` })).status).toBe(401);
    expect((await api('count', {}, { 'x-pdw-token': token, origin: 'http://127.0.0.1.evil.example' })).status).toBe(403);
    expect((await api('__proto__', {})).status).toBe(404);
    expect((await api('constructor', {})).status).toBe(404);
    expect((await api('count', '{"sites":')).status).toBe(400);
    expect((await api('count', '[]')).status).toBe(400);
    expect((await api('count', 'null')).status).toBe(400);
    const get = await fetch(`http://127.0.0.1:${port}/api/count`, { headers: { 'x-pdw-token': token } });
    expect(get.status).toBe(405);
  });

  it('an oversized body is refused', async () => {
    const r = await api('previewCsv', { csv: 'x'.repeat(61 * 2 ** 20) });
    expect([400, 413]).toContain(r.status);
  });

  it('client mistakes answer 4xx with a sentence, never 500', async () => {
    const space = { sites: { A: ['Ca'], B: ['Ti'], X: ['Ca'] }, mixing: {}, double: false, maxElements: 6, oxidationStates: 'common', filters: { tolerance: null, octahedral: null, tauMax: null } };
    const bad = await api('startScreen', { space });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/Ca has no negative common oxidation state/);
    expect((await api('detail', { candidateId: 424242 })).status).toBe(404);
    expect((await api('resumeScreen', { screenId: 77 })).status).toBe(404);
    expect((await api('training', { jobId: 5 })).status).toBe(404);
    expect((await api('activateModel', { dir: '/nonexistent/model' })).status).toBe(404);
  });

  it('refuses a space too large to count before any work, and stays responsive (issue: 45 s frozen before)', async () => {
    const huge = {
      sites: { A: ['Ca', 'Sr', 'Ba', 'K', 'Na', 'Rb', 'Cs', 'La', 'Y', 'Bi'], B: ['Ti', 'Zr', 'Nb', 'Ta', 'Sn', 'Hf', 'Mo', 'W', 'Fe', 'Co', 'Ni', 'Mn', 'Cr'], X: ['O', 'S', 'Se', 'F', 'Cl', 'Br', 'I'] },
      mixing: { A: 0.001, B: 0.001, X: 0.001 }, double: true, maxElements: 6, oxidationStates: 'common', filters: { tolerance: null, octahedral: null, tauMax: null },
    };
    const started = Date.now();
    const [screen, count, other] = await Promise.all([api('startScreen', { space: huge }), api('count', huge), api('model', {})]);
    expect(Date.now() - started).toBeLessThan(5000);
    for (const r of [screen, count]) {
      expect(r.status).toBe(400);
      expect(r.body.error).toMatch(/this space has 7\.4e13 site combinations to walk \(A 44,965 × B 77,935 × X 20,986 ways to fill the sites, over 2 layouts\), more than the 5e9 that can be counted in time/);
    }
    expect(other.status).toBe(200);
    expect((await api('screens', {})).body.result).toEqual([]); // no screen was created
  });

  it('is still up and serving after all of the above', async () => {
    expect(exited).toBe(false);
    const res = await fetch(`http://127.0.0.1:${port}/`);
    expect(res.status).toBe(200);
    expect((await api('model', {})).status).toBe(200);
  });
});
