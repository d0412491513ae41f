import { describe, expect, it } from 'vitest';
import { checkInvoke, GatewayError, isTrustedSender } from '../../../src-main/electron/gateway.js';

const index = 'file:///opt/pdw/dist-renderer/index.html';

describe('IPC gateway', () => {
  it('trusts only the workbench page', () => {
    expect(isTrustedSender(index, index)).toBe(true);
    expect(isTrustedSender(`${index}#results`, index)).toBe(true);
    expect(isTrustedSender('https://evil.example/', index)).toBe(false);
    expect(isTrustedSender('file:///tmp/other.html', index)).toBe(false);
    expect(isTrustedSender(undefined, index)).toBe(false);
  });

  it('refuses unknown senders, unknown channels and invalid payloads', () => {
    expect(() => checkInvoke('https://evil.example/', index, 'elements', {})).toThrow(GatewayError);
    expect(() => checkInvoke(index, index, 'deleteEverything', {})).toThrow(/no API channel 'deleteEverything'/);
    expect(() => checkInvoke(index, index, 'detail', { candidateId: -1 })).toThrow(/invalid request for 'detail': candidateId/);
    expect(checkInvoke(index, index, 'detail', { candidateId: 3 })).toEqual({ channel: 'detail', request: { candidateId: 3 } });
  });
});
