/** `pdw enumerate`, `pdw screen`, `pdw resume`, `pdw query`, `pdw export`, `pdw merge`, `pdw screens`: the screening workflow, headless. */
import { createWriteStream, existsSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, join } from 'node:path';
import type { Command } from 'commander';
import { domainText, knownSourcesText } from '../../../shared/api/labels.js';
import { contract, filtersSchema, queryRequestSchema, spaceSchema, SORT_COLUMNS, RANK_MODES, type CandidateFilters, type Space } from '../../../shared/api/contract.js';
import type { ElementSymbol, SiteLabel } from '../../../shared/index.js';
import { loadElementTable } from '../../data/elements/load.js';
import { BARTEL_TAU_THRESHOLD, countSpaceExactly, firstCandidates, parseShard, validateSpace } from '../../services/enumeration.js';
import { importResultsFile, mergeLibraryFiles, openCandidateReader, openScreening, type CandidateQuery, type ScreeningSession } from '../../services/library-files.js';
import type { ScreenInputs } from '../../../shared/api/contract.js';
import { cliContext } from '../context.js';
import { CliError, readTextInput } from '../errors.js';
import { elementList, speciesList, finiteNumber, mixing, nonNegativeInt, positiveInt, positiveNumber, probability, range, stateOverrides } from '../options.js';
import { formatTable, num, printJson } from '../output.js';
import { interruptSignal, progressSink } from '../progress.js';
import { defaultModelDir, ModelStore } from '../../services/models.js';
import { NEXT_BATCH_DEFAULTS } from '../../services/next-batch.js';
import { WRITE_ROWS } from '../../services/screening.js';

const TRANSACTION_HELP = 'candidates stored per transaction (at least one batch; also every 5 s): larger is faster at a million rows, and a killed screen recomputes at most this many';

const nextBatchRequestSchema = contract.nextBatch.request;

export const DEFAULT_LIBRARY = join('workspace', 'library.sqlite');

/** Validates a request against a contract schema, turning the first problem into one CLI error line. */
function checked<T>(what: string, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] } } }, value: unknown): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  throw new CliError(`${what}: ${issue.path.map(String).join('.') || 'value'}: ${issue.message}`);
}

interface SpaceOptions {
  a: string[];
  b: ElementSymbol[];
  x: string[];
  mix?: Partial<Record<SiteLabel, number>>;
  double?: boolean;
  vacancyOrdered?: boolean;
  layered?: boolean;
  maxElements: number;
  oxidation: string;
  states?: Partial<Record<ElementSymbol, number[]>>;
  t: [number, number] | false;
  mu?: [number, number];
  tauMax?: number;
}

function addSpaceOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--a <species>', 'A-site elements and molecular cations, e.g. Ca,Sr,Ba or MA,FA,Cs', speciesList)
    .requiredOption('--b <elements>', 'B-site elements, e.g. Ti,Zr', elementList)
    .requiredOption('--x <species>', 'X-site elements (and formate, HCOO), e.g. O,S or I,Br', speciesList)
    .option('--mix <site:step,...>', 'two-element mixing on a site at a fraction step, e.g. A:0.25,X:0.5', mixing)
    .option('--double', "also enumerate ordered double perovskites A2BB'X6")
    .option('--vacancy-ordered', 'also enumerate vacancy-ordered double perovskites A2BX6 (e.g. Cs2SnI6)')
    .option('--layered', 'also enumerate layered A3B2X9 (e.g. Cs3Bi2I9)')
    .option('--max-elements <n>', 'cap on distinct elements per candidate, a molecular ion counting its atoms (3-8; the bundled models learned up to 6)', positiveInt, 6)
    .option('--oxidation <set>', "oxidation states: common, icsd (an element without ICSD states uses its common ones) or all (pymatgen's full list)", 'common')
    .option('--states <el:state,...>', 'oxidation states set by hand for some elements, replacing the set\'s (e.g. Sn:2,Dy:2)', stateOverrides)
    .option('--t <lo:hi>', 'Goldschmidt tolerance-factor window', range, [0.8, 1.1] as [number, number])
    .option('--no-t', 'no tolerance-factor filter')
    .option('--mu <lo:hi>', 'octahedral-factor window (e.g. 0.414:0.732)', range)
    .option('--tau-max <tau>', `keep Bartel tau below this (perovskite: ${BARTEL_TAU_THRESHOLD})`, finiteNumber);
}

