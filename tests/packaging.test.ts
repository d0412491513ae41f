// The packaged app's layout, checked without Electron's binary (which cannot be downloaded here):
// electron-builder.yml ships what the app loads, and the paths the packaged app resolves point there.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { projectRoot, rendererDir, resourcesDir } from '../src-main/data/paths.js';

const root = projectRoot();
const config = parse(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as {
  files: string[];
  extraResources: { from: string; to: string }[];
  afterPack: string;
  asarUnpack: string[];
};

/** Whether a path relative to the project root is matched by one of the `files` globs (dir/** or exact). */
function shipped(path: string): boolean {
  return config.files.some((g) => (g.endsWith('/**') ? path.startsWith(`${g.slice(0, -3)}/`) : g === path));
}

describe('the packaged app', () => {
  it('ships the compiled code, the built renderer and the entry points the app starts', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string };
    for (const file of [pkg.main, 'dist/src-main/electron/preload.cjs', 'dist/src-main/electron/engine-process.js', 'dist/src-main/screen/predict-worker.js', 'dist/src-main/screen/enumerate-worker.js', 'dist-renderer/index.html', 'package.json']) {
      expect(existsSync(join(root, file)), `${file} exists after setup`).toBe(true);
      expect(shipped(file), `${file} is in electron-builder's files`).toBe(true);
    }
    expect(rendererDir()).toBe(join(root, 'dist-renderer'));
  });

  it('puts resources/ beside the archive, where the packaged app looks for it', () => {
    expect(config.extraResources).toContainEqual(expect.objectContaining({ from: 'resources', to: 'resources' }));
    const resourcesPath = mkdtempSync(join(tmpdir(), 'pdw-packaged-'));
    try {
      expect(resourcesDir(resourcesPath)).toBe(join(root, 'resources')); // nothing there yet: the checkout's
      mkdirSync(join(resourcesPath, 'resources', 'models'), { recursive: true });
      expect(resourcesDir(resourcesPath)).toBe(join(resourcesPath, 'resources'));
    } finally {
      rmSync(resourcesPath, { recursive: true, force: true });
    }
  });

  it('flips the fuses after packing: no RunAsNode, no inspect flags, app only from its checked archive', () => {
    expect(config.afterPack).toBe('scripts/electron-after-pack.cjs');
    const hook = createRequire(import.meta.url)(join(root, config.afterPack)) as { FUSES: Record<string, boolean>; default: unknown };
    expect(hook.FUSES).toMatchObject({ RunAsNode: false, EnableNodeCliInspectArguments: false, EnableNodeOptionsEnvironmentVariable: false, EnableCookieEncryption: true, OnlyLoadAppFromAsar: true });
    expect(typeof hook.default).toBe('function');
  });
});
