import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyZeroGate, chooseZeroGate, hasZeroMass } from '../../../../src-main/engine/evaluate/zero-gate.js';
import { regressionMetrics } from '../../../../src-main/engine/evaluate/metrics.js';

const gatedMae = (truth: number[], pred: number[], cut: number): number => regressionMetrics(truth, pred.map((p) => applyZeroGate(p, cut))).mae;

describe('zero gate', () => {
  it.each([
    // truth, predictions, expected cut (worked by hand)
    { truth: [0, 0, 0, 1, 2], pred: [0.1, 0.2, 0.3, 0.9, 2.1], cut: 0.6 }, // zero the three metals, keep 0.9 (halfway 0.3 .. 0.9)
    { truth: [1, 2], pred: [1, 2], cut: 0 }, // no zeros to gain: plain clipping
    { truth: [0, 0, 2], pred: [-0.1, 0.05, 0.04], cut: 0.05 }, // 0.04 (a 2 eV row) is lost, 0.05 gained: net 0.01
    { truth: [0, 0, 1], pred: [0.2, 0.2, 0.2], cut: 0.2 }, // equal predictions move together
    { truth: [1, 1, 0], pred: [0.2, 0.2, 0.1], cut: 0.15 }, // the metal at 0.1 is zeroed; the 1-eV rows at 0.2 would cost more than they gain
  ])('chooses the cut that minimizes MAE: $truth / $pred -> $cut', ({ truth, pred, cut }) => {
    expect(chooseZeroGate(truth, pred)).toBeCloseTo(cut, 12);
  });

  it('never does worse than clipping at zero, and no cut does better than the one chosen (property)', () => {
    const row = fc.record({ t: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 5, noNaN: true })), p: fc.double({ min: -1, max: 5, noNaN: true }) });
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 40 }), (rows) => {
        const truth = rows.map((r) => r.t);
        const pred = rows.map((r) => r.p);
        const cut = chooseZeroGate(truth, pred);
        const chosen = gatedMae(truth, pred, cut);
        expect(cut).toBeGreaterThanOrEqual(0);
        expect(chosen).toBeLessThanOrEqual(gatedMae(truth, pred, 0) + 1e-9);
        for (const other of pred.filter((p) => p > 0)) expect(chosen).toBeLessThanOrEqual(gatedMae(truth, pred, other) + 1e-9);
      }),
    );
  });

  it('applies to targets with a point mass at zero only', () => {
    expect(hasZeroMass([0, 0, 1.2, 3.4])).toBe(true);
    expect(hasZeroMass([...Array(96).fill(1), 0, 0, 0, 0, 0])).toBe(false); // 5 of 101 ~ 4.95%: below 5%
    expect(hasZeroMass([...Array(19).fill(1), 0])).toBe(true); // 5%
    expect(hasZeroMass([1.1, 2.2, 3.3])).toBe(false);
    expect(hasZeroMass([0, 0, -0.2])).toBe(false); // formation energies: no gate
    expect(hasZeroMass([])).toBe(false);
  });

  it('reports a mean at or below the cut as 0 and keeps the rest', () => {
    expect([-0.3, 0, 0.2, 0.21, 1.5].map((v) => applyZeroGate(v, 0.2))).toEqual([0, 0, 0, 0.21, 1.5]);
  });
});
