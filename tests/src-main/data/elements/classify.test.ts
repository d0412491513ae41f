import { describe, expect, it } from 'vitest';
import { atomicNumber } from '../../../../shared/index.js';
import { groupOf, isMetal, isMetalloid, isTransitionMetal, periodOf } from '../../../../src-main/data/elements/classify.js';

const z = (s: string): number => atomicNumber(s)!;

describe('group and period from atomic number', () => {
  it.each([
    ['H', 1, 1], ['He', 18, 1], ['Li', 1, 2], ['B', 13, 2], ['O', 16, 2], ['Ne', 18, 2],
    ['Na', 1, 3], ['Al', 13, 3], ['Cl', 17, 3], ['K', 1, 4], ['Sc', 3, 4], ['Ti', 4, 4], ['Zn', 12, 4],
    ['Ga', 13, 4], ['Kr', 18, 4], ['Sr', 2, 5], ['Y', 3, 5], ['Ag', 11, 5], ['I', 17, 5], ['Cs', 1, 6],
    ['Ba', 2, 6], ['La', 3, 6], ['Ce', 3, 6], ['Lu', 3, 6], ['Hf', 4, 6], ['Pb', 14, 6], ['Bi', 15, 6],
    ['Rn', 18, 6], ['Fr', 1, 7], ['Ac', 3, 7], ['U', 3, 7], ['Lr', 3, 7], ['Rf', 4, 7], ['Og', 18, 7],
  ])('%s: group %d, period %d', (symbol, group, period) => {
    expect(groupOf(z(symbol))).toBe(group);
    expect(periodOf(z(symbol))).toBe(period);
  });

  it('rejects atomic numbers outside 1..118', () => {
    expect(() => groupOf(0)).toThrow(/outside/);
    expect(() => periodOf(119)).toThrow(/outside/);
  });
});

describe('metal flags (pymatgen definitions)', () => {
  it.each([
    ['Ti', true, true, false], ['La', true, true, false], ['Ce', true, false, false], ['Zn', true, true, false],
    ['Pb', true, false, false], ['Cs', true, false, false], ['Si', false, false, true], ['Te', false, false, true],
    ['O', false, false, false], ['H', false, false, false], ['Al', true, false, false], ['Hg', true, true, false],
  ])('%s: metal %s, transition %s, metalloid %s', (symbol, metal, transition, metalloid) => {
    expect(isMetal(z(symbol))).toBe(metal);
    expect(isTransitionMetal(z(symbol))).toBe(transition);
    expect(isMetalloid(z(symbol))).toBe(metalloid);
  });
});