/** The space as the contract defines it (the same rules as the UI's requests). */
function spaceFrom(o: SpaceOptions): Space {
  return checked('the space', spaceSchema, {
    sites: { A: o.a, B: o.b, X: o.x },
    mixing: o.mix ?? {},
    double: o.double ?? false,
    ...(o.vacancyOrdered || o.layered ? { layouts: { vacancyOrdered: o.vacancyOrdered ?? false, layered: o.layered ?? false } } : {}),
    maxElements: o.maxElements,
    oxidationStates: o.oxidation,
    ...(o.states ? { stateOverrides: o.states } : {}),
    filters: { tolerance: o.t === false ? null : o.t, octahedral: o.mu ?? null, tauMax: o.tauMax ?? null },
  });
}

function radiiText(radii: readonly { element: string; oxidationState: number; radius: number; coordination: number; fallback: boolean; source: string }[]): string {
  return radii.map((r) => `${r.element}${r.oxidationState > 0 ? '+' : ''}${r.oxidationState} ${r.radius} (${r.coordination}${r.fallback ? '*' : ''}${r.source === 'pymatgen' ? '' : r.source === 'molecular ion' ? ', effective' : ', csv'})`).join(' ');
}

function signed(states: Readonly<Record<string, number | undefined>>): string {
  return Object.entries(states).map(([e, s]) => `${e}${s! > 0 ? '+' : ''}${s}`).join(' ');
}

