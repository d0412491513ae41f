/**
 * Electron main process: one window, locked down (context isolation, sandbox, no Node in the
 * renderer, CSP from the page, no navigation or new windows), one IPC gateway that checks the sender
 * and validates every payload, and the services in a utility process so this process never blocks.
 * This file cannot run on machines without Electron's binary (`npm start` falls back to the browser).
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, ipcMain, net, protocol, session, utilityProcess, type UtilityProcess } from 'electron';
import { CHANNELS } from '../../shared/api/contract.js';
import { projectRoot, rendererDir } from '../data/paths.js';
import { APP_INDEX_URL, checkInvoke, EngineCalls, EVENT_CHANNEL, INVOKE_CHANNEL, isAllowedNavigation, rendererFileFor, type EngineMessage } from './gateway.js';

const root = projectRoot();
const indexUrl = APP_INDEX_URL;
// the renderer is served from app://pdw/, a standard secure scheme (not file://, whose pages share one origin)
protocol.registerSchemesAsPrivileged([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
let engine: UtilityProcess | null = null;
let window: BrowserWindow | null = null;
let quitting = false;
const calls = new EngineCalls((message) => engine?.postMessage(message));
/** Restarts within this many seconds of each other count as a crash loop: stop restarting. */
const CRASH_LOOP_SECONDS = 10;
let lastStart = 0;

function startEngine(): void {
  lastStart = Date.now();
  engine = utilityProcess.fork(join(root, 'dist', 'src-main', 'electron', 'engine-process.js'), [], {
    env: { ...process.env, PDW_WORKSPACE: join(app.getPath('userData'), 'workspace') },
    serviceName: 'Perovskite Workbench engine',
  });
  engine.on('message', (msg: EngineMessage) => {
    const event = calls.receive(msg);
    if (event !== undefined) window?.webContents.send(EVENT_CHANNEL, event);
  });
  // a dead engine fails every pending call with a message, then restarts (unless it keeps dying)
  engine.on('exit', (code) => {
    engine = null;
    if (quitting) return;
    const restart = Date.now() - lastStart > CRASH_LOOP_SECONDS * 1000;
    calls.engineExited(code, restart);
    if (restart) startEngine();
  });
}

function createWindow(): void {
  window = new BrowserWindow({
    width: 1400,
    height: 950,
    title: 'Perovskite Workbench',
    webPreferences: {
      preload: join(root, 'dist', 'src-main', 'electron', 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      // middle-click opens no new window (electronegativity AUXCLICK_JS_CHECK)
      disableBlinkFeatures: 'Auxclick',
      additionalArguments: [`--pdw-channels=${CHANNELS.join(',')}`],
    },
  });
  window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  const guard = (event: { preventDefault(): void }, url: string): void => {
    if (!isAllowedNavigation(url)) event.preventDefault();
  };
  window.webContents.on('will-navigate', guard);
  window.webContents.on('will-redirect', guard);
  window.webContents.on('will-frame-navigate', (event) => guard(event, event.url));
  void window.loadURL(indexUrl);
  window.on('closed', () => (window = null));
}

void app.whenReady().then(() => {
  // no permission (camera, notifications, geolocation, ...) is ever granted to the page
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  protocol.handle('app', (request) => {
    const file = rendererFileFor(request.url, rendererDir());
    return file ? net.fetch(pathToFileURL(file).href) : new Response('not found', { status: 404 });
  });
  startEngine();
  ipcMain.handle(INVOKE_CHANNEL, (event, channel: unknown, payload: unknown) => {
    const { channel: c, request } = checkInvoke(event.senderFrame?.url, indexUrl, channel, payload);
    return calls.call(c, request);
  });
  createWindow();
});

app.on('web-contents-created', (_e, contents) => {
  contents.on('will-attach-webview', (event) => event.preventDefault());
});
app.on('window-all-closed', () => {
  quitting = true;
  engine?.kill();
  app.quit();
});
