/** Predictions for formulas with a chosen model: every target with its uncertainty, by role, attention on demand. */
import { readDomainFile } from '../engine/domain/file.js';
import type { DomainFile } from '../engine/domain/index.js';
import type { KnownRecord } from '../../shared/api/types.js';
import { loadKnownCompounds } from '../data/known/known-compounds.js';
import { parse as parseCsv } from 'csv-parse/sync';
import type { ModelRoles } from '../../shared/api/types.js';
import type { Composition } from '../../shared/index.js';
import type { AttentionMaps, Prediction } from '../engine/model/predictor.js';
import { INFERENCE_MAX_ELEMENTS } from '../engine/model/predictor.js';
import { modelRoles, predictionNote } from '../engine/model/roles.js';
import { targetUnit } from '../../shared/api/labels.js';
import type { ModelStore } from './models.js';

export type { AttentionMaps, Prediction } from '../engine/model/predictor.js';

export interface ModelInfo {
  readonly id: string;
  /** Elements per composition it predicts (the transformer takes any number of tokens; see INFERENCE_MAX_ELEMENTS). */
  readonly maxElements: number;
  /** Elements per composition in its training data: beyond it a prediction extrapolates. */
  readonly trainedMaxElements: number;
  readonly regressionTargets: readonly string[];
  readonly classificationTarget: string | null;
  readonly threshold: number | null;
  readonly roles: ModelRoles;
  readonly targets: Readonly<Record<string, string>>;
  /** Its calibrated applicability domain (domain.json), or null. */
  readonly domain: DomainFile | null;
}

export class PredictionService {
  constructor(private readonly models: ModelStore) {}

  /** What a model takes and gives (loads only its card). */
  info(dir?: string): ModelInfo {
    const card = this.models.card(dir);
    return {
      id: card.id,
      maxElements: Math.max(card.featurizer.maxElements, INFERENCE_MAX_ELEMENTS),
      trainedMaxElements: card.featurizer.maxElements,
      regressionTargets: card.config.regressionTargets,
      classificationTarget: card.config.classificationTarget,
      threshold: card.ensemble.threshold,
      roles: modelRoles(card),
      // what each target means, with how a gated gap reads its zeros
      targets: Object.fromEntries(Object.entries(card.targets).map(([t, meaning]) => [t, meaning + predictionNote(card.ensemble, t, targetUnit(t))])),
      domain: readDomainFile(this.models.dirOf(dir)),
    };
  }

  /** What the bundled datasets record for a composition (known compounds); null without the index. */
  recorded(composition: Composition): readonly KnownRecord[] | null {
    return loadKnownCompounds()?.records(composition) ?? null;
  }

  predict(compositions: readonly Composition[], dir?: string): Prediction[] {
    return this.models.predictor(dir).predict(compositions);
  }

  attention(composition: Composition, dir?: string): AttentionMaps {
    return this.models.predictor(dir).attention(composition);
  }
}

/** The JSON shape of one prediction, as documented in the README. */
export function predictionJson(formula: string, p: Prediction): Record<string, unknown> {
  const out: Record<string, unknown> = { formula };
  for (const [name, v] of Object.entries(p.regression)) out[name] = { value: v.value, sigma: v.sigma };
  if (p.classification) {
    out[p.classification.target] = { probability: p.classification.probability, spread: p.classification.spread, decision: p.classification.decision };
  }
  // the applicability domain: latent distance to the nearest training composition, and the flag
  out['domain'] = p.domain ? { distance: p.domain.distance, inDomain: p.domain.inDomain, nearest: p.domain.nearest } : null;
  return out;
}

/** A formula to predict and where it came from (1-based line of the input). */
export interface FormulaInput {
  readonly line: number;
  readonly formula: string;
}

/**
 * Formulas from text: one per line, or, when the first line is a CSV header naming `column` (default
 * `formula`), that column of a CSV. Blank lines are skipped; line numbers are the input's own.
 */
export function readFormulaList(text: string, column = 'formula'): FormulaInput[] {
  const body = text.replace(/^\ufeff/, '');
  const firstLine = body.split(/\r?\n/, 1)[0] ?? '';
  const header = firstLine.split(',').map((h) => h.trim().replace(/^"|"$/g, ''));
  if (header.length > 1 || header[0] === column) {
    const at = header.indexOf(column);
    if (at < 0) throw new Error(`the CSV has no column '${column}' (columns: ${header.join(', ')}); name it with --column`);
    const records = parseCsv(body, { info: true, relax_column_count: true, skip_empty_lines: true }) as unknown as { record: string[]; info: { lines: number } }[];
    return records.slice(1).map(({ record, info }) => ({ line: info.lines, formula: (record[at] ?? '').trim() }));
  }
  return body
    .split(/\r?\n/)
    .map((formula, i) => ({ line: i + 1, formula: formula.trim() }))
    .filter((f) => f.formula !== '');
}
