/** Starting the engine's runtime (the TensorFlow.js backend ladder) for an adapter. */
export { describeBackend, initBackend as startRuntime, type BackendInfo } from '../engine/backend.js';
export { BACKEND_NAMES, type BackendName } from '../../shared/api/runtime.js';
