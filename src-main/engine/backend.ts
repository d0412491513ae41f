/**
 * TensorFlow.js backend ladder: tfjs-node-gpu (CUDA) -> tfjs-node (native CPU) -> wasm (SIMD) -> cpu.
 * The first that loads wins, unless a backend is requested by flag or $PDW_BACKEND. The native
 * packages are optional dependencies: where libtensorflow could not be downloaded they are absent.
 */
import * as tf from '@tensorflow/tfjs';
import { BACKEND_NAMES, isBackendName, type BackendName } from '../../shared/api/runtime.js';

export const BACKEND_ENV = 'PDW_BACKEND';
export { BACKEND_NAMES, type BackendName } from '../../shared/api/runtime.js';

export interface BackendInfo {
  /** Ladder name of the backend in use. */
  readonly name: BackendName;
  /** tfjs's own name for it (tfjs-node and tfjs-node-gpu both register 'tensorflow'). */
  readonly tfName: string;
  /** Why earlier rungs were skipped. */
  readonly skipped: readonly string[];
}

async function tryNative(pkg: string): Promise<string | null> {
  try {
    await import(pkg);
    return null;
  } catch (e) {
    return `${pkg} not available (${(e as Error).message.split('\n')[0]})`;
  }
}

async function activate(name: BackendName): Promise<string | null> {
  switch (name) {
    case 'tensorflow-gpu':
    case 'tensorflow': {
      const why = await tryNative(name === 'tensorflow-gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node');
      if (why) return why;
      return (await tf.setBackend('tensorflow')) ? null : 'tfjs could not start the tensorflow backend';
    }
    case 'wasm': {
      try {
        await import('@tensorflow/tfjs-backend-wasm');
      } catch (e) {
        return `@tensorflow/tfjs-backend-wasm failed to load (${(e as Error).message})`;
      }
      return (await tf.setBackend('wasm')) ? null : 'the wasm backend failed to initialize';
    }
    case 'cpu':
      return (await tf.setBackend('cpu')) ? null : 'the cpu backend failed to initialize';
  }
}

let current: BackendInfo | undefined;

export function parseBackendName(value: string): BackendName {
  if (isBackendName(value)) return value;
  throw new Error(`unknown backend '${value}' (choose ${BACKEND_NAMES.join(', ')})`);
}

/**
 * Starts the first backend of the ladder that loads, or exactly `requested` (flag, else $PDW_BACKEND);
 * a requested backend that cannot start is an error, not a silent fallback.
 */
export async function initBackend(requested?: string, env: NodeJS.ProcessEnv = process.env): Promise<BackendInfo> {
  const wanted = requested ?? env[BACKEND_ENV];
  if (current && (wanted === undefined || wanted === current.name)) return current;
  const skipped: string[] = [];
  const ladder: readonly BackendName[] = wanted ? [parseBackendName(wanted)] : BACKEND_NAMES;
  for (const name of ladder) {
    const why = await activate(name);
    if (why === null) {
      await tf.ready();
      current = { name, tfName: tf.getBackend(), skipped };
      return current;
    }
    skipped.push(`${name}: ${why}`);
  }
  throw new Error(`no TensorFlow.js backend could start: ${skipped.join('; ')}`);
}

export function describeBackend(info: BackendInfo): string {
  return info.skipped.length ? `${info.name} (skipped ${info.skipped.map((s) => s.split(':')[0]).join(', ')})` : info.name;
}
