import { describe, expect, it } from 'vitest';
import { parseFormulaOrThrow } from '../../../../shared/index.js';
import { loadElementTable } from '../../../../src-main/data/elements/load.js';
import {
  ATTRIBUTE_NAMES,
  Featurizer,
  FeaturizeError,
  computeAttributeStats,
  defaultFeaturizerSettings,
  fractionEncodingParts,
  type AttributeStats,
} from '../../../../src-main/engine/featurize/index.js';

const table = loadElementTable();
// Identity statistics leave attributes raw, so golden values can be read off the source tables.
const identity: AttributeStats = { names: [...ATTRIBUTE_NAMES], mean: ATTRIBUTE_NAMES.map(() => 0), std: ATTRIBUTE_NAMES.map(() => 1) };
const raw = new Featurizer(table, { maxElements: 6, fractionWidth: 256, attributeStats: identity });
const W = 466;
const ATTR = 200;
const FRAC = 210;

function row(values: Float32Array, r: number): Float32Array {
  return values.subarray(r * W, (r + 1) * W);
}

describe('EDM golden values (checked by hand against periodic_table.json and mat2vec.csv)', () => {
  const edm = raw.featurize(parseFormulaOrThrow('BaTiO3'));

  it('BaTiO3: 6 x 466, rows ordered by fraction then electronegativity, padding masked', () => {
    expect(edm.rows).toBe(6);
    expect(edm.width).toBe(W);
    expect(edm.elements).toEqual(['O', 'Ba', 'Ti']);
    expect(edm.fractions).toEqual([0.6, 0.2, 0.2]);
    expect(Array.from(edm.mask)).toEqual([1, 1, 1, 0, 0, 0]);
    for (let r = 3; r < 6; r += 1) expect(row(edm.values, r).every((v) => v === 0)).toBe(true);
  });

  it('BaTiO3: mat2vec columns', () => {
    expect(row(edm.values, 0)[0]).toBeCloseTo(-0.010822429321706295, 6); // O, dim 0
    expect(row(edm.values, 0)[199]).toBeCloseTo(-0.03610078617930412, 6); // O, dim 199
    expect(row(edm.values, 1)[0]).toBeCloseTo(-0.1075858399271965, 6); // Ba
    expect(row(edm.values, 2)[199]).toBeCloseTo(0.14936169981956482, 6); // Ti
  });

  it('BaTiO3: the 10 attributes', () => {
    const attrs = (r: number): number[] => Array.from(row(edm.values, r).subarray(ATTR, ATTR + 10));
    const close = (got: number[], want: number[]): void => got.forEach((g, i) => expect(g).toBeCloseTo(want[i]!, 5));
    // Z, mass, Pauling X, atomic radius, mean ionic radius, group, row, metal, transition metal, metalloid
    close(attrs(0), [8, 15.9994, 3.44, 0.6, 1.26, 16, 2, 0, 0, 0]);
    close(attrs(1), [56, 137.327, 0.89, 2.15, 1.49, 2, 6, 1, 0, 0]);
    close(attrs(2), [22, 47.867, 1.54, 1.4, (1.0 + 0.81 + 0.745) / 3, 4, 4, 1, 1, 0]);
  });

  it('BaTiO3: fraction encoding on linear, log and sqrt scales', () => {
    const parts = fractionEncodingParts(256);
    expect(parts).toEqual({ linear: 88, log: 84, sqrt: 84 });
    const o = row(edm.values, 0);
    expect(o[FRAC]).toBeCloseTo(Math.sin(0.6), 6); // linear, lowest frequency (omega 1)
    expect(o[FRAC + 1]).toBeCloseTo(Math.cos(0.6), 6);
    expect(o[FRAC + 86]).toBeCloseTo(Math.sin(0.6 * 1000), 4); // linear, highest frequency (omega 1000)
    expect(o[FRAC + 87]).toBeCloseTo(Math.cos(0.6 * 1000), 4);
    expect(o[FRAC + 88]).toBeCloseTo(Math.sin(1 + Math.log10(0.6) / 4), 6); // log scale
    expect(o[FRAC + 88 + 84]).toBeCloseTo(Math.sin(Math.sqrt(0.6)), 6); // sqrt scale
    // Ba and Ti share a fraction, so their encodings are equal
    expect(Array.from(row(edm.values, 1).subarray(FRAC))).toEqual(Array.from(row(edm.values, 2).subarray(FRAC)));
  });

  it('Al2O3: O (0.6) then Al (0.4), values from the tables', () => {
    const al2o3 = raw.featurize(parseFormulaOrThrow('Al2O3'));
    expect(al2o3.elements).toEqual(['O', 'Al']);
    const al = row(al2o3.values, 1);
    expect(al[0]).toBeCloseTo(-0.11151892691850662, 6);
    expect(al[199]).toBeCloseTo(-0.031933363527059555, 6);
    const want = [13, 26.9815386, 1.61, 1.25, 0.675, 13, 3, 1, 0, 0];
    want.forEach((v, i) => expect(al[ATTR + i]).toBeCloseTo(v, 5));
    expect(al[FRAC]).toBeCloseTo(Math.sin(0.4), 6);
    expect(al[FRAC + 88]).toBeCloseTo(Math.sin(1 + Math.log10(0.4) / 4), 6);
  });
});

