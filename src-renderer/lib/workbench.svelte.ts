/** Application state (Svelte 5 runes in a class): selection, options, screens, filters, shortlist. */
import type { Design, RequestOf, SortColumn } from '../../shared/api/contract.js';
import type { CandidateSummary, ElementInfo, ModelRoles, ModelSummary, MolecularIonInfo, NextBatch, ScreenSummary, SpaceCounts, TrainRequestColumns, TrainSummary, WorkbenchEvent } from '../../shared/api/types.js';
import { isElementSymbol } from '../../shared/index.js';
import type { SiteLabel } from '../../shared/index.js';
import type { Transport } from './api.js';
import { describeSiteChanges, parseStateOverrides, type SiteSets } from './view-logic.js';
import type { KeptResults } from './kept-results.js';

/** A shortlisted candidate with the user's note and its screen. */
export type ShortlistItem = CandidateSummary & { note: string; screenId: number };

export type View = 'design' | 'results' | 'compare' | 'candidate' | 'training' | 'shortlist';

export interface ScreenProgressState {
  readonly screenId: number;
  readonly done: number;
  readonly total: number;
  readonly perSecond: number;
  readonly etaSeconds: number;
}

/** The Results view's filters, ranking and sort: kept here, so switching views does not lose them. */
export class ResultsState {
  gapText = $state('');
  stableMin = $state(0);
  tText = $state('');
  tauMax = $state('');
  sigmaMax = $state('');
  includeText = $state('');
  excludeText = $state('');
  /** Hide compositions that a bundled dataset records (known compounds). */
  novelOnly = $state(false);
  /** Hide predictions outside the model's applicability domain. */
  inDomainOnly = $state(false);
  /** Which predicted gap the gap filter, the target window, the rankings, the histogram and the scatter read. */
  gapKind = $state<'pbe' | 'expt'>('pbe');
  /** Highest predicted energy above hull, in meV/atom as typed ('' = no limit). */
  eHullMax = $state('');
  targetText = $state('1.2:1.8');
  rank = $state<'none' | 'window' | 'ucb' | 'pareto'>('none');
  sort = $state<{ column: string; descending: boolean } | null>(null);
  /** How many candidates the next batch holds, and the last batch chosen (for this screen and filters). */
  batchSize = $state(10);
  batch = $state.raw<{ readonly for: string; readonly batch: NextBatch } | null>(null);

  /** What a reload keeps (kept-results.ts); reading every field makes an effect that calls this rerun on any change. */
  kept(): Omit<KeptResults, 'screenId'> {
    const { gapText, stableMin, tText, tauMax, sigmaMax, includeText, excludeText, novelOnly, inDomainOnly, gapKind, eHullMax, targetText, rank, batchSize } = this;
    const sort = this.sort ? { column: this.sort.column as SortColumn, descending: this.sort.descending } : null;
    return { gapText, stableMin, tText, tauMax, sigmaMax, includeText, excludeText, novelOnly, inDomainOnly, gapKind, eHullMax, targetText, rank, sort, batchSize };
  }

  /**
   * Applies what a reload kept: readKeptResults returns only the fields it checked, each of this class's
   * type, so they are assigned as they are (through the fields' setters); the screen is the workbench's.
   */
  apply(k: Partial<KeptResults>): void {
    const { screenId: _screen, ...fields } = k;
    Object.assign(this, fields);
  }
}

/** Updating a screen's model with its imported results: the job, its progress and what it did. */
export class ModelUpdateState {
  jobId = $state<number | null>(null);
  screenId = $state<number | null>(null);
  progress = $state.raw<{ readonly member: number; readonly epoch: number; readonly epochs: number; readonly etaSeconds: number } | null>(null);
  /** A step after training (no epochs to count), shown in the progress line's place. */
  phase = $state<string | null>(null);
  summary = $state.raw<TrainSummary | null>(null);
  error = $state<string | null>(null);
}

/** The training view's form and its running job: kept here, so switching views does not lose a job. */
export class TrainingState {
  csv = $state<string | null>(null);
  fileName = $state('');
  columns = $state.raw<TrainRequestColumns | null>(null);
  formulaColumn = $state('formula');
  targets = $state<string[]>([]);
  protocol = $state<'G' | 'rows'>('rows');
  epochs = $state(40);
  members = $state(2);
  dModel = $state(64);
  layers = $state(2);
  activate = $state(false);
  /** Fine-tuning the screening model is the default: 200 measurements are too few to learn from scratch. */
  startFrom = $state<'screening-model' | 'scratch'>('screening-model');
  /** The target stored as the band gap when this model screens ('' = none: the model cannot screen). */
  bandGapTarget = $state('');
  jobId = $state<number | null>(null);
  curves = $state.raw<number[][]>([]);
  eta = $state(0);
  summary = $state.raw<TrainSummary | null>(null);
  error = $state<string | null>(null);
}

