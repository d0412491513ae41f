/** Pure helpers behind the views (tested without a browser). */
import { readStateOverride, type SiteLabel } from '../../shared/index.js';

export type SiteSets = Record<SiteLabel, string[]>;

export const PRESETS: Readonly<Record<string, readonly string[]>> = {
  'hybrid A site (MA, FA, Cs)': ['MA', 'FA', 'Cs'],
  'lead-free B site (Sn, Ge, Bi, Sb, Ag, In)': ['Sn', 'Ge', 'Bi', 'Sb', 'Ag', 'In'],
  'alkali metals': ['Li', 'Na', 'K', 'Rb', 'Cs'],
  'alkaline earths': ['Mg', 'Ca', 'Sr', 'Ba'],
  '3d metals': ['Ti', 'V', 'Cr', 'Mn', 'Fe', 'Co', 'Ni', 'Cu', 'Zn'],
  '4d/5d B cations': ['Zr', 'Nb', 'Mo', 'Hf', 'Ta', 'W', 'Sn', 'Pb', 'Ge'],
  lanthanides: ['La', 'Ce', 'Pr', 'Nd', 'Sm', 'Eu', 'Gd', 'Tb', 'Dy', 'Ho', 'Er', 'Tm', 'Yb', 'Lu'],
  halides: ['F', 'Cl', 'Br', 'I'],
  chalcogens: ['O', 'S', 'Se', 'Te'],
};

/** Site colours, dark enough for white text (WCAG AA contrast 4.5:1). */
export const SITE_COLORS: Readonly<Record<SiteLabel, string>> = { A: '#a84a00', B: '#11735a', X: '#5a549a' };

/** Adds `symbol` to `site` (removing it from the others: one site per element), or removes it if there. */
export function toggleSite(sets: SiteSets, symbol: string, site: SiteLabel): SiteSets {
  const had = sets[site].includes(symbol);
  const out: SiteSets = { A: sets.A.filter((s) => s !== symbol), B: sets.B.filter((s) => s !== symbol), X: sets.X.filter((s) => s !== symbol) };
  if (!had) out[site] = [...out[site], symbol];
  return out;
}

/** Adds a preset's usable elements to a site. */
export function applyPreset(sets: SiteSets, preset: readonly string[], site: SiteLabel, usable: (s: string) => boolean): SiteSets {
  let out = sets;
  for (const s of preset) if (usable(s) && !out[site].includes(s)) out = toggleSite(out, s, site);
  return out;
}

/** What changed between two selections: species that moved to another site, and species taken off. */
export function siteChanges(before: SiteSets, after: SiteSets): { moved: [string, SiteLabel, SiteLabel][]; removed: [string, SiteLabel][] } {
  const moved: [string, SiteLabel, SiteLabel][] = [];
  const removed: [string, SiteLabel][] = [];
  for (const from of ['A', 'B', 'X'] as const) {
    for (const s of before[from]) {
      const to = siteOf(after, s);
      if (to === null) removed.push([s, from]);
      else if (to !== from) moved.push([s, from, to]);
    }
  }
  return { moved, removed };
}

/** A sentence for what a pick, a preset or Clear did to other sites (null when it only added). */
export function describeSiteChanges(before: SiteSets, after: SiteSets, action: 'pick' | 'preset' | 'clear'): string | null {
  const { moved, removed } = siteChanges(before, after);
  const parts: string[] = [];
  const groups = new Map<string, string[]>();
  for (const [s, from, to] of moved) groups.set(`${from}>${to}`, [...(groups.get(`${from}>${to}`) ?? []), s]);
  for (const [key, list] of groups) parts.push(`moved ${list.join(', ')} from site ${key[0]} to site ${key[2]}`);
  if (action === 'clear' && removed.length) parts.push(`took ${removed.length} species off their sites (${removed.map(([s]) => s).join(', ')})`);
  if (parts.length === 0) return null;
  const subject = action === 'pick' ? 'This pick' : action === 'preset' ? 'The preset' : 'Clear';
  return `${subject} ${parts.join('; ')}.`;
}

export type ArrowKey = 'ArrowLeft' | 'ArrowRight' | 'ArrowUp' | 'ArrowDown' | 'Home' | 'End';

/**
 * The cell an arrow key moves to in a grid with holes (the periodic table): left / right along the
 * row, up / down to the nearest row that has cells, at the closest column; Home / End to the row's
 * ends. Null when there is nowhere to go.
 */
export function cellInDirection(cells: readonly { key: string; row: number; column: number }[], from: string, key: ArrowKey): string | null {
  const here = cells.find((c) => c.key === from);
  if (!here) return cells[0]?.key ?? null;
  const sameRow = cells.filter((c) => c.row === here.row).sort((a, b) => a.column - b.column);
  switch (key) {
    case 'ArrowRight': return sameRow.find((c) => c.column > here.column)?.key ?? null;
    case 'ArrowLeft': return sameRow.filter((c) => c.column < here.column).at(-1)?.key ?? null;
    case 'Home': return sameRow[0]?.key ?? null;
    case 'End': return sameRow.at(-1)?.key ?? null;
    default: {
      const down = key === 'ArrowDown';
      let target: number | null = null;
      for (const c of cells) {
        if (down ? c.row > here.row && (target === null || c.row < target) : c.row < here.row && (target === null || c.row > target)) target = c.row;
      }
      if (target === null) return null;
      const candidates = cells.filter((c) => c.row === target).sort((a, b) => Math.abs(a.column - here.column) - Math.abs(b.column - here.column) || a.column - b.column);
      return candidates[0]?.key ?? null;
    }
  }
}

export function siteOf(sets: SiteSets, symbol: string): SiteLabel | null {
  return (['A', 'B', 'X'] as const).find((s) => sets[s].includes(symbol)) ?? null;
}

