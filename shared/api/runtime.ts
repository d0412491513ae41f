/** Names both processes use for the engine's runtime and a screen's life cycle. */

/** TensorFlow.js backend ladder, fastest first. */
export const BACKEND_NAMES = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export function isBackendName(value: string): value is BackendName {
  return (BACKEND_NAMES as readonly string[]).includes(value);
}

export const SCREEN_STATUSES = ['pending', 'running', 'cancelled', 'done', 'failed'] as const;
export type ScreenStatus = (typeof SCREEN_STATUSES)[number];

export type TrainingStatus = 'running' | 'done' | 'cancelled' | 'failed';
