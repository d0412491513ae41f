/** `pdw enumerate`, `pdw screen`, `pdw query`, `pdw export`, `pdw merge`: the screening workflow, headless. */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { isElementSymbol, type ElementSymbol, type SiteLabel } from '../../../shared/index.js';
import { loadElementTable } from '../../data/elements/load.js';
import { initBackend } from '../../engine/backend.js';
import { countCandidates, enumerateCandidates, EnumerationError, validateOptions } from '../../enumerate/enumerate.js';
import { BARTEL_TAU_THRESHOLD } from '../../enumerate/geometry.js';
import type { EnumerationOptions, OxidationStateSet } from '../../enumerate/types.js';
import { exportCsv } from '../../library/export.js';
import { Library, LibraryError } from '../../library/library.js';
import { mergeLibraries } from '../../library/merge.js';
import { queryCandidates, SORT_COLUMNS, type CandidateQuery, type RankMode, type SortColumn } from '../../library/query.js';
import { parseShard, runScreen } from '../../screen/screen.js';
import { CliError } from '../errors.js';
import { formatTable, num, printJson } from '../output.js';
import { interruptSignal, progressSink } from '../progress.js';
import { positiveInt } from './featurize.js';
import { defaultModelDir } from './predict.js';

export const DEFAULT_LIBRARY = join('workspace', 'library.sqlite');

function elementList(value: string): ElementSymbol[] {
  const list = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const e of list) if (!isElementSymbol(e)) throw new InvalidArgumentError(`'${e}' is not an element symbol`);
  return list as ElementSymbol[];
}

export function range(value: string): [number, number] {
  const m = /^\s*(-?[\d.]+)\s*:\s*(-?[\d.]+)\s*$/.exec(value);
  const lo = Number(m?.[1]);
  const hi = Number(m?.[2]);
  if (!m || !Number.isFinite(lo) || !Number.isFinite(hi) || lo > hi) throw new InvalidArgumentError(`'${value}' is not a range LO:HI`);
  return [lo, hi];
}

function mixing(value: string): Partial<Record<SiteLabel, number>> {
  const out: Partial<Record<SiteLabel, number>> = {};
  for (const part of value.split(',')) {
    const m = /^\s*([ABX])\s*:\s*([\d.]+)\s*$/.exec(part);
    if (!m) throw new InvalidArgumentError(`'${part}' is not SITE:STEP (e.g. A:0.25)`);
    out[m[1] as SiteLabel] = Number(m[2]);
  }
  return out;
}

function number01(value: string): number {
  const n = Number(value);
  if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError(`'${value}' is not a probability in [0, 1]`);
  return n;
}

interface SpaceOptions {
  a: ElementSymbol[];
  b: ElementSymbol[];
  x: ElementSymbol[];
  mix?: Partial<Record<SiteLabel, number>>;
  double?: boolean;
  maxElements: number;
  oxidation: string;
  t: [number, number] | false;
  mu?: [number, number];
  tauMax?: number;
}

function addSpaceOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--a <elements>', 'A-site elements, e.g. Ca,Sr,Ba', elementList)
    .requiredOption('--b <elements>', 'B-site elements, e.g. Ti,Zr', elementList)
    .requiredOption('--x <elements>', 'X-site elements, e.g. O,S', elementList)
    .option('--mix <site:step,...>', 'two-element mixing on a site at a fraction step, e.g. A:0.25,X:0.5', mixing)
    .option('--double', "also enumerate ordered double perovskites A2BB'X6")
    .option('--max-elements <n>', 'cap on distinct elements per candidate', positiveInt, 6)
    .option('--oxidation <set>', 'oxidation states: common or icsd', 'common')
    .option('--t <lo:hi>', 'Goldschmidt tolerance-factor window', range, [0.8, 1.1] as [number, number])
    .option('--no-t', 'no tolerance-factor filter')
    .option('--mu <lo:hi>', 'octahedral-factor window (e.g. 0.414:0.732)', range)
    .option('--tau-max <tau>', `keep Bartel tau below this (perovskite: ${BARTEL_TAU_THRESHOLD})`, Number);
}

