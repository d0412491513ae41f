/** Names for people of what a model predicts, from its card's words: one rule for the UI and the CLI. */
import type { ImportedResult, KnownRecord, KnownSource } from './types.js';

/**
 * A short name for a model's band gap, from its card's meaning: "PBE gap" (DFT, Materials Project),
 * "experimental gap", or "band gap" when the card does not say. Column headers and axes use it; the
 * full meaning goes beside it (tooltip, caption, export column).
 */
export function gapName(meaning: string | null | undefined): string {
  if (!meaning) return 'band gap';
  if (/experiment|measured/i.test(meaning)) return 'experimental gap';
  if (/\bPBE\b/.test(meaning)) return 'PBE gap';
  if (/\bHSE/i.test(meaning)) return 'HSE gap';
  return 'band gap';
}

/** What each bundled dataset of known compounds records, for captions, tooltips and exports. */
export const KNOWN_SOURCE_LABELS: Readonly<Record<KnownSource, { readonly short: string; readonly meaning: string }>> = {
  mp_abx3: { short: 'MP ABX3', meaning: 'Materials Project ABX3 entry (PBE band gap, energy above hull, polymorph), the seed set' },
  mp_gap: { short: 'MP gap', meaning: 'Matbench mp_gap: Materials Project PBE band gap of one entry of the composition' },
  expt_gap: { short: 'expt', meaning: 'Matbench expt_gap: experimentally measured band gap' },
};

/** One known-compound record in one line, every number with its meaning and unit (CSV cells, CLI). */
export function knownRecordText(r: KnownRecord): string {
  const head = [r.source, r.id ?? r.formula, r.structure].filter(Boolean).join(' ');
  const gapWord = r.source === 'expt_gap' ? 'measured gap' : 'PBE gap';
  const values = [
    r.bandGap === null ? null : `${gapWord} ${Number(r.bandGap.toFixed(3))} eV`,
    r.energyAboveHull === null ? null : `E_hull ${Number(r.energyAboveHull.toFixed(4))} eV/atom`,
    r.stable === null ? null : r.stable ? 'on the MP hull' : 'above the MP hull',
  ].filter(Boolean);
  return `${head}: ${values.join(', ')}`;
}

/** A candidate's known-compound sources in a few characters: short names, "-" for none, "?" when not checked. */
export function knownSourcesText(known: readonly KnownSource[] | null | undefined): string {
  if (known == null) return '?';
  return known.map((s) => KNOWN_SOURCE_LABELS[s].short).join(', ') || '-';
}

/** The unit of a target named in the workbench's way: eV for gaps, eV/atom for energies; '' when the name does not say. */
export function targetUnit(target: string): string {
  return /gap/i.test(target) ? 'eV' : /hull|formation|energy/i.test(target) ? 'eV/atom' : '';
}

/** One imported value in one line, with its source and where it came from (CSV cells, CLI). */
export function importedResultText(r: ImportedResult): string {
  const unit = targetUnit(r.target);
  return `${r.target} = ${Number(r.value.toPrecision(6))}${unit ? ` ${unit}` : ''} (${r.source}; ${r.file} line ${r.line})`;
}

/** A prediction's applicability domain in a few characters: "in (0.12)", "EXTRAPOLATION (0.45)", "-" without a calibrated domain. */
export function domainText(domain: { readonly distance: number; readonly inDomain: boolean } | null | undefined): string {
  if (!domain) return '-';
  return `${domain.inDomain ? 'in' : 'EXTRAPOLATION'} (${domain.distance.toFixed(2)})`;
}
