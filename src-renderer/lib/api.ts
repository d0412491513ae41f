/**
 * The renderer's transport, chosen at start: Electron's preload (`window.api`) when present, else the
 * local server (`pdw serve`) with the session token from the page address. Both satisfy the one typed
 * contract in shared/api.
 */
import { CHANNELS, type Channel, type RequestOf, type ResultOf, type WorkbenchApi } from '../../shared/api/contract.js';
import type { WorkbenchEvent } from '../../shared/api/types.js';

export interface Transport {
  readonly api: WorkbenchApi;
  onEvent(listener: (e: WorkbenchEvent) => void): () => void;
  /** 'electron' or 'browser'. */
  readonly kind: string;
  /** Connection problems (lost server, bad token), shown in the UI. */
  onProblem(listener: (message: string | null) => void): void;
}

declare global {
  interface Window {
    api?: WorkbenchApi & { onEvent(listener: (e: WorkbenchEvent) => void): () => void };
  }
}

export class ApiError extends Error {
  override name = 'ApiError';
}

const RESTARTED =
  'The workbench server was restarted, so this page’s session token no longer works. Open the new address that `pdw serve` printed (it carries the new token), or reload this page if another tab already has; your design and shortlist are kept in the library.';
const NO_TOKEN =
  'This page has no session token. Open the address that `pdw serve` printed (it carries the token); after that, other tabs of this workbench find it.';

const TOKEN_KEY = 'pdw-token';

/**
 * The session token: from the address `pdw serve` printed (#token=...), else the one this origin kept
 * (127.0.0.1 and the server's port: no other site can read it), so a second tab opened on the address
 * bar's address, or a reload, works without the printed address; the newest printed address wins.
 */
function sessionToken(): string {
  const printed = new URLSearchParams(location.hash.slice(1)).get('token');
  try {
    if (printed) localStorage.setItem(TOKEN_KEY, printed);
    return printed ?? localStorage.getItem(TOKEN_KEY) ?? '';
  } catch {
    // storage disabled: this page only
    return printed ?? '';
  }
}

function browserTransport(): Transport {
  const token = sessionToken();
  const unauthorized = token ? RESTARTED : NO_TOKEN;
  const problemListeners: ((m: string | null) => void)[] = [];
  const problem = (m: string | null): void => problemListeners.forEach((l) => l(m));
  async function call<C extends Channel>(channel: C, request: RequestOf<C>): Promise<ResultOf<C>> {
    let res: Response;
    try {
      res = await fetch(`/api/${channel}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-pdw-token': token }, body: JSON.stringify(request) });
    } catch {
      problem('Lost the connection to the workbench server. Is `pdw serve` still running?');
      throw new ApiError('lost the connection to the workbench server');
    }
    const body = (await res.json().catch(() => ({}))) as { result?: ResultOf<C>; error?: string };
    if (res.status === 401) problem(unauthorized);
    if (!res.ok) throw new ApiError(body.error ?? `HTTP ${res.status}`);
    problem(null);
    return body.result as ResultOf<C>;
  }
  const api = Object.fromEntries(CHANNELS.map((c) => [c, (r: RequestOf<typeof c>) => call(c, r)])) as unknown as WorkbenchApi;
  const listeners = new Set<(e: WorkbenchEvent) => void>();
  let socket: WebSocket | null = null;
  const connect = (): void => {
    socket = new WebSocket(`ws://${location.host}/api/events?token=${encodeURIComponent(token)}`);
    socket.onmessage = (m) => listeners.forEach((l) => l(JSON.parse(String(m.data)) as WorkbenchEvent));
    socket.onclose = () => {
      // the server is down (retry), or it came back with a new session token (say so; retrying cannot help)
      void fetch('/api/model', { method: 'POST', headers: { 'content-type': 'application/json', 'x-pdw-token': token }, body: '{}' }).then(
        (res) => {
          if (res.status === 401) problem(unauthorized);
          else {
            problem('Lost the live connection to the workbench server; retrying…');
            setTimeout(connect, 2000);
          }
        },
        () => {
          problem('The workbench server is not answering (was `pdw serve` stopped?); retrying…');
          setTimeout(connect, 2000);
        },
      );
    };
    socket.onopen = () => problem(null);
  };
  connect();
  return {
    api,
    kind: 'browser',
    onEvent: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    onProblem: (l) => problemListeners.push(l),
  };
}

export function createTransport(): Transport {
  const preload = window.api;
  if (preload) return { api: preload, kind: 'electron', onEvent: (l) => preload.onEvent(l), onProblem: () => undefined };
  return browserTransport();
}