export function registerScreening(program: Command): void {
  addSpaceOptions(
    program
      .command('enumerate')
      .description('list (or --count) the candidate compositions for A, B and X element sets')
      .option('--count', 'only count, exactly, with the rejections at each filter')
      .option('--limit <n>', 'print at most n candidates', positiveInt, 50)
      .option('--json', 'print JSON'),
  ).action(async (opts: SpaceOptions & { count?: boolean; limit: number; json?: boolean }) => {
    const table = loadElementTable();
    const space = spaceFrom(opts);
    if (opts.count) {
      const interrupt = interruptSignal('counting');
      try {
        const counts = await countSpaceExactly(table, space, undefined, interrupt.signal);
        if (opts.json) printJson(counts);
        else {
          console.log(`${counts.candidates} candidates (${counts.combinations} site combinations, ${counts.chargeNeutral} charge-neutral; rejected: ${Object.entries(counts.rejected).map(([k, v]) => `${k} ${v}`).join(', ')})`);
          const missing = Object.entries(counts.missingRadii);
          if (missing.length) console.log(`no Shannon radius for: ${missing.map(([ion, n]) => `${ion} (${n} combinations)`).join(', ')}; give these elements other states with --states, or use --oxidation all`);
          for (const note of counts.notes) console.log(`note: ${note}`);
        }
      } finally {
        interrupt.dispose();
      }
      return;
    }
    const rows = firstCandidates(table, space, opts.limit);
    if (opts.json) {
      printJson(rows);
      return;
    }
    console.log(formatTable(['seq', 'formula', 'oxidation states', 't', 'mu', 'tau', 'radii (Å, CN, source)'], rows.map((c) => [c.seq, c.formula, signed(c.oxidationStates), num(c.tolerance, 4), num(c.octahedral, 3), c.tau === null ? '-' : num(c.tau, 3), radiiText(c.radii)])));
    console.log('radii: Shannon ionic radii at CN 12 (A) and 6 (B, X); * = nearest CN (fallback); source pymatgen, or csv = the bundle\'s shannon_radii.csv (Bartel et al.)');
  });

  addSpaceOptions(
    program
      .command('screen')
      .description('enumerate candidates, predict them with the model, and store them in the library (resumable)')
      .option('--model <dir>', 'model folder (default: resources/models/default)')
      .option('--library <file>', 'SQLite library file', DEFAULT_LIBRARY)
      .option('--shard <K/N>', 'screen only the K-th of N deterministic parts (for job arrays)')
      .option('--workers <n>', 'prediction worker threads', positiveInt, Math.max(1, availableParallelism()))
      .option('--batch <n>', 'candidates per prediction batch', positiveInt, 2048)
      .option('--transaction <n>', TRANSACTION_HELP, positiveInt, WRITE_ROWS)
      .option('--backend <name>', 'tensorflow-gpu | tensorflow | wasm | cpu')
      .option('--quiet', 'no progress output'),
  ).action(async (opts: SpaceOptions & { model?: string; library: string; shard?: string; workers: number; batch: number; transaction: number; backend?: string; quiet?: boolean }) => {
    const ctx = await cliContext(opts.backend, opts.model);
    const space = spaceFrom(opts);
    const shard = opts.shard ? parseShard(opts.shard) : null;
    const inputs: ScreenInputs = { options: space, modelDir: ctx.models.activeDir, shard };
    validateSpace(ctx.table, space); // fail before the library is opened
    const session = openScreening(opts.library, { table: ctx.table, models: ctx.models, backend: ctx.backend.name, workers: opts.workers });
    await screenWithProgress(session, { inputs, batchSize: opts.batch, writeRows: opts.transaction, quiet: opts.quiet ?? false });
  });

  program
    .command('resume')
    .description('resume a cancelled or interrupted screen')
    .argument('<screen-id>', 'screen id', positiveInt)
    .option('--library <file>', 'SQLite library file', DEFAULT_LIBRARY)
    .option('--workers <n>', 'prediction worker threads', positiveInt, Math.max(1, availableParallelism()))
    .option('--transaction <n>', TRANSACTION_HELP, positiveInt, WRITE_ROWS)
    .option('--backend <name>', 'tensorflow-gpu | tensorflow | wasm | cpu')
    .option('--quiet', 'no progress output')
    .action(async (id: number, opts: { library: string; workers: number; transaction: number; backend?: string; quiet?: boolean }) => {
      const ctx = await cliContext(opts.backend);
      const session = openScreening(opts.library, { table: ctx.table, models: ctx.models, backend: ctx.backend.name, workers: opts.workers });
      await screenWithProgress(session, { resumeId: id, batchSize: 2048, writeRows: opts.transaction, quiet: opts.quiet ?? false });
    });

  const addQueryOptions = (cmd: Command): Command =>
    cmd
      .requiredOption('--screen <id>', 'screen id', positiveInt)
      .option('--library <file>', 'SQLite library file', DEFAULT_LIBRARY)
      .option('--gap <lo:hi>', 'band-gap range (eV)', range)
      .option('--stable <p>', 'minimum P(stable)', probability)
      .option('--t <lo:hi>', 'tolerance-factor range', range)
      .option('--mu <lo:hi>', 'octahedral-factor range', range)
      .option('--tau <lo:hi>', 'tau range', range)
      .option('--sigma-max <eV>', 'maximum band-gap sigma (eV)', positiveNumber)
      .option('--include <elements>', 'candidates must contain all of these', elementList)
      .option('--exclude <elements>', 'candidates must contain none of these', elementList)
      .option('--novel-only', 'only compositions that no bundled dataset records (mp_abx3, mp_gap, expt_gap)')
      .option('--in-domain-only', "only predictions within the model's calibrated applicability domain (no extrapolations)")
      .option('--gap-kind <pbe|expt>', "which predicted gap --gap, --sigma-max, --target and the rankings read: pbe (the PBE head, default) or expt (the experimental-gap head, for a model that has one)")
      .option('--e-hull-max <eV/atom>', 'highest predicted energy above hull (eV/atom), e.g. 0.05 for metastable within 50 meV/atom', finiteNumber);

  const reader = (file: string) => {
    const table = loadElementTable();
    return openCandidateReader(file, table, new ModelStore(table, defaultModelDir()));
  };

  addQueryOptions(program.command('query').description('filter, sort or rank the candidates of a screen'))
    .option('--sort <column[:desc]>', `sort by ${SORT_COLUMNS.join(', ')}`)
    .option('--rank <mode>', `${RANK_MODES.join(' | ')}: rank against --target`)
    .option('--target <lo:hi>', 'target band-gap window for ranking (eV)', range)
    .option('--kappa <k>', 'exploration weight of the ucb ranking', finiteNumber, 1)
    .option('--limit <n>', 'rows per page (at most 5000)', positiveInt, 20)
    .option('--offset <n>', 'skip this many rows', nonNegativeInt, 0)
    .option('--exact', 'count every match (slower on millions of rows; by default counting stops past 10,000)')
    .option('--json', 'print JSON')
    .action((opts: QueryCliOptions & { sort?: string; rank?: string; target?: [number, number]; kappa: number; limit: number; offset: number; exact?: boolean; json?: boolean }) => {
      if (opts.rank && !opts.target) throw new CliError('--rank needs --target LO:HI (the band-gap window in eV)');
      const [column, dir] = (opts.sort ?? '').split(':');
      if (opts.sort && !(SORT_COLUMNS as readonly string[]).includes(column!)) throw new CliError(`cannot sort by '${column}' (choose ${SORT_COLUMNS.join(', ')})`);
      if (opts.rank && !(RANK_MODES as readonly string[]).includes(opts.rank)) throw new CliError(`unknown ranking '${opts.rank}' (choose ${RANK_MODES.join(', ')})`);
      const request = checked('the query', queryRequestSchema, {
        ...filtersFrom(opts),
        limit: opts.limit,
        offset: opts.offset,
        ...(opts.sort ? { sort: { column, descending: dir === 'desc' } } : {}),
        ...(opts.rank ? { rank: { mode: opts.rank, window: opts.target, kappa: opts.kappa } } : {}),
      });
      const query: CandidateQuery = { ...request, exactTotal: opts.exact ?? false };
      const library = reader(opts.library);
      const t0 = performance.now();
      const result = library.candidates.query(query);
      const ms = performance.now() - t0;
      const gap = library.candidates.gapLabel(request.screenId);
      const roles = library.candidates.roles(request.screenId);
      library.close();
      if (opts.json) {
        printJson({ total: result.total, exact: result.exact, milliseconds: ms, rows: result.rows });
        return;
      }
      console.log(`${result.exact ? '' : 'more than '}${result.exact ? result.total : result.total - 1} candidates match (${ms.toFixed(0)} ms); showing ${result.rows.length} from ${opts.offset}; gap: ${gap.meaning}`);
      const withImports = result.rows.some((r) => r.imported?.length);
      const withExpt = result.rows.some((r) => r.gapExpt != null);
      const withHull = result.rows.some((r) => r.eHull != null);
      console.log(formatTable(['seq', 'formula', `${gap.header} ± σ`, ...(withExpt ? ['expt gap (eV) ± σ'] : []), 'P(stable)', ...(withHull ? ['E_hull (meV/atom) ± σ'] : []), 't', 'tau', 'domain', 'recorded in', ...(withImports ? ['imported (not predicted)'] : []), ...(opts.rank ? [opts.rank === 'pareto' ? 'front' : 'score'] : [])], result.rows.map((r) => [
        r.seq, r.formula, plusMinus(r.bandGap, r.bandGapSigma),
        ...(withExpt ? [plusMinus(r.gapExpt, r.gapExptSigma)] : []),
        plusMinus(r.pStable, r.pStableSpread),
        ...(withHull ? [meV(r.eHull, r.eHullSigma)] : []),
        num(r.t, 4), r.tau === null ? '-' : num(r.tau, 3),
        domainText(r.domain),
        knownSourcesText(r.known),
        ...(withImports ? [(r.imported ?? []).map((v) => `${v.target} ${Number(v.value.toPrecision(4))} (${v.source})`).join('; ')] : []),
        ...(r.score !== undefined ? [num(r.score, 4)] : []),
      ])));
      if (withExpt || withHull) console.log(`${withExpt ? `expt gap: ${roles.experimentalGap?.meaning ?? 'experimental band gap'}. ` : ''}${withHull ? `E_hull: ${roles.energyAboveHull?.meaning ?? 'energy above hull'}, in meV/atom.` : ''}`);
      console.log("domain: 'in' or 'EXTRAPOLATION' with the latent distance to the model's nearest training composition ('-': the model has no calibrated domain)");
      console.log("recorded in: the bundled datasets that record the composition (MP ABX3 = Materials Project seed set, MP gap = Matbench mp_gap, expt = Matbench expt_gap; '-' none, '?' not checked); `pdw predict FORMULA` lists their values");
    });

  addQueryOptions(program.command('next-batch').description('choose k candidates to compute next: UCB acquisition for a gap window, spread out in composition (local penalization)'))
    .requiredOption('--target <lo:hi>', 'target band-gap window (eV)', range)
    .option('--k <n>', 'how many candidates (at most 200)', positiveInt, 10)
    .option('--kappa <k>', 'exploration weight of the UCB acquisition', finiteNumber, NEXT_BATCH_DEFAULTS.kappa)
    .option('--length-scale <l>', 'how far apart (composition distance, 0-1) picks should be; larger spreads the batch more', positiveNumber, NEXT_BATCH_DEFAULTS.lengthScale)
    .option('--json', 'print JSON')
    .action((opts: QueryCliOptions & { target: [number, number]; k: number; kappa: number; lengthScale: number; json?: boolean }) => {
      const request = checked('the next batch', nextBatchRequestSchema, { ...filtersFrom(opts), window: opts.target, k: opts.k, kappa: opts.kappa, lengthScale: opts.lengthScale });
      const library = reader(opts.library);
      try {
        const batch = library.candidates.nextBatch(request);
        if (opts.json) return printJson(batch);
        const gap = library.candidates.gapLabel(request.screenId);
        console.log(`${batch.rows.length} candidates to compute next, chosen from the best ${batch.pool.toLocaleString('en')} by: ${batch.method}; gap: ${gap.meaning}`);
        console.log(formatTable(['pick', 'seq', 'formula', `${gap.header} ± σ`, 'P(stable)', 'domain', 'acquisition', 'when picked', 'rank by acquisition', 'distance to earlier picks'], batch.rows.map((r, i) => [
          i + 1, r.seq, r.formula, plusMinus(r.bandGap, r.bandGapSigma),
          plusMinus(r.pStable, r.pStableSpread), domainText(r.domain), num(r.acquisition, 4), num(r.penalized, 4), r.poolRank, r.nearestPick === null ? '-' : num(r.nearestPick, 3),
        ])));
      } finally {
        library.close();
      }
    });

  addQueryOptions(program.command('export').description('write the (filtered) candidates of a screen to a shortlist CSV'))
    .requiredOption('--out <file>', 'CSV file to write')
    .action(async (opts: QueryCliOptions & { out: string }) => {
      const filters = filtersFrom(opts);
      const library = reader(opts.library);
      try {
        const n = await library.candidates.exportCsv(filters, createWriteStream(opts.out));
        console.log(`wrote ${n} candidates to ${opts.out}`);
      } finally {
        library.close();
      }
    });

  program
    .command('structures')
    .description('write DFT starting structures (POSCAR + CIF per candidate, README of the assumptions) for candidates, zipped')
    .argument('<candidate-ids...>', 'candidate ids (pdw query --json shows them)')
    .option('--library <file>', 'SQLite library file', DEFAULT_LIBRARY)
    .requiredOption('--out <file.zip>', 'zip file to write')
    .action((ids: string[], opts: { library: string; out: string }) => {
      const candidateIds = ids.map((v) => positiveInt(v));
      const library = reader(opts.library);
      try {
        const r = library.candidates.structures(candidateIds);
        writeFileSync(opts.out, r.zip);
        console.log(`wrote ${opts.out}: POSCAR and CIF for ${r.written.length} candidates (${r.written.join(', ') || 'none'})`);
        for (const s of r.skipped) console.log(`not written: ${s.formula}: ${s.reason}`);
      } finally {
        library.close();
      }
    });

  program
    .command('import-results')
    .description('store computed or measured values for candidates of a screen (a CSV: a formula column and any of the model\'s targets), beside the predictions')
    .requiredOption('--screen <id>', 'screen id', positiveInt)
    .requiredOption('--file <csv>', 'the CSV file')
    .requiredOption('--source <label>', 'where the values come from, e.g. "PBE, my group" or "experiment"')
    .option('--formula-column <name>', 'the column holding the formulas', 'formula')
    .option('--library <file>', 'library file', DEFAULT_LIBRARY)
    .option('--json', 'print the summary as JSON')
    .action((opts: { screen: number; file: string; source: string; formulaColumn: string; library: string; json?: boolean }) => {
      const csv = readTextInput(opts.file);
      if (!existsSync(opts.library)) throw new CliError(`no library at ${opts.library}`);
      const request = checked('the import', contract.importResults.request, { screenId: opts.screen, csv, fileName: basename(opts.file), source: opts.source, formulaColumn: opts.formulaColumn });
      const r = importResultsFile(opts.library, loadElementTable(), request);
      if (opts.json) return printJson(r);
      console.log(`imported ${r.added} values of ${r.targets.join(', ')} for ${r.candidates} candidates of screen ${r.screenId} (source: ${request.source})${r.duplicates ? `; ${r.duplicates} already there` : ''}`);
      if (r.ignoredColumns.length) console.log(`columns not imported (not a target of the screen's model): ${r.ignoredColumns.join(', ')}`);
      for (const p of r.problems.slice(0, 50)) console.log(`not imported: line ${p.line}${p.column ? ` (${p.column})` : ''}: ${p.reason}`);
      if (r.problems.length > 50) console.log(`... and ${r.problems.length - 50} more rows not imported`);
      if (r.problems.length) process.exitCode = 1;
    });

  program
    .command('merge')
    .description('merge libraries (e.g. the shards of a job array) into one, without duplicates')
    .argument('<sources...>', 'library files to merge in')
    .requiredOption('--into <file>', 'library file to merge into (created if missing)')
    .action((sources: string[], opts: { into: string }) => {
      const r = mergeLibraryFiles(opts.into, sources, loadElementTable());
      console.log(`merged ${sources.length} libraries into ${opts.into}: ${r.candidates} candidates added to ${r.screens} screen(s)`);
      for (const s of r.screenList) console.log(`  screen ${s.id}: ${s.done}/${s.total ?? '?'} candidates, ${s.status}`);
    });

  program
    .command('screens')
    .description('list the screens in a library')
    .option('--library <file>', 'SQLite library file', DEFAULT_LIBRARY)
    .action((opts: { library: string }) => {
      const library = reader(opts.library);
      const screens = library.screens();
      library.close();
      console.log(formatTable(['id', 'status', 'done', 'total', 'model', 'updated'], screens.map((s) => [s.id, s.status, s.done, s.total ?? '-', s.modelId, s.updatedAt])));
    });
}

