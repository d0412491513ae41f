/**
 * Electron utility process: hosts the workbench's services (engine, library, screens, training)
 * off the main process, which only routes messages. Requests arrive already validated by the gateway.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Channel } from '../../shared/api/contract.js';
import { loadElementTable } from '../data/elements/load.js';
import { resourcesDir } from '../data/paths.js';
import { initBackend } from '../engine/backend.js';
import { Workbench } from '../services/workbench.js';

interface ParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}
const port = (process as unknown as { parentPort: ParentPort }).parentPort;
const workspace = process.env['PDW_WORKSPACE'] ?? join(process.cwd(), 'workspace');
mkdirSync(workspace, { recursive: true });
const backend = await initBackend();
const workbench = new Workbench({
  table: loadElementTable(),
  libraryFile: join(workspace, 'library.sqlite'),
  modelDir: join(resourcesDir(), 'models', 'default'),
  workspaceDir: workspace,
  backend: backend.name,
});
workbench.events.on('event', (event) => port.postMessage({ type: 'event', event }));
port.on('message', ({ data }) => {
  const { id, channel, request } = data as { id: number; channel: Channel; request: never };
  workbench.handle(channel, request).then(
    (result) => port.postMessage({ type: 'reply', id, result }),
    (e: Error) => port.postMessage({ type: 'reply', id, error: e.message }),
  );
});
port.postMessage({ type: 'ready', backend: backend.name });
