// Compositions packed for the prediction workers: what a worker unpacks is what the enumerator made.
import { describe, expect, it } from 'vitest';
import { compositionFromAmounts } from '../../../shared/composition/parse.js';
import type { Composition } from '../../../shared/index.js';
import { loadElementTable } from '../../../src-main/data/elements/load.js';
import { enumerateCandidates } from '../../../src-main/enumerate/enumerate.js';
import { packCompositions, unpackCompositions } from '../../../src-main/screen/protocol.js';
import { TRANSFER_SPACES } from '../../../src-main/services/distillation.js';

const table = loadElementTable();

describe('packCompositions / unpackCompositions', () => {
  it('give back every candidate\'s elements, amounts, fractions and total, in order, as computing them again from the amounts would', () => {
    for (const space of Object.values(TRANSFER_SPACES)) {
      const compositions: Composition[] = [];
      let seen = 0;
      for (const c of enumerateCandidates(table, space)) {
        if (seen++ % 37 === 0) compositions.push(c.composition); // mixed, doubles and hybrids along the space
        if (compositions.length === 2000) break;
      }
      const unpacked = unpackCompositions(packCompositions(compositions));
      expect(unpacked).toHaveLength(compositions.length);
      unpacked.forEach((u, i) => {
        const c = compositions[i]!;
        expect(u).toEqual({ elements: c.elements, totalAmount: c.totalAmount });
        expect(u).toEqual(compositionFromAmounts(c.elements.map((e) => [e.element, e.amount] as const)));
      });
    }
  });

  it('carries an empty batch', () => {
    expect(unpackCompositions(packCompositions([]))).toEqual([]);
  });
});