/** A predicted value and its sigma (or spread) for a table cell; '-' where there is none. */
function plusMinus(value: number | null | undefined, sigma: number | null | undefined): string {
  return value == null ? '-' : `${num(value, 3)} ± ${num(sigma ?? 0, 2)}`;
}

/** An energy in eV/atom and its sigma, shown in meV/atom; '-' where there is none. */
function meV(value: number | null | undefined, sigma: number | null | undefined): string {
  return value == null ? '-' : `${Math.round(value * 1000)} ± ${Math.round((sigma ?? 0) * 1000)}`;
}

interface QueryCliOptions {
  screen: number;
  library: string;
  gap?: [number, number];
  stable?: number;
  t?: [number, number];
  mu?: [number, number];
  tau?: [number, number];
  sigmaMax?: number;
  include?: string[];
  exclude?: string[];
  novelOnly?: boolean;
  inDomainOnly?: boolean;
  gapKind?: string;
  eHullMax?: number;
}

function filtersFrom(o: QueryCliOptions): CandidateFilters {
  return checked('the filters', filtersSchema, {
    screenId: o.screen,
    ...(o.gap ? { gap: o.gap } : {}),
    ...(o.stable !== undefined ? { stableMin: o.stable } : {}),
    ...(o.t ? { tolerance: o.t } : {}),
    ...(o.mu ? { octahedral: o.mu } : {}),
    ...(o.tau ? { tau: o.tau } : {}),
    ...(o.sigmaMax !== undefined ? { sigmaMax: o.sigmaMax } : {}),
    ...(o.include ? { include: o.include } : {}),
    ...(o.exclude ? { exclude: o.exclude } : {}),
    ...(o.novelOnly ? { novelOnly: true } : {}),
    ...(o.inDomainOnly ? { inDomainOnly: true } : {}),
    ...(o.gapKind !== undefined ? { gapKind: o.gapKind } : {}),
    ...(o.eHullMax !== undefined ? { eHullMax: o.eHullMax } : {}),
  });
}

