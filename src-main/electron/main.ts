/**
 * Electron main process: one window, locked down (context isolation, sandbox, no Node in the
 * renderer, CSP from the page, no navigation or new windows), one IPC gateway that checks the sender
 * and validates every payload, and the services in a utility process so this process never blocks.
 * This file cannot run on machines without Electron's binary (`npm start` falls back to the browser).
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, ipcMain, utilityProcess, type UtilityProcess } from 'electron';
import { CHANNELS } from '../../shared/api/contract.js';
import { projectRoot } from '../data/paths.js';
import { checkInvoke, EngineCalls, EVENT_CHANNEL, INVOKE_CHANNEL, type EngineMessage } from './gateway.js';

const root = projectRoot();
const indexFile = join(root, 'dist-renderer', 'index.html');
const indexUrl = pathToFileURL(indexFile).href;
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
      additionalArguments: [`--pdw-channels=${CHANNELS.join(',')}`],
    },
  });
  window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  window.webContents.on('will-navigate', (event, url) => {
    if (url !== indexUrl) event.preventDefault();
  });
  void window.loadFile(indexFile);
  window.on('closed', () => (window = null));
}

void app.whenReady().then(() => {
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