function spaceFrom(o: SpaceOptions): EnumerationOptions {
  if (o.oxidation !== 'common' && o.oxidation !== 'icsd') throw new CliError(`--oxidation must be common or icsd, got '${o.oxidation}'`);
  return {
    sites: { A: o.a, B: o.b, X: o.x },
    mixing: o.mix ?? {},
    double: o.double ?? false,
    maxElements: o.maxElements,
    oxidationStates: o.oxidation as OxidationStateSet,
    filters: { tolerance: o.t === false ? null : o.t, octahedral: o.mu ?? null, tauMax: o.tauMax ?? null },
  };
}

function openLibrary(file: string, readonly = false): Library {
  try {
    return new Library(file, { readonly });
  } catch (e) {
    if (e instanceof LibraryError) throw new CliError(e.message);
    throw e;
  }
}

function guard<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof EnumerationError || e instanceof LibraryError) throw new CliError(e.message);
    throw e;
  }
}

export function registerScreening(program: Command): void {
  addSpaceOptions(
    program
      .command('enumerate')
      .description('list (or --count) the candidate compositions for A, B and X element sets')
      .option('--count', 'only count, exactly, with the rejections at each filter')
      .option('--limit <n>', 'print at most n candidates', positiveInt, 50)
      .option('--json', 'print JSON'),
  ).action((opts: SpaceOptions & { count?: boolean; limit: number; json?: boolean }) => {
    const table = loadElementTable();
    const space = spaceFrom(opts);
    if (opts.count) {
      const counts = guard(() => countCandidates(table, space));
      if (opts.json) printJson(counts);
      else console.log(`${counts.candidates} candidates (${counts.combinations} site combinations, ${counts.chargeNeutral} charge-neutral; rejected: ${Object.entries(counts.rejected).map(([k, v]) => `${k} ${v}`).join(', ')})`);
      return;
    }
    const rows = [];
    for (const c of guard(() => [...take(enumerateCandidates(table, space), opts.limit)])) rows.push(c);
    if (opts.json) {
      printJson(rows.map(({ composition: _c, ...rest }) => rest));
      return;
    }
    console.log(formatTable(['seq', 'formula', 'oxidation states', 't', 'mu', 'tau'], rows.map((c) => [c.seq, c.formula, Object.entries(c.oxidationStates).map(([e, s]) => `${e}${s! > 0 ? '+' : ''}${s}`).join(' '), num(c.tolerance, 4), num(c.octahedral, 3), c.tau === null ? '-' : num(c.tau, 3)])));
  });

  addSpaceOptions(
    program
      .command('screen')
      .description('enumerate candidates, predict them with the model, and store them in the library (resumable)')
      .option('--model <dir>', 'model folder (default: resources/models/default)')
      .option('--library <file>', 'SQLite library file', DEFAULT_LIBRARY)
      .option('--shard <K/N>', 'screen only the K-th of N deterministic parts (for job arrays)')
      .option('--workers <n>', 'prediction worker threads', positiveInt, Math.max(1, availableParallelism()))
      .option('--batch <n>', 'candidates per batch', positiveInt, 2048)
      .option('--backend <name>', 'tensorflow-gpu | tensorflow | wasm | cpu')
      .option('--quiet', 'no progress output'),
  ).action(async (opts: SpaceOptions & { model?: string; library: string; shard?: string; workers: number; batch: number; backend?: string; quiet?: boolean }) => {
    const backend = await initBackend(opts.backend);
    const table = loadElementTable();
    const space = spaceFrom(opts);
    guard(() => validateOptions(table, space)); // fail before opening the library
    const library = openLibrary(opts.library);
    const shard = opts.shard ? guard(() => parseShard(opts.shard!)) : null;
    await screenWithProgress(library, { inputs: { options: space, modelDir: opts.model ?? defaultModelDir(), shard }, workers: opts.workers, batchSize: opts.batch, backend: backend.name, quiet: opts.quiet ?? false });
  });

  program
    .command('resume')
    .description('resume a cancelled or interrupted screen')
    .argument('<screen-id>', 'screen id', positiveInt)
    .option('--library <file>', 'SQLite library file', DEFAULT_LIBRARY)
    .option('--workers <n>', 'prediction worker threads', positiveInt, Math.max(1, availableParallelism()))
    .option('--backend <name>', 'tensorflow-gpu | tensorflow | wasm | cpu')
    .option('--quiet', 'no progress output')
    .action(async (id: number, opts: { library: string; workers: number; backend?: string; quiet?: boolean }) => {
      const backend = await initBackend(opts.backend);
      const library = openLibrary(opts.library);
      guard(() => library.screen(id));
      await screenWithProgress(library, { resumeId: id, workers: opts.workers, batchSize: 2048, backend: backend.name, quiet: opts.quiet ?? false });
    });

  const addQueryOptions = (cmd: Command): Command =>
    cmd
      .requiredOption('--screen <id>', 'screen id', positiveInt)
      .option('--library <file>', 'SQLite library file', DEFAULT_LIBRARY)
      .option('--gap <lo:hi>', 'band-gap range (eV)', range)
      .option('--stable <p>', 'minimum P(stable)', number01)
      .option('--t <lo:hi>', 'tolerance-factor range', range)
      .option('--mu <lo:hi>', 'octahedral-factor range', range)
      .option('--tau <lo:hi>', 'tau range', range)
      .option('--sigma-max <eV>', 'maximum band-gap sigma', Number)
      .option('--include <elements>', 'candidates must contain all of these', elementList)
      .option('--exclude <elements>', 'candidates must contain none of these', elementList);

  addQueryOptions(program.command('query').description('filter, sort or rank the candidates of a screen'))
    .option('--sort <column[:desc]>', `sort by ${SORT_COLUMNS.join(', ')}`)
    .option('--rank <mode>', 'window | ucb | pareto: rank against --target')
    .option('--target <lo:hi>', 'target band-gap window for ranking (eV)', range)
    .option('--kappa <k>', 'exploration weight of the ucb ranking', Number, 1)
    .option('--limit <n>', 'rows per page', positiveInt, 20)
    .option('--offset <n>', 'skip this many rows', (v) => Number(v), 0)
    .option('--exact', 'count every match (slower on millions of rows; by default counting stops past 10,000)')
    .option('--json', 'print JSON')
    .action((opts: QueryCliOptions & { sort?: string; rank?: string; target?: [number, number]; kappa: number; limit: number; offset: number; exact?: boolean; json?: boolean }) => {
      const library = openLibrary(opts.library, true);
      const q: CandidateQuery = { ...filtersFrom(opts), limit: opts.limit, offset: opts.offset, exactTotal: opts.exact ?? false };
      let query = q;
      if (opts.sort) {
        const [column, dir] = opts.sort.split(':');
        if (!(SORT_COLUMNS as readonly string[]).includes(column!)) throw new CliError(`cannot sort by '${column}' (choose ${SORT_COLUMNS.join(', ')})`);
        query = { ...query, sort: { column: column as SortColumn, descending: dir === 'desc' } };
      }
      if (opts.rank) {
        if (!['window', 'ucb', 'pareto'].includes(opts.rank)) throw new CliError(`unknown ranking '${opts.rank}' (choose window, ucb, pareto)`);
        if (!opts.target) throw new CliError('--rank needs --target LO:HI (the band-gap window in eV)');
        query = { ...query, rank: { mode: opts.rank as RankMode, window: opts.target, kappa: opts.kappa } };
      }
      const t0 = performance.now();
      const result = guard(() => queryCandidates(library, query));
      const ms = performance.now() - t0;
      if (opts.json) {
        printJson({ total: result.total, exact: result.exact, milliseconds: ms, rows: result.rows });
        return;
      }
      console.log(`${result.exact ? '' : 'more than '}${result.exact ? result.total : result.total - 1} candidates match (${ms.toFixed(0)} ms); showing ${result.rows.length} from ${opts.offset}`);
      console.log(formatTable(['seq', 'formula', 'gap (eV)', 'P(stable)', 't', 'tau', ...(opts.rank ? [opts.rank === 'pareto' ? 'front' : 'score'] : [])], result.rows.map((r) => [
        r.seq, r.formula, r.bandGap === null ? '-' : `${num(r.bandGap, 3)} ± ${num(r.bandGapSigma ?? 0, 2)}`,
        r.pStable === null ? '-' : `${num(r.pStable, 3)} ± ${num(r.pStableSpread ?? 0, 2)}`, num(r.t, 4), r.tau === null ? '-' : num(r.tau, 3),
        ...(r.score !== undefined ? [num(r.score, 4)] : []),
      ])));
    });

  addQueryOptions(program.command('export').description('write the (filtered) candidates of a screen to a shortlist CSV'))
    .requiredOption('--out <file>', 'CSV file to write')
    .action(async (opts: QueryCliOptions & { out: string }) => {
      const library = openLibrary(opts.library, true);
      const n = await exportCsv(library, filtersFrom(opts), opts.out).catch((e: Error) => {
        throw new CliError(e.message);
      });
      console.log(`wrote ${n} candidates to ${opts.out}`);
    });

  program
    .command('merge')
    .description('merge libraries (e.g. the shards of a job array) into one, without duplicates')
    .argument('<sources...>', 'library files to merge in')
    .requiredOption('--into <file>', 'library file to merge into (created if missing)')
    .action((sources: string[], opts: { into: string }) => {
      const target = openLibrary(opts.into);
      const r = guard(() => mergeLibraries(target, sources));
      console.log(`merged ${sources.length} libraries into ${opts.into}: ${r.candidates} candidates added to ${r.screens} screen(s)`);
      for (const s of target.screens()) console.log(`  screen ${s.id}: ${s.done}/${s.total ?? '?'} candidates, ${s.status}`);
      target.close();
    });

  program
    .command('screens')
    .description('list the screens in a library')
    .option('--library <file>', 'SQLite library file', DEFAULT_LIBRARY)
    .action((opts: { library: string }) => {
      const library = openLibrary(opts.library, true);
      console.log(formatTable(['id', 'status', 'done', 'total', 'shard', 'model', 'updated'], library.screens().map((s) => [s.id, s.status, s.done, s.total ?? '-', s.shard ?? '-', s.modelId, s.updatedAt])));
    });
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
}

