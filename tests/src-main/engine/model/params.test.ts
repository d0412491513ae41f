import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../../src-main/engine/backend.js';
import { DEFAULT_MODEL_CONFIG } from '../../../../src-main/engine/model/config.js';
import { Params, paramSpecs } from '../../../../src-main/engine/model/params.js';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('Params.initialize from pretrained values', () => {
  it('copies parameters with the same name and size, and initializes the rest as without them', async () => {
    const specs = paramSpecs(DEFAULT_MODEL_CONFIG, 466);
    const plain = await Params.initialize(specs, 5).snapshot();
    const ff1 = new Float32Array(plain.get('layer0.ff1.w')!.length).fill(0.5);
    const from = new Map([
      ['layer0.ff1.w', ff1],
      ['trunk.dense.w', new Float32Array(3)], // wrong size: ignored
      ['head.formation_energy.w', new Float32Array(64)], // not in this model: ignored
    ]);
    const tuned = await Params.initialize(specs, 5, from).snapshot();
    expect(tuned.get('layer0.ff1.w')).toEqual(ff1);
    for (const [name, values] of plain) if (name !== 'layer0.ff1.w') expect(tuned.get(name), name).toEqual(values);
  });
});
