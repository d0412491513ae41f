/**
 * Electron utility process: hosts the workbench's services (engine, library, screens, training)
 * off the main process, which only routes messages. Requests arrive already validated by the gateway.
 */
import { join } from 'node:path';
import type { Channel } from '../../shared/api/contract.js';
import { bootWorkbench } from '../services/workbench.js';

interface ParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}
const port = (process as unknown as { parentPort: ParentPort }).parentPort;
const { workbench, backend } = await bootWorkbench({ workspace: process.env['PDW_WORKSPACE'] ?? join(process.cwd(), 'workspace') });
workbench.events.on('event', (event) => port.postMessage({ type: 'event', event }));
port.on('message', ({ data }) => {
  const { id, channel, request } = data as { id: number; channel: Channel; request: never };
  workbench.handle(channel, request).then(
    (result) => port.postMessage({ type: 'reply', id, result }),
    (e: Error) => port.postMessage({ type: 'reply', id, error: e.message }),
  );
});
port.postMessage({ type: 'ready', backend });
