/**
 * Preload (sandboxed, CommonJS): exposes one method per API channel through contextBridge. The
 * channel list comes from the contract via the window's additionalArguments, so this file holds no
 * copy of it; the renderer never sees ipcRenderer.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';

const INVOKE = 'pdw:invoke';
const EVENT = 'pdw:event';
const arg = process.argv.find((a) => a.startsWith('--pdw-channels='));
const channels = arg ? arg.slice('--pdw-channels='.length).split(',') : [];

const api: Record<string, unknown> = {};
for (const channel of channels) api[channel] = (request: unknown) => ipcRenderer.invoke(INVOKE, channel, request);
api['onEvent'] = (listener: (e: unknown) => void) => {
  const wrapped = (_e: IpcRendererEvent, event: unknown): void => listener(event);
  ipcRenderer.on(EVENT, wrapped);
  return () => ipcRenderer.off(EVENT, wrapped);
};
contextBridge.exposeInMainWorld('api', api);
