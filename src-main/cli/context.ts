/** What several commands need: the element table and the model store, made once per command. */
import { loadElementTable, type ElementTable } from '../data/elements/load.js';
import { defaultModelDir, ModelStore } from '../services/models.js';
import { describeBackend, startRuntime, type BackendInfo } from '../services/runtime.js';

export interface CliContext {
  readonly table: ElementTable;
  readonly models: ModelStore;
  readonly backend: BackendInfo;
  readonly backendText: string;
}

/** Starts the runtime (backend flag or $PDW_BACKEND) and loads the element table; `model` is the active model. */
export async function cliContext(backend: string | undefined, model?: string): Promise<CliContext> {
  const info = await startRuntime(backend);
  const table = loadElementTable();
  return { table, models: new ModelStore(table, model ?? defaultModelDir()), backend: info, backendText: describeBackend(info) };
}
