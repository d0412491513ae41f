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

/** True when the calling frame is the workbench's own page (file:// URL of dist-renderer/index.html). */
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
