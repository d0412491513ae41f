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