async function screenWithProgress(session: ScreeningSession, args: { inputs?: ScreenInputs; resumeId?: number; batchSize: number; writeRows: number; quiet: boolean }): Promise<void> {
  const sink = progressSink('screen', 'candidates', args.quiet);
  const interrupt = interruptSignal('the screen');
  let started: number | null = null;
  let stored = 0;
  try {
    const result = await session.screening
      .run({
        batchSize: args.batchSize,
        writeRows: args.writeRows,
        signal: interrupt.signal,
        onStart: (id) => (started = id),
        onProgress: (p) => {
          stored = p.done;
          sink.update(p.done, p.total, `screen ${p.screenId}`);
        },
        ...(args.inputs ? { inputs: args.inputs } : {}),
        ...(args.resumeId !== undefined ? { resumeId: args.resumeId } : {}),
      })
      .catch((e: unknown) => {
        // a failed write (disk full, I/O error) leaves every stored batch intact: say where, and how to go on
        const message = e instanceof Error ? e.message : String(e);
        if (started === null) throw new CliError(`${message} (library ${session.file})`);
        throw new CliError(`${message} (library ${session.file}); screen ${started} keeps its ${stored} stored candidates: free some space, then resume with: pdw resume ${started} --library ${session.file}`);
      });
    sink.stop();
    const rate = result.seconds > 0 ? ` in ${result.seconds.toFixed(1)} s` : '';
    if (result.status === 'cancelled') {
      console.log(`screen ${result.screenId} cancelled at ${result.done}/${result.total}; resume with: pdw resume ${result.screenId} --library ${session.file}`);
      process.exitCode = 130;
    } else console.log(`screen ${result.screenId}: ${result.done}/${result.total} candidates stored in ${session.file}${rate}`);
  } finally {
    sink.stop();
    interrupt.dispose();
    await session.close();
  }
}
