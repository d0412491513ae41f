/**
 * Shortlist CSV export: formula, sites, oxidation states, t, mu, tau, every prediction with its
 * uncertainty, and the model's id and version. Rows stream from SQLite through csv-stringify to the
 * file, so a million-row export never sits in memory. Text cells that a spreadsheet would run as a
 * formula (leading = + - @ tab or CR) are prefixed with an apostrophe; numbers are written as numbers.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { stringify } from 'csv-stringify';
import type { SiteComposition } from '../../shared/index.js';
import type { Library } from './library.js';
import { CANDIDATE_JOIN, rowFromRaw, whereClause, type CandidateQuery } from './query.js';

export const EXPORT_COLUMNS = [
  'screen_id', 'seq', 'formula', 'site_A', 'site_B', 'site_X', 'oxidation_states', 't', 'mu', 'tau',
  'band_gap_eV', 'band_gap_sigma_eV', 'p_stable', 'p_stable_spread', 'stable', 'other_predictions', 'model_id', 'model_name', 'model_created',
] as const;

/** Makes a text cell safe to open in a spreadsheet. */
export function neutralizeCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

function siteText(sites: SiteComposition, label: string): string {
  const site = sites.find((s) => s.site === label);
  return site ? site.species.map((s) => `${s.element}:${Number(s.amount.toPrecision(6))}`).join(' ') : '';
}

export async function exportCsv(library: Library, query: CandidateQuery, outFile: string, notes: Readonly<Record<string, string>> = {}): Promise<number> {
  const { sql: where, params } = whereClause(query);
  const model = library.db.prepare('SELECT m.id, m.name, m.created_at FROM screens s JOIN models m ON m.id = s.model_id WHERE s.id = ?').get(query.screenId) as
    | { id: string; name: string; created_at: string }
    | undefined;
  if (!model) throw new Error(`no screen ${query.screenId} in ${library.file}`);
  const stmt = library.db.prepare(
    `SELECT c.id, c.seq, c.formula, c.sites_json, c.oxidation_json, c.t, c.mu, c.tau, p.band_gap, p.band_gap_sigma, p.p_stable, p.p_stable_spread, p.stable, p.other_json
     FROM ${CANDIDATE_JOIN} WHERE ${where} ORDER BY c.seq`,
  );
  const out = createWriteStream(outFile);
  const withNotes = Object.keys(notes).length > 0;
  const csv = stringify({ header: true, columns: withNotes ? [...EXPORT_COLUMNS, 'note'] : [...EXPORT_COLUMNS] });
  csv.pipe(out);
  let n = 0;
  for (const raw of stmt.iterate(params)) {
    const r = rowFromRaw(raw as Parameters<typeof rowFromRaw>[0]);
    const sites = r.sites;
    const text = (s: string): string => neutralizeCell(s);
    const record = [
      query.screenId, r.seq, text(r.formula), text(siteText(sites, 'A')), text(siteText(sites, 'B')), text(siteText(sites, 'X')),
      text(Object.entries(r.oxidationStates).map(([e, s]) => `${e}${s > 0 ? '+' : ''}${s}`).join(' ')),
      r.t, r.mu, r.tau ?? '', r.bandGap ?? '', r.bandGapSigma ?? '', r.pStable ?? '', r.pStableSpread ?? '', r.stable === null ? '' : r.stable ? 'true' : 'false',
      text(Object.keys(r.other).length ? JSON.stringify(r.other) : ''), text(model.id), text(model.name), model.created_at,
      ...(withNotes ? [text(notes[String(r.id)] ?? '')] : []),
    ];
    if (!csv.write(record)) await once(csv, 'drain');
    n += 1;
  }
  csv.end();
  await once(out, 'finish');
  return n;
}