export class WorkbenchState {
  readonly results = new ResultsState();
  readonly training = new TrainingState();
  readonly update = new ModelUpdateState();
  view = $state<View>('design');
  elements = $state.raw<readonly ElementInfo[]>([]);
  molecularIons = $state.raw<readonly MolecularIonInfo[]>([]);
  model = $state.raw<ModelSummary | null>(null);
  sites = $state<SiteSets>({ A: [], B: [], X: [] });
  activeSite = $state<SiteLabel>('A');
  mixing = $state<Record<SiteLabel, number | null>>({ A: null, B: null, X: null });
  double = $state(false);
  vacancyOrdered = $state(false);
  layered = $state(false);
  maxElements = $state(6);
  oxidation = $state<'common' | 'icsd' | 'all'>('common');
  tolerance = $state<[number, number] | null>([0.8, 1.1]);
  tauMax = $state<number | null>(null);
  /** Oxidation states by hand, as typed: "Sn:2, Dy:2". */
  statesText = $state('');
  counts = $state.raw<SpaceCounts | null>(null);
  countError = $state<string | null>(null);
  screens = $state.raw<readonly ScreenSummary[]>([]);
  screenId = $state<number | null>(null);
  progress = $state.raw<ScreenProgressState | null>(null);
  screenMessage = $state<string | null>(null);
  selectedCandidate = $state<number | null>(null);
  shortlist = $state.raw<readonly ShortlistItem[]>([]);
  problem = $state<string | null>(null);

  constructor(readonly transport: Transport) {
    transport.onProblem((m) => (this.problem = m));
    transport.onEvent((e) => this.onEvent(e));
  }

  get api(): Transport['api'] {
    return this.transport.api;
  }

  /** True once the kept design and shortlist are applied (saving before that would overwrite them). */
  restored = $state(false);

  /**
   * Loads the workbench; `keptResults` is what this tab kept of the Results view before a reload
   * (its screen is shown if the library still has it).
   */
  async load(keptResults: Partial<KeptResults> = {}): Promise<void> {
    this.results.apply(keptResults);
    this.elements = await this.api.elements({});
    this.molecularIons = await this.api.molecularIons({});
    const kept = await this.api.workspace({});
    if (kept.design) this.applyDesign(kept.design);
    this.shortlist = kept.shortlist;
    this.restored = true;
    this.model = await this.api.model({});
    await this.refreshScreens(keptResults.screenId ?? null);
  }

  /** Reads the screen list; shows `preferred` if the library has it, else the newest when none is shown. */
  async refreshScreens(preferred: number | null = null): Promise<void> {
    this.screens = await this.api.screens({});
    if (preferred !== null && this.screens.some((s) => s.id === preferred)) this.screenId = preferred;
    if (this.screenId === null && this.screens.length) this.screenId = this.screens.at(-1)!.id;
  }

  space(): RequestOf<'count'> {
    const mixing: Partial<Record<SiteLabel, number>> = {};
    for (const s of ['A', 'B', 'X'] as const) if (this.mixing[s] !== null) mixing[s] = this.mixing[s]!;
    const stateOverrides = this.stateOverrides(); // parsed once
    return {
      sites: { A: this.sites.A.filter((s) => isElementSymbol(s) || this.isMolecule(s)), B: this.sites.B.filter(isElementSymbol), X: this.sites.X.filter((s) => isElementSymbol(s) || this.isMolecule(s)) },
      mixing,
      double: this.double,
      ...(this.vacancyOrdered || this.layered ? { layouts: { vacancyOrdered: this.vacancyOrdered, layered: this.layered } } : {}),
      maxElements: this.maxElements,
      oxidationStates: this.oxidation,
      ...(stateOverrides ? { stateOverrides } : {}),
      filters: { tolerance: this.tolerance ? [this.tolerance[0], this.tolerance[1]] : null, octahedral: null, tauMax: this.tauMax },
    };
  }

