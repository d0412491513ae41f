/**
 * `pdw evaluate --combine A,B`: the reports of one protocol combined row by row (engine/evaluate/
 * combine.ts), written as a report of their own. Reads each report's report.json and predictions.csv;
 * anything missing or malformed is an error that names the file and, for a row, its line.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { z } from 'zod';
import { BACKEND_NAMES } from '../../shared/api/runtime.js';
import { CombinationError, combineSources, type CombinationSource, type CombinationWeights, type RowPrediction, type SourceFold } from '../engine/evaluate/combine.js';
import { PREDICTION_COLUMNS, PREDICTIONS_FILE, writeReport } from '../engine/evaluate/report.js';
import { PROTOCOL_DESCRIPTIONS, type EvaluationResult } from './evaluation.js';

export { CombinationError, COMBINATION_WEIGHTS, type CombinationWeights } from '../engine/evaluate/combine.js';

const metricsSchema = z.object({ n: z.number(), mae: z.number(), mse: z.number(), rmse: z.number(), r2: z.number() });
const summarySchema = z.object({
  rows: z.number().int().nonnegative(),
  regression: z.record(z.string(), z.looseObject({ meanBaseline: metricsSchema, medianBaseline: metricsSchema.optional() })),
});
const reportSchema = z.object({
  protocol: z.string(),
  command: z.string(),
  backend: z.enum(BACKEND_NAMES),
  createdAt: z.string(),
  folds: z.array(
    z.object({
      name: z.string(),
      rows: z.object({ train: z.number(), val: z.number(), test: z.number() }),
      trainingSeconds: z.number(),
      detail: summarySchema,
      validationDetail: summarySchema.optional(),
      calibration: z.object({ zeroBelow: z.record(z.string(), z.number()) }).optional(),
      domain: z.object({ threshold: z.number().nullable() }).optional(),
    }),
  ),
});
type ReportJson = z.infer<typeof reportSchema>;

export interface CombinationRequest {
  readonly protocol: string;
  /** Report folders, at least two. */
  readonly reports: readonly string[];
  readonly out: string;
  /** How each row's means are weighed (default equal). */
  readonly weights?: CombinationWeights;
  /** The command line recorded in the report. */
  readonly command: string;
}

function readReport(dir: string): ReportJson {
  const file = join(dir, 'report.json');
  if (!existsSync(file)) throw new CombinationError(`${file} not found: give report folders written by pdw evaluate`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CombinationError(`${file} is not JSON: ${(e as Error).message}`);
  }
  const parsed = reportSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CombinationError(`${file}: ${issue.path.join('.') || '(top)'}: ${issue.message} (a report written before commit 4c2b381, 2026-12-06, lacks what a combination needs: run its command again)`);
  }
  return parsed.data;
}

function number(file: string, line: number, column: string, text: string | undefined): number {
  const v = Number(text);
  if (text === undefined || text.trim() === '' || !Number.isFinite(v)) throw new CombinationError(`${file}, line ${line}: ${column} '${text ?? ''}' is not a number`);
  return v;
}

function readPredictions(dir: string): RowPrediction[] {
  const file = join(dir, PREDICTIONS_FILE);
  if (!existsSync(file)) throw new CombinationError(`${file} not found: reports written before commit 4c2b381 (2026-12-06) have no per-row predictions; run the report's command again`);
  let records: string[][];
  try {
    records = parseCsv(readFileSync(file, 'utf8'), { relax_column_count: false }) as string[][];
  } catch (e) {
    throw new CombinationError(`${file}: ${(e as Error).message}`);
  }
  const [header, ...rows] = records;
  if (header?.join(',') !== PREDICTION_COLUMNS.join(',')) throw new CombinationError(`${file}: header '${header?.join(',') ?? ''}' is not '${PREDICTION_COLUMNS.join(',')}'`);
  return rows.map(([fold, part, formula, target, , truth, predicted, sigma, inDomain], i) => {
    const line = i + 2;
    if (part !== 'test' && part !== 'validation') throw new CombinationError(`${file}, line ${line}: rows '${part ?? ''}' is neither test nor validation`);
    if (inDomain !== '' && inDomain !== '0' && inDomain !== '1') throw new CombinationError(`${file}, line ${line}: in_domain '${inDomain ?? ''}' is not 1, 0 or empty`);
    return {
      fold: fold!,
      rows: part,
      formula: formula!,
      target: target!,
      truth: number(file, line, 'truth', truth),
      predicted: number(file, line, 'predicted', predicted),
      sigma: number(file, line, 'sigma', sigma),
      inDomain: inDomain === '' ? null : inDomain === '1',
    };
  });
}