/** Rows of a virtualised list to render for a scroll position (with overscan). */
export function visibleRange(scrollTop: number, rowHeight: number, viewport: number, total: number, overscan = 8): { start: number; end: number } {
  const start = Math.min(total, Math.max(0, Math.floor(scrollTop / rowHeight) - overscan));
  const end = Math.min(total, Math.ceil((scrollTop + viewport) / rowHeight) + overscan);
  return { start, end: Math.max(start, end) };
}

/** Which page of `pageSize` rows holds row `index`. */
export function pageOf(index: number, pageSize: number): number {
  return Math.floor(index / pageSize);
}

export function formatCount(n: number): string {
  return n.toLocaleString('en');
}

export function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds <= 0) return '—';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const m = Math.floor(seconds / 60);
  return `${m} min ${Math.round(seconds - m * 60)} s`;
}

export function plusMinus(value: number | null, sigma: number | null, digits = 2): string {
  if (value === null) return '—';
  return sigma === null ? value.toFixed(digits) : `${value.toFixed(digits)} ± ${sigma.toFixed(digits)}`;
}

/**
 * What a gap of exactly 0 means for a model with a zero gate on that target (its mean at or below the
 * cut, chosen on validation, reads as a metal): appended inside the value's note; '' otherwise.
 */
export function metalNote(value: number | null | undefined, target: string | undefined, zeroGates: Readonly<Record<string, number>> | undefined): string {
  const cut = target === undefined ? undefined : zeroGates?.[target];
  if (value !== 0 || cut === undefined) return '';
  return `; 0 = predicted metal: the mean prediction is at or below the model's zero gate, ${cut.toFixed(2)} eV`;
}

/** An energy in eV/atom and its sigma, written in meV/atom ("14 ± 18"); '—' where there is none. */
export function plusMinusMeV(value: number | null | undefined, sigma: number | null | undefined): string {
  return value == null ? '—' : `${Math.round(value * 1000)} ± ${Math.round((sigma ?? 0) * 1000)}`;
}

/** Parses "LO:HI" typed in a filter box; null when empty, an error message when malformed. */
export function parseRange(text: string): [number, number] | null | string {
  const t = text.trim();
  if (t === '') return null;
  const m = /^(-?[\d.]+)\s*[:\-–]\s*(-?[\d.]+)$/.exec(t);
  if (!m) return `'${t}' is not a range like 1.2:1.8`;
  const lo = Number(m[1]);
  const hi = Number(m[2]);
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || lo > hi) return `'${t}' is not a range like 1.2:1.8`;
  return [lo, hi];
}

/**
 * Oxidation states typed by hand, "Sn:2, Dy:2, Dy:3" -> { Sn: [2], Dy: [2, 3] }, or a sentence naming
 * the first part that is not ELEMENT:STATE.
 */
export function parseStateOverrides(text: string): Record<string, number[]> | string {
  const out: Record<string, number[]> = {};
  for (const part of text.split(/[,;\s]+/).filter(Boolean)) {
    const read = readStateOverride(part);
    if (!read) return `States by hand: '${part}' is not ELEMENT:STATE, e.g. Sn:2 or I:-1.`;
    const [element, state] = read;
    const list = (out[element] ??= []);
    if (!list.includes(state)) list.push(state);
  }
  return out;
}

/** The states typed by hand for `symbol` (empty when none, or when the text does not parse). */
export function statesByHand(text: string, symbol: string): number[] {
  const parsed = parseStateOverrides(text);
  return typeof parsed === 'string' ? [] : (parsed[symbol] ?? []);
}

/**
 * Adds or removes "symbol:state" in the states-by-hand text (the popover's state buttons), keeping the
 * others as they were. A text that does not parse is left for the user to fix, with the pick appended.
 */
export function toggleStateByHand(text: string, symbol: string, state: number): string {
  const parsed = parseStateOverrides(text);
  if (typeof parsed === 'string') return `${text.trim()}${text.trim() ? ', ' : ''}${symbol}:${state}`;
  const list = parsed[symbol] ?? [];
  parsed[symbol] = list.includes(state) ? list.filter((s) => s !== state) : [...list, state];
  return Object.entries(parsed).flatMap(([el, states]) => states.map((st) => `${el}:${st}`)).join(', ');
}

const METRIC_NAMES: Readonly<Record<string, string>> = {
  mae: 'mean absolute error',
  rmse: 'root-mean-square error',
  r2: 'R² (share of variance explained)',
  within1sigma: 'share of errors within 1 σ',
  within2sigma: 'share of errors within 2 σ',
  baselineMae: 'mean absolute error of predicting the training mean',
  rocAuc: 'ROC AUC',
  f1: 'F1 of the positive class (validation threshold)',
  recall: 'recall of the positive class',
  precision: 'precision of the positive class',
  accuracy: 'accuracy',
  weightedF1: 'F1 weighted over both classes',
  mcc: 'Matthews correlation coefficient',
  'f1At0.5': 'F1 of the positive class at threshold 0.5',
  baselineAccuracy: 'accuracy of predicting the majority class',
};

/** A metric key of a training summary ("gap.mae") as people read it: "gap: mean absolute error (eV)". */
export function metricLabel(key: string): string {
  const dot = key.indexOf('.');
  const target = dot < 0 ? '' : key.slice(0, dot);
  const metric = dot < 0 ? key : key.slice(dot + 1);
  const name = METRIC_NAMES[metric] ?? metric;
  const unit = /gap/i.test(target) && /mae|rmse|baselineMae/i.test(metric) ? ' (eV)' : '';
  return `${target ? `${target}: ` : ''}${name}${unit}`;
}

export { gapName } from '../../shared/api/labels.js';