  /** The design as the library keeps it. */
  design(): Design {
    return {
      sites: { A: [...this.sites.A], B: [...this.sites.B], X: [...this.sites.X] },
      activeSite: this.activeSite,
      mixing: { ...this.mixing },
      double: this.double,
      vacancyOrdered: this.vacancyOrdered,
      layered: this.layered,
      maxElements: this.maxElements,
      oxidation: this.oxidation,
      tolerance: this.tolerance ? [this.tolerance[0], this.tolerance[1]] : null,
      tauMax: this.tauMax,
      statesText: this.statesText,
    };
  }

  applyDesign(d: Design): void {
    this.sites = { A: [...d.sites.A], B: [...d.sites.B], X: [...d.sites.X] };
    this.activeSite = d.activeSite;
    this.mixing = { ...d.mixing };
    this.double = d.double;
    this.vacancyOrdered = d.vacancyOrdered;
    this.layered = d.layered;
    this.maxElements = d.maxElements;
    this.oxidation = d.oxidation;
    this.tolerance = d.tolerance;
    this.tauMax = d.tauMax;
    this.statesText = d.statesText ?? '';
  }

  /** Keeps the shortlist (ids, screens, notes) in the library. */
  private saveShortlist(): void {
    if (!this.restored) return;
    void this.api.saveShortlist({ entries: this.shortlist.map((r) => ({ candidateId: r.id, screenId: r.screenId, note: r.note })) }).catch(() => undefined);
  }

  isMolecule(symbol: string): boolean {
    return this.molecularIons.some((m) => m.abbreviation === symbol);
  }

  /** What the last pick, preset or Clear did to other sites, with the selection before it (for Undo). */
  siteNotice = $state.raw<{ text: string; before: SiteSets } | null>(null);

  /** Sets the selection; a change that moved or removed species elsewhere is said, with Undo. */
  changeSites(next: SiteSets, action: 'pick' | 'preset' | 'clear'): void {
    const before = this.sites;
    const text = describeSiteChanges(before, next, action);
    this.sites = next;
    this.siteNotice = text === null ? null : { text, before: $state.snapshot(before) as SiteSets };
  }

  undoSites(): void {
    if (!this.siteNotice) return;
    this.sites = this.siteNotice.before;
    this.siteNotice = null;
  }

  /**
   * What the model that screened a screen predicts: the labels for that screen's numbers, which need not
   * be the active model's (another model may have been made the screening one since).
   */
  screenRoles(screenId: number | null): ModelRoles {
    return this.screens.find((s) => s.id === screenId)?.roles ?? this.model?.roles ?? { bandGap: null, stability: null };
  }

  get ready(): boolean {
    return this.sites.A.length > 0 && this.sites.B.length > 0 && this.sites.X.length > 0;
  }

  /** The states typed by hand, or null (none, or not readable: designProblem says why). */
  stateOverrides(): Record<string, number[]> | null {
    const r = parseStateOverrides(this.statesText);
    return typeof r === 'string' || Object.keys(r).length === 0 ? null : r;
  }

