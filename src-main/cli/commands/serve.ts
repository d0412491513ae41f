/** `pdw serve`: the workbench in a browser, on 127.0.0.1 with a session token. */
import type { Command } from 'commander';
import { rendererDir } from '../../data/paths.js';
import { startServer } from '../../server/server.js';
import { bootWorkbench } from '../../services/workbench.js';
import { positiveInt } from '../options.js';

export interface ServeOptions {
  port?: number;
  workspace: string;
  model?: string;
  backend?: string;
}

export async function serve(opts: ServeOptions, why?: string): Promise<void> {
  const { workbench, backend } = await bootWorkbench({ workspace: opts.workspace, ...(opts.model ? { model: opts.model } : {}), ...(opts.backend ? { backend: opts.backend } : {}) });
  const server = await startServer(workbench, { ...(opts.port ? { port: opts.port } : {}), staticDir: rendererDir() });
  if (why) console.log(why);
  console.log(`Perovskite Workbench is running (backend ${backend}, workspace ${opts.workspace}).`);
  console.log(`Open this address in a browser (it carries the session token):\n\n  ${server.url}\n`);
  console.log('Press Ctrl-C to stop.');
  const stop = (): void => {
    void server
      .close()
      .then(() => workbench.close())
      .finally(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve the workbench UI to a browser on 127.0.0.1 (with a session token)')
    .option('--port <n>', 'port (default: a free one)', positiveInt)
    .option('--workspace <dir>', 'folder for the library and trained models', 'workspace')
    .option('--model <dir>', 'model folder (default: resources/models/default)')
    .option('--backend <name>', 'tensorflow-gpu | tensorflow | wasm | cpu')
    .action(async (opts: ServeOptions) => serve(opts));
}