describe('Featurizer behaviour', () => {
  const featurizer = new Featurizer(table, defaultFeaturizerSettings(table));

  it('standardizes attributes with the given statistics', () => {
    const stats = computeAttributeStats(table.elements);
    const ti = featurizer.featurize(parseFormulaOrThrow('TiO2'));
    const tiRow = row(ti.values, 1);
    expect(ti.elements[1]).toBe('Ti');
    expect(tiRow[ATTR + 2]).toBeCloseTo((1.54 - stats.mean[2]!) / stats.std[2]!, 5);
  });

  it('imputes a missing attribute at the mean (0 after standardizing)', () => {
    const edm = featurizer.featurize(parseFormulaOrThrow('XeF2'));
    const xe = row(edm.values, edm.elements.indexOf('Xe'));
    expect(xe[ATTR + 3]).toBe(0); // Xe has no atomic radius in the table
  });

  it('batch equals one-by-one, and repeated calls are identical', () => {
    const formulas = ['BaTiO3', 'CsPb(I0.5Br0.5)3', 'Cs2AgBiBr6', 'La0.7Sr0.3MnO3'];
    const comps = formulas.map((f) => parseFormulaOrThrow(f));
    const batch = featurizer.featurizeBatch(comps);
    expect(batch.count).toBe(4);
    comps.forEach((c, n) => {
      const one = featurizer.featurize(c);
      expect(Array.from(batch.features.subarray(n * 6 * W, (n + 1) * 6 * W))).toEqual(Array.from(one.values));
      expect(Array.from(batch.mask.subarray(n * 6, (n + 1) * 6))).toEqual(Array.from(one.mask));
    });
    expect(featurizer.featurizeBatch(comps).features).toEqual(batch.features);
    expect(Array.from(batch.atomicNumbers.subarray(0, 6))).toEqual([8, 56, 22, 0, 0, 0]);
  });

  it('row order does not depend on how the formula was written', () => {
    const a = featurizer.featurize(parseFormulaOrThrow('BaTiO3'));
    const b = featurizer.featurize(parseFormulaOrThrow('O3TiBa'));
    expect(b.elements).toEqual(a.elements);
    expect(b.values).toEqual(a.values);
  });

  it('honours maxElements and fractionWidth settings', () => {
    const small = new Featurizer(table, { ...featurizer.settings, maxElements: 3, fractionWidth: 12 });
    expect(small.width).toBe(222);
    expect(() => small.featurize(parseFormulaOrThrow('CsPb(I0.5Br0.5)3'))).toThrow(FeaturizeError);
    expect(() => new Featurizer(table, { ...featurizer.settings, fractionWidth: 7 })).toThrow(/even integer/);
  });
});
