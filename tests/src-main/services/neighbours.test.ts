// The training compositions nearest to a candidate: the element mover's distance on Pettifor's
// Mendeleev scale, by hand on small compositions, then on the default model's real training data.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFormulaOrThrow } from '../../../shared/composition/parse.js';
import { loadElementTable } from '../../../src-main/data/elements/load.js';
import { resourcesDir } from '../../../src-main/data/paths.js';
import { readModelCard } from '../../../src-main/engine/model/bundle.js';
import { atomicFractions, elementMoversDistance, onScale } from '../../../src-main/services/composition-distance.js';
import { mendeleevPosition, TrainingNeighbours } from '../../../src-main/services/neighbours.js';

const table = loadElementTable();
const position = mendeleevPosition(table);
const scaled = (formula: string): ReturnType<typeof onScale> => onScale(atomicFractions(parseFormulaOrThrow(formula)), position);

describe("the element mover's distance", () => {
  it('reads the Mendeleev numbers of the element table', () => {
    expect(['Cs', 'Rb', 'Ba', 'Pb', 'Sn', 'Ge', 'I', 'Br'].map(position)).toEqual([8, 9, 14, 82, 83, 84, 97, 98]);
    expect(table.get('Og').mendeleevNumber).toBeNull(); // no source gives one
    expect(position('Og')).toBe(118); // so its atomic number places it past the scale's end (103)
  });

  it('moves the changed fraction along the scale: a near substitution is close, a far one far', () => {
    const cssni3 = scaled('CsSnI3');
    expect(elementMoversDistance(cssni3, cssni3)).toBe(0);
    expect(elementMoversDistance(cssni3, scaled('CsPbI3'))).toBeCloseTo(0.2, 12); // 0.2 of the atoms, one step
    expect(elementMoversDistance(cssni3, scaled('CsBaI3'))).toBeCloseTo(0.2 * 69, 12); // Sn 83 -> Ba 14
    expect(elementMoversDistance(cssni3, scaled('CsSnBr3'))).toBeCloseTo(0.6, 12); // all the iodide, one step
    expect(elementMoversDistance(scaled('CsSnBr3'), cssni3)).toBeCloseTo(0.6, 12); // symmetric
    // half the tin to lead and half to germanium: 0.1 of the atoms one step down, 0.1 one step up
    expect(elementMoversDistance(cssni3, scaled('CsPb0.5Ge0.5I3'))).toBeCloseTo(0.2, 12);
    // Cs2SnI6 against CsSnI3: fractions 2/9, 1/9, 6/9 against 1/5, 1/5, 3/5 on positions 8, 83, 97
    const carried = [2 / 9 - 1 / 5, 3 / 9 - 2 / 5];
    expect(elementMoversDistance(scaled('Cs2SnI6'), cssni3)).toBeCloseTo(Math.abs(carried[0]!) * 75 + Math.abs(carried[1]!) * 14, 9); // the parser rounds fractions to 12 digits
  });

  it('is 0 between two empty compositions', () => {
    const empty = onScale(new Map(), position);
    expect(elementMoversDistance(empty, empty)).toBe(0);
  });
});

describe('the nearest training compositions', () => {
  it("of CsSnI3 under the default model are itself, then its one-step substitutions, before the L1 distance's ties", () => {
    const card = readModelCard(join(resourcesDir(), 'models', 'default'));
    const asked: string[][] = [];
    // a stand-in for the model's gap: each composition's element count, so the order of the answers shows
    const nearest = new TrainingNeighbours(table).nearest(card, parseFormulaOrThrow('CsSnI3'), (compositions) => {
      asked.push(compositions.map((c) => c.elements.map((e) => e.element).join(' ')));
      return compositions.map((c) => c.elements.length);
    });
    expect(asked).toHaveLength(1); // one batch for the six
    expect(nearest.map((n) => n.predictedGap)).toEqual(asked[0]!.map((c) => c.split(' ').length));
    expect(nearest).toHaveLength(6);
    expect(nearest[0]).toMatchObject({ distance: 0, bandGap: expect.any(Number) });
    expect(parseFormulaOrThrow(nearest[0]!.formula).elements.map((e) => e.element).sort()).toEqual(['Cs', 'I', 'Sn']);
    // Pb, Ge (B site) and Rb (A site) are one step from Sn and Cs: 0.2 each, where L1 ranked CsAuI3, CsBaI3, ... first
    const oneStep = nearest.filter((n) => Math.abs(n.distance - 0.2) < 1e-9).map((n) => parseFormulaOrThrow(n.formula).elements.map((e) => e.element).sort().join(' '));
    expect(oneStep).toEqual(expect.arrayContaining(['Cs I Pb', 'Cs Ge I', 'I Rb Sn']));
    expect(nearest.every((n, i) => i === 0 || n.distance >= nearest[i - 1]!.distance - 1e-12)).toBe(true);
    expect(nearest.map((n) => n.formula)).not.toContain('CsBaI3');
  });
});
