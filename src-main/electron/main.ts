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
import { checkInvoke, EVENT_CHANNEL, INVOKE_CHANNEL } from './gateway.js';

const root = projectRoot();
const indexFile = join(root, 'dist-renderer', 'index.html');
const indexUrl = pathToFileURL(indexFile).href;
let engine: UtilityProcess;
let window: BrowserWindow | null = null;
let nextId = 1;
const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

function startEngine(): void {
  engine = utilityProcess.fork(join(root, 'dist', 'src-main', 'electron', 'engine-process.js'), [], {
    env: { ...process.env, PDW_WORKSPACE: join(app.getPath('userData'), 'workspace') },
    serviceName: 'Perovskite Workbench engine',
  });
  engine.on('message', (msg: { type: string; id?: number; result?: unknown; error?: string; event?: unknown }) => {
    if (msg.type === 'event') window?.webContents.send(EVENT_CHANNEL, msg.event);
    if (msg.type === 'reply' && msg.id !== undefined) {
      const p = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.error !== undefined) p?.reject(new Error(msg.error));
      else p?.resolve(msg.result);
    }
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
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      engine.postMessage({ id, channel: c, request });
    });
  });
  createWindow();
});

app.on('web-contents-created', (_e, contents) => {
  contents.on('will-attach-webview', (event) => event.preventDefault());
});
app.on('window-all-closed', () => {
  engine?.kill();
  app.quit();
});
