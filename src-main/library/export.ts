/**
 * Shortlist CSV export: formula, sites, oxidation states, t, mu, tau, every prediction with its
 * uncertainty, the model's id and version, what its band gap and stability mean, and which bundled
 * datasets record the composition (with their values), and the values the user imported for it. Rows stream from SQLite through csv-stringify into the
 * caller's stream, so a million-row export never sits in memory. Text cells that a spreadsheet would
 * run as a formula (leading = + - @ tab or CR) are prefixed with an apostrophe; numbers stay numbers.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type Database from 'better-sqlite3';
import { stringify } from 'csv-stringify';
import type { CandidateFilters } from '../../shared/api/contract.js';
import type { SiteComposition } from '../../shared/index.js';
import { CANDIDATE_JOIN, candidateSelect, whereClause } from './query.js';
import { rowFromRaw, type CandidateRow, type RawCandidateRow } from './records.js';
import type { KnownRecord } from '../../shared/api/types.js';
import { importedResultText, knownRecordText } from '../../shared/api/labels.js';
import { resultsOfScreen } from './results.js';

export const EXPORT_COLUMNS = [
  'screen_id', 'seq', 'formula', 'site_A', 'site_B', 'site_X', 'oxidation_states', 't', 'mu', 'tau',
  'band_gap_eV', 'band_gap_sigma_eV', 'p_stable', 'p_stable_spread', 'stable', 'other_predictions', 'model_id', 'model_name', 'model_created',
  'band_gap_meaning', 'stable_meaning', 'known_in', 'known_records', 'imported_results', 'domain_distance', 'in_domain',
  'band_gap_expt_eV', 'band_gap_expt_sigma_eV', 'band_gap_expt_meaning',
  'energy_above_hull_eV_per_atom', 'energy_above_hull_sigma_eV_per_atom', 'energy_above_hull_meaning',
] as const;

/**
 * OWASP's CSV-injection rule, widened: a text cell that a spreadsheet could run as a formula gets a
 * leading apostrophe. That is any cell that starts, after spaces, no-break spaces, BOMs or line
 * breaks, with = + - @ or their full-width forms, or that starts with a tab, CR or LF. A cell that
 * already starts with an apostrophe gets one too, so reading back is exact: strip one leading
 * apostrophe if there is one (`restoreCell`).
 */
const RISKY = /^[\s\u00a0\u3000\ufeff]*[=+\-@\uff1d\uff0b\uff0d\uff20]|^[\t\r\n]|^'/u;

export function neutralizeCell(value: string): string {
  return RISKY.test(value) ? `'${value}` : value;
}

/** The text a neutralized cell stood for. */
export function restoreCell(cell: string): string {
  return cell.startsWith("'") ? cell.slice(1) : cell;
}

function siteText(sites: SiteComposition, label: string): string {
  const site = sites.find((s) => s.site === label);
  return site ? site.species.map((s) => `${s.element}:${Number(s.amount.toPrecision(6))}`).join(' ') : '';
}

export interface ExportModel {
  readonly id: string;
  readonly name: string;
  readonly createdAt: string;
  /** What the model's band gap and stability are (from its card): which gap, which hull. */
  readonly bandGapMeaning: string;
  readonly stableMeaning: string;
  /** What the experimental-gap and energy-above-hull heads are, for a model that has them. */
  readonly experimentalGapMeaning?: string;
  readonly energyAboveHullMeaning?: string;
  /** The bundled records of a row's composition (known compounds); absent: the index is not available. */
  readonly knownRecords?: (row: CandidateRow) => readonly KnownRecord[];
}

/** Writes the matches as CSV to `out` (which is ended); resolves to the number of rows written. */
export async function writeCsv(db: Database.Database, filters: CandidateFilters, model: ExportModel, out: Writable, notes: Readonly<Record<string, string>> = {}): Promise<number> {
  const { sql: where, params } = whereClause(filters);
  const stmt = db.prepare(`${candidateSelect(db)} FROM ${CANDIDATE_JOIN} WHERE ${where} AND c.screen_id = @screenId ORDER BY c.seq`);
  const withNotes = Object.keys(notes).length > 0;
  const csv = stringify({ header: true, columns: withNotes ? [...EXPORT_COLUMNS, 'note'] : [...EXPORT_COLUMNS] });
  const finished = once(out, 'finish');
  csv.pipe(out);
  const text = (s: string): string => neutralizeCell(s);
  let n = 0;
  // every imported value of the screen (a few thousand at most; none for most screens), by candidate
  const imported = resultsOfScreen(db, filters.screenId);
  for (const raw of stmt.iterate(params)) {
    const r = rowFromRaw(raw as RawCandidateRow);
    const record = [
      filters.screenId, r.seq, text(r.formula), text(siteText(r.sites, 'A')), text(siteText(r.sites, 'B')), text(siteText(r.sites, 'X')),
      text(Object.entries(r.oxidationStates).map(([e, s]) => `${e}${s > 0 ? '+' : ''}${s}`).join(' ')),
      r.t, r.mu, r.tau ?? '', r.bandGap ?? '', r.bandGapSigma ?? '', r.pStable ?? '', r.pStableSpread ?? '', r.stable === null ? '' : r.stable ? 'true' : 'false',
      text(Object.keys(r.other).length ? JSON.stringify(r.other) : ''), text(model.id), text(model.name), model.createdAt,
      text(model.bandGapMeaning), text(model.stableMeaning),
      // "not checked" where the row was never looked up, so an empty cell always means novel
      r.known == null ? 'not checked' : r.known.join(';'),
      text(r.known?.length && model.knownRecords ? model.knownRecords(r).map(knownRecordText).join(' | ') : ''),
      text((imported.get(r.id) ?? []).map(importedResultText).join(' | ')),
      r.domain ? r.domain.distance : '', r.domain ? (r.domain.inDomain ? 'true' : 'false') : '',
      r.gapExpt ?? '', r.gapExptSigma ?? '', r.gapExpt == null ? '' : text(model.experimentalGapMeaning ?? ''),
      r.eHull ?? '', r.eHullSigma ?? '', r.eHull == null ? '' : text(model.energyAboveHullMeaning ?? ''),
      ...(withNotes ? [text(notes[String(r.id)] ?? '')] : []),
    ];
    if (!csv.write(record)) await once(csv, 'drain');
    n += 1;
  }
  csv.end();
  await finished;
  return n;
}
