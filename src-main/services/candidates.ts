/** Reading a screen's candidates: query pages, histogram, scatter sample, one candidate's detail, CSV export. */
import { PassThrough, type Writable } from 'node:stream';
import { text } from 'node:stream/consumers';
import type { CandidateFilters, QueryRequest } from '../../shared/api/contract.js';
import type { CandidateDetail, Histogram, ModelRoles, NextBatch, ScatterData } from '../../shared/api/types.js';
import { compositionFromAmounts, type ElementSymbol, type SiteComposition } from '../../shared/index.js';
import type { ElementTable } from '../data/elements/load.js';
import type { CandidateQuery, Library, QueryResult, ReadableLibrary } from '../library/index.js';
import { loadKnownCompounds, type KnownCompounds } from '../data/known/known-compounds.js';
import { gapName } from '../../shared/api/labels.js';
import { radiusLines } from './display.js';
import { exportStructures, type StructureExport } from './structures.js';
import { NotFoundError } from './errors.js';
import { nextBatch, type NextBatchRequest } from './next-batch.js';
import { modelSummary, type ModelStore } from './models.js';
import { cardRoles } from '../engine/model/roles.js';
import { TrainingNeighbours } from './neighbours.js';


/** The composition a candidate's sites describe, molecular ions as their atoms (no formula re-parsing). */
export function compositionOfSites(sites: SiteComposition, table: ElementTable) {
  const amounts = new Map<ElementSymbol, number>();
  const add = (el: ElementSymbol, n: number): void => void amounts.set(el, (amounts.get(el) ?? 0) + n);
  for (const site of sites) {
    for (const sp of site.species) {
      const molecule = table.molecules.get(sp.element);
      if (molecule) for (const [el, n] of molecule.atoms) add(el, n * sp.amount);
      else add(sp.element as ElementSymbol, sp.amount);
    }
  }
  return compositionFromAmounts([...amounts]);
}

/**
 * Checks the library's unchecked candidates (screened before known-compound marks existed, merged
 * from other files, or screened without the index) against the known compounds; a no-op without
 * the index (they stay "not checked") or when every row is checked.
 */
export function markKnownCandidates(library: Library, table: ElementTable, index?: KnownCompounds | null): number {
  if (!library.hasUncheckedKnown()) return 0; // the usual case: nothing to load, nothing to do
  const known = index === undefined ? loadKnownCompounds() : index;
  if (!known) return 0;
  return library.fillKnown((sitesJson) => known.maskOf(compositionOfSites(JSON.parse(sitesJson) as SiteComposition, table)));
}

export class CandidateService {
  private readonly neighbours: TrainingNeighbours;

  constructor(
    private readonly library: ReadableLibrary,
    private readonly models: ModelStore,
    private readonly table: ElementTable,
  ) {
    this.neighbours = new TrainingNeighbours(table);
  }

  query(q: QueryRequest | CandidateQuery): QueryResult {
    return this.library.query(q);
  }

  /** k candidates to compute next: acquisition with diversity (next-batch.ts says how). */
  nextBatch(req: NextBatchRequest): NextBatch {
    this.library.screen(req.screenId); // an unknown screen is refused (404) before any work
    return nextBatch(this.library, this.table, req);
  }

  /** What the screen's model's heads are (band gap, stability, experimental gap, energy above hull), with units. */
  roles(screenId: number): ModelRoles {
    return this.library.screenModelRoles(screenId);
  }

  /** The screen's band gap, named for a column header ("PBE gap (eV)"), and its full meaning. */
  gapLabel(screenId: number): { header: string; meaning: string } {
    const gap = this.library.screenModelRoles(screenId).bandGap;
    return { header: `${gapName(gap?.meaning)} (eV)`, meaning: gap?.meaning ?? 'band gap (eV)' };
  }

  histogram(filters: CandidateFilters, bins: number): Histogram {
    // the Results view asks for the histogram when it shows a screen: a ranking may follow
    this.library.prefetchRanking(filters.screenId);
    return this.library.histogram(filters, bins);
  }

  scatter(filters: CandidateFilters, maxPoints: number, window: readonly [number, number]): ScatterData {
    return this.library.scatter(filters, maxPoints, window);
  }

  detail(candidateId: number): CandidateDetail {
    const stored = this.library.candidate(candidateId);
    if (!stored) throw new NotFoundError(`no candidate ${candidateId}`);
    const candidate = stored.row;
    const composition = compositionOfSites(candidate.sites, this.table);
    // the screen's own model explains its predictions (the active one may have changed since)
    const modelDir = this.library.screen(stored.screenId).inputs.modelDir;
    const predictor = this.models.predictor(modelDir);
    const edm = predictor.descriptorMatrix(composition);
    const layout = predictor.featurizer.layout;
    const values = edm.elements.map((_, r) => Array.from(edm.values.subarray(r * edm.width, (r + 1) * edm.width)));
    const columns = Array.from({ length: edm.width }, (_, k) => (k < layout.mat2vec[1] ? `mat2vec ${k}` : k < layout.attributes[1] ? `attr ${k - layout.attributes[0]}` : `frac ${k - layout.fraction[0]}`));
    return {
      candidate,
      radii: radiusLines(this.table, candidate.sites, candidate.oxidationStates),
      attention: predictor.attention(composition),
      edm: { rows: [...edm.elements], values, columns },
      neighbours: this.neighbours.nearest(predictor.card, composition, (compositions) => {
        const gap = cardRoles(predictor.card).bandGap;
        return gap === null ? compositions.map(() => null) : predictor.predict(compositions).map((p) => p.regression[gap]?.value ?? null);
      }),
      known: loadKnownCompounds()?.records(composition) ?? null,
      imported: this.library.importedResults(candidateId),
      model: modelSummary(predictor.card, modelDir),
    };
  }

  /** Streams the matches as a shortlist CSV into `out`; resolves to the row count. */
  exportCsv(filters: CandidateFilters, out: Writable, notes: Readonly<Record<string, string>> = {}): Promise<number> {
    const known = loadKnownCompounds();
    return this.library.exportCsv(filters, out, notes, known ? (row) => known.records(compositionOfSites(row.sites, this.table)) : undefined);
  }

  /** DFT starting structures (POSCAR + CIF) for candidates, zipped with a README of the assumptions. */
  structures(candidateIds: readonly number[]): StructureExport {
    return exportStructures(this.library, this.table, candidateIds);
  }

  /** The same CSV as text, for a download from the renderer. */
  async exportCsvText(filters: CandidateFilters, notes: Readonly<Record<string, string>> = {}): Promise<{ csv: string; rows: number }> {
    const stream = new PassThrough();
    const [csv, rows] = await Promise.all([text(stream), this.exportCsv(filters, stream, notes)]);
    return { csv, rows };
  }
}