  /** A sentence for a design the server would refuse, checked where it is typed; null when fine. */
  designProblem(): string | null {
    const n = this.maxElements as number | null | undefined;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 3 || n > 8) return 'Max. elements must be a whole number from 3 to 8.';
    const states = parseStateOverrides(this.statesText);
    if (typeof states === 'string') return states;
    return null;
  }

  async recount(): Promise<void> {
    if (!this.ready) {
      this.counts = null;
      return;
    }
    const problem = this.designProblem();
    if (problem) {
      this.counts = null;
      this.countError = problem;
      return;
    }
    try {
      this.counts = await this.api.count(this.space());
      this.countError = null;
    } catch (e) {
      this.counts = null;
      this.countError = (e as Error).message;
    }
  }

  async startScreen(): Promise<void> {
    this.screenMessage = this.designProblem();
    if (this.screenMessage) return;
    try {
      const { screenId } = await this.api.startScreen({ space: this.space() });
      this.screenId = screenId;
      // progress events may have arrived before this reply: keep them
      if (this.progress?.screenId !== screenId) this.progress = { screenId, done: 0, total: this.counts?.candidates ?? 0, perSecond: 0, etaSeconds: 0 };
      await this.refreshScreens();
    } catch (e) {
      this.screenMessage = (e as Error).message;
    }
  }

  /** Names or annotates a screen; the list shows it at once. */
  async describeScreen(screenId: number, text: { name?: string; note?: string }): Promise<void> {
    const updated = await this.api.describeScreen({ screenId, ...text });
    this.screens = this.screens.map((s) => (s.id === screenId ? updated : s));
  }

  async cancelScreen(): Promise<void> {
    if (this.screenId !== null) await this.api.cancelScreen({ screenId: this.screenId });
  }

  async resumeScreen(id: number): Promise<void> {
    this.screenMessage = null;
    try {
      await this.api.resumeScreen({ screenId: id });
      this.screenId = id;
    } catch (e) {
      this.screenMessage = (e as Error).message;
    }
  }

  /** Fine-tunes the screen's model on its imported results (with rehearsal) and makes it the screening model. */
  async updateModel(screenId: number): Promise<void> {
    const u = this.update;
    u.error = null;
    u.summary = null;
    u.progress = null;
    u.phase = null;
    u.screenId = screenId;
    try {
      u.jobId = (await this.api.updateModel({ screenId, activate: true })).jobId;
    } catch (e) {
      u.error = (e as Error).message;
    }
  }

  async cancelUpdate(): Promise<void> {
    if (this.update.jobId !== null) await this.api.cancelTraining({ jobId: this.update.jobId });
  }

  /** Screens a screen's space again with the (updated) screening model and shows the new screen. */
  async screenAgain(screenId: number): Promise<void> {
    try {
      this.screenId = (await this.api.screenAgain({ screenId })).screenId;
      await this.refreshScreens();
    } catch (e) {
      this.update.error = (e as Error).message;
    }
  }

  private onEvent(e: WorkbenchEvent): void {
    const u = this.update;
    if (e.type === 'train-progress' && e.jobId === u.jobId) u.progress = { member: e.member, epoch: e.epoch, epochs: e.epochs, etaSeconds: e.etaSeconds };
    if (e.type === 'train-phase' && e.jobId === u.jobId) u.phase = e.phase;
    if (e.type === 'train-finished' && e.jobId === u.jobId) {
      void this.api.training({ jobId: e.jobId }).then(async (s) => {
        u.summary = s;
        if (s.status === 'done') this.model = await this.api.model({}); // the updated model screens now
      });
    }
    const t = this.training;
    if (e.type === 'train-progress' && e.jobId === t.jobId) {
      const next = t.curves.map((c) => [...c]);
      while (next.length <= e.member) next.push([]);
      next[e.member]![e.epoch] = e.valMae ?? e.trainLoss;
      t.curves = next;
      t.eta = e.etaSeconds;
    }
    if (e.type === 'train-finished' && e.jobId === t.jobId) {
      void this.api.training({ jobId: e.jobId }).then((s) => {
        t.summary = s;
        if (s.status === 'done' && t.activate) void this.load();
      });
    }
    if (e.type === 'screen-progress') this.progress = e;
    if (e.type === 'screen-finished') {
      this.screenMessage = e.status === 'done' ? `Screen ${e.screenId} finished.` : e.status === 'cancelled' ? `Screen ${e.screenId} was cancelled; you can resume it.` : `Screen ${e.screenId} failed: ${e.error ?? 'unknown error'}`;
      void this.refreshScreens().then(() => {
        const s = this.screens.find((x) => x.id === e.screenId);
        if (s && this.progress?.screenId === e.screenId) this.progress = { ...this.progress, done: s.done, total: s.total ?? s.done, etaSeconds: 0 };
      });
    }
  }

  addToShortlist(rows: readonly CandidateSummary[]): void {
    const have = new Set(this.shortlist.map((r) => r.id));
    const screenId = this.screenId ?? 0;
    this.shortlist = [...this.shortlist, ...rows.filter((r) => !have.has(r.id)).map((r) => ({ ...r, note: '', screenId }))];
    this.saveShortlist();
  }

  /** The last removal, so it can be undone. */
  removed = $state.raw<{ readonly entry: ShortlistItem; readonly at: number } | null>(null);

  removeFromShortlist(id: number): void {
    const at = this.shortlist.findIndex((r) => r.id === id);
    if (at < 0) return;
    this.removed = { entry: this.shortlist[at]!, at };
    this.shortlist = this.shortlist.filter((r) => r.id !== id);
    this.saveShortlist();
  }

  undoRemove(): void {
    if (!this.removed) return;
    const next = [...this.shortlist];
    next.splice(Math.min(this.removed.at, next.length), 0, this.removed.entry);
    this.shortlist = next;
    this.removed = null;
    this.saveShortlist();
  }

  annotate(id: number, note: string): void {
    this.shortlist = this.shortlist.map((r) => (r.id === id ? { ...r, note } : r));
    this.saveShortlist();
  }

  open(candidateId: number): void {
    this.selectedCandidate = candidateId;
    this.view = 'candidate';
  }
}