function filtersFrom(o: QueryCliOptions): CandidateQuery {
  return {
    screenId: o.screen,
    ...(o.gap ? { gap: o.gap } : {}),
    ...(o.stable !== undefined ? { stableMin: o.stable } : {}),
    ...(o.t ? { tolerance: o.t } : {}),
    ...(o.mu ? { octahedral: o.mu } : {}),
    ...(o.tau ? { tau: o.tau } : {}),
    ...(o.sigmaMax !== undefined ? { sigmaMax: o.sigmaMax } : {}),
    ...(o.include ? { include: o.include } : {}),
    ...(o.exclude ? { exclude: o.exclude } : {}),
  };
}

function* take<T>(items: Iterable<T>, n: number): Generator<T> {
  if (n <= 0) return;
  let i = 0;
  for (const item of items) {
    yield item;
    if (++i >= n) return;
  }
}

async function screenWithProgress(
  library: Library,
  args: { inputs?: Parameters<typeof runScreen>[0]['inputs']; resumeId?: number; workers: number; batchSize: number; backend: string; quiet: boolean },
): Promise<void> {
  const table = loadElementTable();
  const sink = progressSink('screen', 'candidates', args.quiet);
  const interrupt = interruptSignal('the screen');
  try {
    const result = await runScreen({
      table,
      library,
      workers: args.workers,
      batchSize: args.batchSize,
      backend: args.backend,
      signal: interrupt.signal,
      onProgress: (p) => sink.update(p.done, p.total, `screen ${p.screenId}`),
      ...(args.inputs ? { inputs: args.inputs } : {}),
      ...(args.resumeId !== undefined ? { resumeId: args.resumeId } : {}),
    });
    sink.stop();
    const rate = result.seconds > 0 ? ` in ${result.seconds.toFixed(1)} s` : '';
    if (result.status === 'cancelled') {
      console.log(`screen ${result.screenId} cancelled at ${result.done}/${result.total}; resume with: pdw resume ${result.screenId} --library ${library.file}`);
      process.exitCode = 130;
    } else console.log(`screen ${result.screenId}: ${result.done}/${result.total} candidates stored in ${library.file}${rate}`);
  } finally {
    sink.stop();
    interrupt.dispose();
    library.close();
  }
}