function sourceOf(dir: string, protocol: string): { source: CombinationSource; report: ReportJson } {
  const report = readReport(dir);
  if (report.protocol !== protocol) throw new CombinationError(`${dir} is a report of protocol ${report.protocol}, not ${protocol}`);
  const predictions = readPredictions(dir);
  const folds: SourceFold[] = report.folds.map((f) => ({
    name: f.name,
    rows: f.rows,
    trainingSeconds: f.trainingSeconds,
    test: f.detail,
    validation: f.validationDetail ?? null,
    zeroBelow: f.calibration?.zeroBelow ?? {},
    domainThreshold: f.domain?.threshold ?? null,
    predictions: predictions.filter((p) => p.fold === f.name),
  }));
  return { source: { dir, folds }, report };
}

/** Combines the reports and writes the combination's report to `req.out`. */
export function combineReports(req: CombinationRequest): EvaluationResult {
  if (req.reports.length < 2) throw new CombinationError(`--combine needs at least two report folders, got ${req.reports.length}`);
  const read = req.reports.map((dir) => sourceOf(dir, req.protocol));
  const weights = req.weights ?? 'equal';
  const { folds, calibration } = combineSources(read.map((r) => r.source), weights);
  const backends = [...new Set(read.map((r) => r.report.backend))];
  const chosenText = Object.entries(calibration)
    .map(([fold, byTarget]) => `${fold} ${Object.entries(byTarget).map(([t, c]) => `${t} ${c.cut === undefined ? 'no gate' : `<= ${c.cut.toFixed(3)} -> 0`}, sigma x ${c.sigmaScale.toFixed(3)}`).join('; ') || 'none'}`)
    .join(' | ');
  const notes = [
    '## The combination',
    '',
    `Backend of the reports: ${backends.join(', ')}. ` + (weights === 'equal'
        ? 'Each row\'s mean is the plain average of the reports\' calibrated means (equal weights; no weight is fitted); its sigma is the mixture\'s, sqrt(mean sigma^2 + the spread of the means), scaled'
        : 'Each row\'s mean is the precision-weighted average of the reports\' calibrated means (`--combine-weights inverse-variance`: each report weighed on the row by 1 / its calibrated sigma^2 there; no weight is fitted); its sigma is the mixture\'s with the same weights, sqrt(sum w (sigma^2 + (mean_i - mean)^2)), scaled') + ' on each fold\'s validation rows as a trained model\'s is (68.3% of the rows the gate leaves alone within 1 sigma). A gated target\'s cut is chosen again on the same rows of the average. Chosen per fold: ' + (chosenText || 'nothing') + '. Classification heads are not combined. Training time is the sum of the reports\'.',
    '',
    '| report | its command | written |',
    '|---|---|---|',
    ...read.map(({ source, report }) => `| ${source.dir} | \`${report.command}\` | ${report.createdAt} |`),
    '',
  ];
  const summary = writeReport(req.out, { protocol: req.protocol, description: `${PROTOCOL_DESCRIPTIONS[req.protocol] ?? req.protocol}; a combination of ${req.reports.length} reports' recipes, row by row${weights === 'equal' ? '' : ', weighed by inverse variance'}`, command: req.command, backend: read[0]!.report.backend, model: { combination: read.map(({ source, report }) => ({ dir: source.dir, command: report.command, createdAt: report.createdAt })), weights, calibration }, notes }, folds);
  return { out: req.out, folds, summary };
}
