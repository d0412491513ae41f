// `pdw evaluate --combine`: reports of one protocol averaged row by row. Two reports are written by the
// real report writer (report.json, predictions.csv), combined, and the combination's numbers checked by
// hand; reports that scored different rows, and malformed files, are refused with where and why.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import type { EvaluationReport } from '../../../src-main/engine/evaluate/evaluate.js';
import { domainSplit, writeReport, type FoldResult } from '../../../src-main/engine/evaluate/report.js';
import { regressionMetrics, sigmaCoverage } from '../../../src-main/engine/evaluate/metrics.js';
import { CombinationError, combineReports } from '../../../src-main/services/report-combination.js';
import { runCli } from '../../../src-main/cli/main.js';

const dir = mkdtempSync(join(tmpdir(), 'pdw-combine-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FORMULAS = ['ZnO', 'GaN', 'Cu', 'CsPbBr3'];
const TRUTH = [3.3, 3.4, 0, 2.3];
// 30 validation rows (the fewest a zero gate is chosen on): ten compounds three times
const thrice = <T>(xs: T[]): T[] => [...xs, ...xs, ...xs];
const VAL_FORMULAS = thrice(['ZnS', 'Al', 'Fe', 'SiC', 'CdTe', 'Ni', 'InP', 'Ag', 'Au', 'GaAs']);
const VAL_TRUTH = thrice([3.6, 0, 0, 2.4, 1.5, 0, 1.3, 0, 0, 1.4]);

function regressionReport(formulas: string[], truth: number[], predicted: number[], sigma: number[]): EvaluationReport {
  const metrics = regressionMetrics(truth, predicted);
  return {
    rows: truth.length,
    regression: { band_gap: { metrics, meanBaseline: regressionMetrics(truth, truth.map(() => 1.2)), calibration: sigmaCoverage(truth, predicted, sigma), formulas, truth, predicted, sigma } },
    classification: null,
  };
}

/** A one-fold report of `protocol` with these test and validation predictions, gated at zero where `cut` is given, with per-row domain flags. */
function report(name: string, test: number[], val: number[], flags: boolean[], cut?: number, protocol = 'expt_gap', sigma = 0.2): string {
  const out = join(dir, name);
  const t = regressionReport(FORMULAS, TRUTH, test, test.map(() => sigma));
  const fold: FoldResult = {
    name: 'fold0',
    test: t,
    validation: regressionReport(VAL_FORMULAS, VAL_TRUTH, val, val.map(() => sigma)),
    histories: [[{ epoch: 1, trainLoss: 1, valScore: 1, valMae: { band_gap: 0.5 }, valAuc: null, seconds: 1, samplesPerSecond: 100 }]],
    trainingSeconds: 10,
    rows: { train: 100, val: VAL_TRUTH.length, test: TRUTH.length },
    calibration: { neighbourCorrection: {}, zeroBelow: cut === undefined ? {} : { band_gap: cut }, sigmaScale: { band_gap: 1 }, threshold: null },
    domain: domainSplit('band_gap', 0.1, TRUTH.map((y, i) => ({ error: Math.abs(test[i]! - y), sigma: 0.2, inDomain: flags[i]! }))),
  };
  writeReport(out, { protocol, description: 'test', command: `pdw evaluate --out ${name}`, backend: 'wasm', model: {} }, [fold]);
  return out;
}

describe('a combination of reports', () => {
  // report a gates at 0.2 eV (Cu reads 0); report b does not (Cu 0.3): their average, 0.15, is decided again by the combination's own cut
  const a = report('a', [3.1, 3.0, 0, 2.0], thrice([3.5, 0, 0, 2.2, 1.3, 0, 1.2, 0, 0, 1.1]), [true, true, true, false], 0.2);
  const b = report('b', [3.3, 3.6, 0.3, 2.4], thrice([3.3, 0.3, 0.2, 2.6, 1.7, 0.3, 1.4, 0.2, 0.3, 1.5]), [true, false, true, false]);
  const ones = (n: number): number[] => new Array<number>(n).fill(1);

  it('writes every scored row beside report.json, with its unit and flag', () => {
    const rows = parseCsv(readFileSync(join(a, 'predictions.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(FORMULAS.length + VAL_FORMULAS.length);
    expect(rows[0]).toEqual({ fold: 'fold0', rows: 'test', formula: 'ZnO', target: 'band_gap', unit: 'eV', truth: '3.3', predicted: '3.1', sigma: '0.2', in_domain: '1' });
    expect(rows[3]!.in_domain).toBe('0');
    expect(rows[4]).toMatchObject({ rows: 'validation', formula: 'ZnS', in_domain: '' });
    const json = JSON.parse(readFileSync(join(a, 'report.json'), 'utf8')) as { folds: { domain: Record<string, unknown> }[] };
    expect(json.folds[0]!.domain['flags']).toBeUndefined(); // per-row flags go to predictions.csv only
  });

  it('averages the means, widens sigma by the spread, re-chooses the zero gate on validation, and ANDs the domain flags', () => {
    const result = combineReports({ protocol: 'expt_gap', reports: [a, b], out: join(dir, 'ab'), command: 'pdw evaluate --combine a,b' });
    const reg = result.folds[0]!.test.regression['band_gap']!;
    // validation averages: the metals read 0.15, 0.1, 0.15, 0.1, 0.15; the cut that minimizes MAE zeroes all of them
    expect(reg.predicted).toEqual([3.2, 3.3, 0, 2.2]);
    const mae = (0.1 + 0.1 + 0 + 0.1) / 4;
    expect(result.summary['band_gap.mae']!.mean).toBeCloseTo(mae, 10);
    // sigma: sqrt(mean sigma^2 + spread), ZnO's means 3.1 and 3.3 -> sqrt(0.04 + 0.01), times the fold's scale chosen on validation
    const json = JSON.parse(readFileSync(join(dir, 'ab', 'report.json'), 'utf8')) as { model: { calibration: Record<string, Record<string, { cut: number; sigmaScale: number }>> } };
    const chosen = json.model.calibration['fold0']!['band_gap']!;
    expect(chosen.sigmaScale).toBeGreaterThan(0);
    expect(chosen.sigmaScale).not.toBeCloseTo(1, 3);
    expect(reg.sigma[0]).toBeCloseTo(chosen.sigmaScale * Math.sqrt(0.05), 10);
    expect(reg.sigma[1]).toBeCloseTo(chosen.sigmaScale * Math.sqrt(0.04 + 0.09), 10); // GaN: 3.0 and 3.6
    // the scale puts 68.3% of the validation rows within 1 sigma, as a trained model's does (all of them
    // here: 15 gapped rows are fewer than a gated fit needs, so it falls back to every row)
    const val = result.folds[0]!.validation!.regression['band_gap']!;
    const within = val.truth.filter((t, i) => Math.abs(val.predicted[i]! - t) <= val.sigma[i]! + 1e-12).length / val.truth.length;
    expect(within).toBeGreaterThanOrEqual(0.683);
    expect(within).toBeLessThan(0.9);
    expect(chosen.cut).toBeGreaterThan(0.15);
    const domain = result.folds[0]!.domain!;
    expect(domain.inDomain.rows).toBe(2); // ZnO and Cu: in both reports' domains; GaN only in a's
    expect(domain.extrapolation.rows).toBe(2);
    const summary = readFileSync(join(dir, 'ab', 'summary.md'), 'utf8');
    expect(summary).toContain('## The combination');
    expect(summary).toContain('`pdw evaluate --out a`');
    expect(summary).toMatch(/fold0 band_gap <= 0\.\d{3}/);
    expect(summary).toContain('## Validation rows');
    // the combination's own rows can be combined again
    const rows = parseCsv(readFileSync(join(dir, 'ab', 'predictions.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
    expect(rows.filter((r) => r['rows'] === 'test').map((r) => Number(r['predicted']))).toEqual([3.2, 3.3, 0, 2.2]);
  });

  it('weighs each report by the inverse of its sigma^2 on the row when asked, and records the rule', () => {
    // sure has sigma 0.1 and unsure 0.2 on every row: weights 4 : 1
    const sure = report('sure', [3.1, 3.0, 0.5, 2.0], thrice([3.5, 0.1, 0.2, 2.2, 1.3, 0.1, 1.2, 0.1, 0.2, 1.1]), [true, true, true, true], undefined, 'expt_gap', 0.1);
    const unsure = report('unsure', [3.6, 3.5, 0, 2.5], thrice([3.3, 0.3, 0.2, 2.6, 1.7, 0.3, 1.4, 0.2, 0.3, 1.5]), [true, true, true, true]);
    const out = join(dir, 'ivw');
    const result = combineReports({ protocol: 'expt_gap', reports: [sure, unsure], out, weights: 'inverse-variance', command: 'pdw evaluate --combine sure,unsure --combine-weights inverse-variance' });
    const reg = result.folds[0]!.test.regression['band_gap']!;
    const expected = [[3.1, 3.6], [3.0, 3.5], [0.5, 0], [2.0, 2.5]].map(([p, q]) => (4 * p! + q!) / 5);
    reg.predicted.forEach((p, i) => expect(p).toBeCloseTo(expected[i]!, 10)); // neither report gated: no cut
    const json = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { model: { weights: string; calibration: Record<string, Record<string, { cut?: number; sigmaScale: number }>> } };
    expect(json.model.weights).toBe('inverse-variance');
    const { cut, sigmaScale } = json.model.calibration['fold0']!['band_gap']!;
    expect(cut).toBeUndefined();
    // the mixture's sigma with the same weights: ZnO's means 3.1 (0.1) and 3.6 (0.2) around 3.2
    const m = expected[0]!;
    expect(reg.sigma[0]).toBeCloseTo(sigmaScale * Math.sqrt((4 * (0.01 + (3.1 - m) ** 2) + (0.04 + (3.6 - m) ** 2)) / 5), 10);
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toContain('precision-weighted average');
    // equal weights on the same reports: the plain average
    const plain = combineReports({ protocol: 'expt_gap', reports: [sure, unsure], out: join(dir, 'plain'), command: '' });
    expect(plain.folds[0]!.test.regression['band_gap']!.predicted[0]).toBeCloseTo(3.35, 10);
  });

  it('refuses reports that scored different rows, of another protocol, or without predictions', () => {
    const other = report('c', ones(4), ones(30), [true, true, true, true]);
    const csv = join(other, 'predictions.csv');
    writeFileSync(csv, readFileSync(csv, 'utf8').replace('GaN', 'AlN'));
    expect(() => combineReports({ protocol: 'expt_gap', reports: [a, other], out: join(dir, 'x'), command: '' })).toThrow(/c, fold0 test rows of band_gap, row 2: AlN \(3\.4\) against GaN \(3\.4\)/);
    const g = report('g', ones(4), ones(30), [true, true, true, true], undefined, 'G');
    expect(() => combineReports({ protocol: 'expt_gap', reports: [a, g], out: join(dir, 'x'), command: '' })).toThrow(/is a report of protocol G, not expt_gap/);
    expect(() => combineReports({ protocol: 'expt_gap', reports: [a, join(dir, 'nowhere')], out: join(dir, 'x'), command: '' })).toThrow(CombinationError);
    writeFileSync(csv, readFileSync(csv, 'utf8').replace('AlN,band_gap,eV,3.4,1', 'GaN,band_gap,eV,3.4,oops'));
    expect(() => combineReports({ protocol: 'expt_gap', reports: [a, other], out: join(dir, 'x'), command: '' })).toThrow(/predictions\.csv, line 3: predicted 'oops' is not a number/);
  });

  it('is a pdw evaluate option that trains nothing', async () => {
    const err: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((s: string) => (err.push(String(s)), true)) as typeof process.stderr.write;
    try {
      expect(await runCli(['evaluate', '--protocol', 'expt_gap', '--combine', a])).toBe(2);
      expect(await runCli(['evaluate', 'resources/models/default', '--protocol', 'expt_gap', '--combine', `${a},${b}`, '--out', join(dir, 'y')])).toBe(1);
      expect(await runCli(['evaluate', '--protocol', 'expt_gap', '--combine', `${a},${b}`])).toBe(1);
      expect(await runCli(['evaluate', '--protocol', 'expt_gap', '--combine', `${a},${b}`, '--combine-weights', 'median', '--out', join(dir, 'y')])).toBe(2);
      expect(await runCli(['evaluate', '--protocol', 'expt_gap', '--combine-weights', 'inverse-variance', '--out', join(dir, 'y')])).toBe(1);
    } finally {
      process.stderr.write = write;
    }
    expect(err.join('')).toMatch(/is not two or more report folders, comma-separated/);
    expect(err.join('')).toMatch(/--combine trains nothing; drop a model folder/);
    expect(err.join('')).toMatch(/--combine needs --out/);
    expect(err.join('')).toMatch(/'median' is invalid\. Allowed choices are equal, inverse-variance/);
    expect(err.join('')).toMatch(/--combine-weights goes with --combine/);
  });
});
