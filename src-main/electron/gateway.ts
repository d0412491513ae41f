/**
 * The one IPC gateway's checks, kept free of Electron so they are unit-tested: who may call (only our
 * own renderer page) and what (a known channel with a request that passes the contract's schema).
 */
import { isChannel, validateRequest, type Channel } from '../../shared/api/contract.js';

export const INVOKE_CHANNEL = 'pdw:invoke';
export const EVENT_CHANNEL = 'pdw:event';

export class GatewayError extends Error {
  override name = 'GatewayError';
}

/** The renderer's origin: served by the app:// protocol handler, never from file:// (see main.ts). */
export const APP_ORIGIN = 'app://pdw';
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

/**
 * The file under `rendererDir` that an app:// request asks for, or null for anything else (another
 * host, a path that leaves the folder, a NUL, a malformed escape): the protocol handler answers 404.
 */
export function rendererFileFor(requestUrl: string, rendererDir: string): string | null {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return null;
  }
  if (url.protocol !== 'app:' || url.host !== 'pdw') return null;
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return null;
  }
  if (path.includes('\0') || path.split('/').includes('..')) return null;
  const rel = path === '/' ? 'index.html' : path.replace(/^\/+/, '');
  const root = rendererDir.replace(/[\\/]+$/, '');
  const file = `${root}/${rel}`;
  return file.startsWith(`${root}/`) ? file : null;
}

/** Navigation the window may do: only within the app's own page (hash changes); everything else is refused. */
export function isAllowedNavigation(url: string): boolean {
  return url.split('#')[0] === APP_INDEX_URL;
}

/** True when the calling frame is the workbench's own page (app://pdw/index.html). */
export function isTrustedSender(frameUrl: string | undefined, rendererIndexUrl: string): boolean {
  if (!frameUrl) return false;
  const strip = (u: string): string => u.split('#')[0]!.split('?')[0]!;
  return strip(frameUrl) === strip(rendererIndexUrl);
}

/** Checks an invoke call; returns the channel and the validated request or throws GatewayError. */
export function checkInvoke(frameUrl: string | undefined, rendererIndexUrl: string, channel: unknown, payload: unknown): { channel: Channel; request: unknown } {
  if (!isTrustedSender(frameUrl, rendererIndexUrl)) throw new GatewayError(`refused an IPC call from ${frameUrl ?? 'an unknown frame'}`);
  if (typeof channel !== 'string' || !isChannel(channel)) throw new GatewayError(`no API channel '${String(channel)}'`);
  try {
    return { channel, request: validateRequest(channel, payload) };
  } catch (e) {
    throw new GatewayError((e as Error).message);
  }
}

/** A message from the engine process. */
export type EngineMessage =
  | { readonly type: 'ready'; readonly backend: string }
  | { readonly type: 'event'; readonly event: unknown }
  | { readonly type: 'reply'; readonly id: number; readonly result?: unknown; readonly error?: string };

/**
 * Calls in flight to the engine process. When the engine dies, every pending call fails at once with
 * a message saying so (nothing waits forever), and calls made while it restarts fail the same way.
 */
export class EngineCalls {
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private down: string | null = null;

  constructor(private readonly post: (message: { id: number; channel: string; request: unknown }) => void) {}

  call(channel: string, request: unknown): Promise<unknown> {
    if (this.down) return Promise.reject(new Error(this.down));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      try {
        this.post({ id, channel, request });
      } catch (e) {
        this.pending.delete(id);
        reject(new Error(`could not reach the workbench engine: ${(e as Error).message}`));
      }
    });
  }

  /** Routes a reply to its call; returns the event payload of an event message, else undefined. */
  receive(message: EngineMessage): unknown {
    if (message.type === 'ready') this.down = null;
    if (message.type === 'event') return message.event;
    if (message.type === 'reply') {
      const p = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error !== undefined) p?.reject(new Error(message.error));
      else p?.resolve(message.result);
    }
    return undefined;
  }

  /** The engine process exited: fail every pending call and refuse new ones until it is ready again. */
  engineExited(code: number | null, restarting: boolean): void {
    this.down = `the workbench engine stopped (exit code ${code ?? 'unknown'})${restarting ? '; it is restarting, try again in a moment' : '; restart the application'}`;
    for (const p of this.pending.values()) p.reject(new Error(this.down));
    this.pending.clear();
  }

  get inFlight(): number {
    return this.pending.size;
  }
}
