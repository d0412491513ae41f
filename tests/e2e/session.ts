// One browser session against the real server and services, for the end-to-end suites.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { loadElementTable } from '../../src-main/data/elements/load.js';
import { projectRoot } from '../../src-main/data/paths.js';
import { initBackend } from '../../src-main/engine/backend.js';
import { startServer, type RunningServer } from '../../src-main/server/server.js';
import { Workbench } from '../../src-main/services/workbench.js';

const CHROMIUM = '/usr/bin/chromium';

/** Where the suites write their screenshots (look at them); made when a session opens. */
export const ARTIFACTS = join(projectRoot(), 'test-artifacts');

/** The committed default model, for `openSession`. */
export const defaultModel = (): string => join(projectRoot(), 'resources', 'models', 'default');

export interface Session {
  readonly workspace: string;
  readonly server: RunningServer;
  readonly workbench: Workbench;
  readonly browser: Browser;
  readonly page: Page;
  close(): Promise<void>;
}

/** Starts the workbench (with `modelDir`) in a fresh workspace and opens Debian's chromium on it. */
export async function openSession(modelDir: (workspace: string) => string): Promise<Session> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const workspace = mkdtempSync(join(tmpdir(), 'pdw-e2e-'));
  const backend = await initBackend('wasm');
  const workbench = new Workbench({ table: loadElementTable(), libraryFile: join(workspace, 'library.sqlite'), modelDir: modelDir(workspace), workspaceDir: workspace, backend: backend.name, workers: 1 });
  const server = await startServer(workbench, { staticDir: join(projectRoot(), 'dist-renderer') });
  if (!existsSync(CHROMIUM)) {
    throw new Error(`the browser tests drive Debian's chromium at ${CHROMIUM}, which is not installed: run 'sudo apt-get install chromium' (.ci/run does)`);
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  const context = await browser.newContext({ viewport: { width: 1400, height: 950 }, acceptDownloads: true });
  const page = await context.newPage();
  page.on('pageerror', (e) => {
    throw e;
  });
  return {
    workspace,
    server,
    workbench,
    browser,
    page,
    close: async () => {
      await browser.close();
      await server.close().catch(() => undefined);
      await workbench.close();
      rmSync(workspace, { recursive: true, force: true });
    },
  };
}

/**
 * The session of a suite: opened before its tests (with `modelDir`), closed after them. The object
 * answers for the session once it is open.
 */
export function suiteSession(modelDir: (workspace: string) => string = defaultModel): Session {
  let opened: Session | undefined;
  beforeAll(async () => {
    opened = await openSession(modelDir);
  }, 120_000);
  afterAll(async () => {
    await opened?.close();
  });
  const get = (): Session => {
    if (!opened) throw new Error('the session opens before the suite\'s tests (beforeAll)');
    return opened;
  };
  return {
    get workspace() { return get().workspace; },
    get server() { return get().server; },
    get workbench() { return get().workbench; },
    get browser() { return get().browser; },
    get page() { return get().page; },
    close: () => get().close(),
  };
}
