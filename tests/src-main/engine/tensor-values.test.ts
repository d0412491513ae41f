// Reading a tensor's values where they lie: a view of the wasm heap on wasm (no copy), a copy elsewhere.
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/engine/backend.js';
import { readFloats, wasmHeapView } from '../../../src-main/engine/tensor-values.js';

afterAll(async () => {
  await initBackend('wasm');
});

describe('readFloats', () => {
  it('on wasm, reads the tensor\'s own memory: its values, and no copy', async () => {
    await initBackend('wasm');
    const t = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
    const doubled = tf.mul(t, 2); // an op's output, as the search reads
    const seen = readFloats(doubled, (values) => {
      expect(values.buffer).toBe(wasmHeapView(doubled)!.buffer); // the heap's buffer, not a copy's
      return Array.from(values);
    });
    expect(seen).toEqual([2, 4, 6, 8, 10, 12]);
    const view = wasmHeapView(doubled);
    expect(view).not.toBeNull();
    const copy = doubled.dataSync();
    // the view is the heap itself: writing through it changes the tensor (a copy would not)
    view![0] = 42;
    expect(doubled.dataSync()[0]).toBe(42);
    expect(copy[0]).toBe(2);
    tf.dispose([t, doubled]);
  });

  it('on another backend, reads a copy; refuses a tensor that is not float32', async () => {
    await initBackend('cpu');
    const t = tf.tensor1d([1.5, -2]);
    expect(wasmHeapView(t)).toBeNull();
    expect(readFloats(t, (values) => Array.from(values))).toEqual([1.5, -2]);
    const ints = tf.tensor1d([1, 2], 'int32');
    expect(() => readFloats(ints, (values) => values.length)).toThrow(/int32 tensor \(float32 expected\)/);
    tf.dispose([t, ints]);
  });
});
