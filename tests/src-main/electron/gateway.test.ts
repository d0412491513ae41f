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

describe('engine calls', () => {
  it('a killed engine process fails every pending call with a message, and later calls until it is ready again', async () => {
    const { spawn } = await import('node:child_process');
    const { EngineCalls } = await import('../../../src-main/electron/gateway.js');
    // a real process standing in for the engine: it receives calls and never answers
    const child = spawn(process.execPath, ['-e', "process.on('message', () => undefined)"], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
    const calls = new EngineCalls((m) => {
      if (child.connected) child.send(m);
    });
    const pending = [calls.call('count', {}), calls.call('screens', {})];
    expect(calls.inFlight).toBe(2);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGKILL');
    calls.engineExited(await exited, true);
    for (const p of pending) await expect(p).rejects.toThrow(/the workbench engine stopped \(exit code unknown\); it is restarting/);
    expect(calls.inFlight).toBe(0);
    await expect(calls.call('count', {})).rejects.toThrow(/engine stopped/);
    calls.receive({ type: 'ready', backend: 'wasm' });
    const answered = calls.call('model', {});
    calls.receive({ type: 'reply', id: 3, result: null }); // refused calls take no id
    await expect(answered).resolves.toBeNull();
  });
});

describe('the app:// protocol and navigation', () => {
  it('serves only files inside the renderer folder', async () => {
    const { rendererFileFor } = await import('../../../src-main/electron/gateway.js');
    expect(rendererFileFor('app://pdw/index.html', '/opt/pdw/dist-renderer')).toBe('/opt/pdw/dist-renderer/index.html');
    expect(rendererFileFor('app://pdw/', '/opt/pdw/dist-renderer/')).toBe('/opt/pdw/dist-renderer/index.html');
    expect(rendererFileFor('app://pdw/assets/app.js?v=1', '/opt/pdw/dist-renderer')).toBe('/opt/pdw/dist-renderer/assets/app.js');
    for (const bad of ['app://pdw/a%00.js', 'app://pdw/%zz', 'app://other/index.html', 'file:///etc/passwd', 'not a url', 'app://pdw/..%2f..%2fetc%2fpasswd']) {
      expect(rendererFileFor(bad, '/opt/pdw/dist-renderer'), bad).toBeNull();
    }
    // dot segments are resolved by the URL parser before the path is read: they cannot leave the folder
    for (const traversal of ['app://pdw/../secret', 'app://pdw/%2e%2e/%2e%2e/etc/passwd', 'app://pdw/a/../../../b']) {
      expect(rendererFileFor(traversal, '/opt/pdw/dist-renderer')!.startsWith('/opt/pdw/dist-renderer/'), traversal).toBe(true);
    }
  });

  it('allows navigation only within the app page', async () => {
    const { isAllowedNavigation } = await import('../../../src-main/electron/gateway.js');
    expect(isAllowedNavigation('app://pdw/index.html#/results')).toBe(true);
    expect(isAllowedNavigation('https://evil.example/')).toBe(false);
    expect(isAllowedNavigation('file:///opt/pdw/dist-renderer/index.html')).toBe(false);
  });
});
