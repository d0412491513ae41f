/** What the library stores per candidate and per prediction, and what it gives back. */
import type { CandidateSummary } from '../../shared/api/types.js';
import type { Composition, SiteComposition } from '../../shared/index.js';
import type { Candidate } from '../enumerate/types.js';
import { sourcesOfMask } from '../data/known/known-compounds.js';

/** One candidate as written: text columns already serialized (the enumeration worker does that). */
export interface CandidateRecord {
  readonly seq: number;
  readonly formula: string;
  /** Distinct element symbols of the candidate. */
  readonly elements: readonly string[];
  readonly sitesJson: string;
  readonly oxidationJson: string;
  readonly t: number;
  readonly mu: number;
  readonly tau: number | null;
  /** Bundled datasets recording the composition, as a mask (known-compounds.ts); null: not checked. */
  readonly known: number | null;
}

/** A prediction by role: the columns the views filter on, and every other target as JSON. */
export interface StoredPrediction {
  readonly bandGap: { readonly value: number; readonly sigma: number } | null;
  readonly stability: { readonly probability: number; readonly spread: number; readonly decision: boolean } | null;
  readonly other: Readonly<Record<string, { readonly value: number; readonly sigma: number }>>;
  /** The experimental-gap head (eV) and the energy-above-hull head (eV/atom) of a model that has them (also kept in `other`). */
  readonly experimentalGap?: { readonly value: number; readonly sigma: number } | null;
  readonly energyAboveHull?: { readonly value: number; readonly sigma: number } | null;
  /** Latent distance to the model's training compositions and the extrapolation flag; null without a calibrated domain. */
  readonly domain?: { readonly distance: number; readonly inDomain: boolean } | null;
}

/** A stored candidate with its predictions: the contract's CandidateSummary plus the other targets. */
export interface CandidateRow extends CandidateSummary {
  readonly other: Readonly<Record<string, { readonly value: number; readonly sigma: number }>>;
}

/** A candidate with the screen it belongs to (the detail view needs both). */
export interface StoredCandidate {
  readonly screenId: number;
  readonly row: CandidateRow;
}

/** The record of a candidate; its elements come from the composition (a molecular ion's atoms), else the sites. */
export function candidateRecord(c: Candidate & { readonly composition?: Composition }, known: number | null = null): CandidateRecord {
  return {
    seq: c.seq,
    formula: c.formula,
    elements: c.composition ? c.composition.elements.map((e) => e.element) : [...new Set(c.sites.flatMap((s) => s.species.map((sp) => sp.element)))],
    sitesJson: JSON.stringify(c.sites),
    oxidationJson: JSON.stringify(c.oxidationStates),
    t: c.tolerance,
    mu: c.octahedral,
    tau: c.tau,
    known,
  };
}

/** A row as SQLite returns it from the candidate SELECT. */
export interface RawCandidateRow {
  id: number;
  seq: number;
  formula: string;
  sites_json: string;
  oxidation_json: string;
  t: number;
  mu: number;
  tau: number | null;
  band_gap: number | null;
  band_gap_sigma: number | null;
  p_stable: number | null;
  p_stable_spread: number | null;
  stable: number | null;
  other_json: string | null;
  known: number | null;
  domain_distance: number | null;
  in_domain: number | null;
  gap_expt: number | null;
  gap_expt_sigma: number | null;
  e_hull: number | null;
  e_hull_sigma: number | null;
  score?: number;
}

export function rowFromRaw(r: RawCandidateRow): CandidateRow {
  return {
    id: r.id,
    seq: r.seq,
    formula: r.formula,
    sites: JSON.parse(r.sites_json) as SiteComposition,
    oxidationStates: JSON.parse(r.oxidation_json) as Record<string, number>,
    t: r.t,
    mu: r.mu,
    tau: r.tau,
    bandGap: r.band_gap,
    bandGapSigma: r.band_gap_sigma,
    pStable: r.p_stable,
    pStableSpread: r.p_stable_spread,
    stable: r.stable === null ? null : r.stable === 1,
    gapExpt: r.gap_expt,
    gapExptSigma: r.gap_expt_sigma,
    eHull: r.e_hull,
    eHullSigma: r.e_hull_sigma,
    other: r.other_json ? (JSON.parse(r.other_json) as Record<string, { value: number; sigma: number }>) : {},
    known: r.known === null ? null : sourcesOfMask(r.known),
    domain: r.domain_distance === null || r.in_domain === null ? null : { distance: r.domain_distance, inDomain: r.in_domain === 1 },
    ...(r.score !== undefined ? { score: r.score } : {}),
  };
}
