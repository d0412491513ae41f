/**
 * `pdw predict`: every target of a model, with uncertainty, for formulas given as arguments or read
 * from a file or stdin (one per line, or a CSV column). Results stream out in batches; a formula the
 * model cannot take is reported with its line and the rest are predicted (`--strict`: all or nothing).
 */
import type { Command } from 'commander';
import { displayText } from '../../../shared/text.js';
import { parseFormula, type Composition } from '../../../shared/index.js';
import { predictionJson, PredictionService, readFormulaList, type AttentionMaps, type FormulaInput, type ModelInfo, type Prediction } from '../../services/prediction.js';
import { moleculeAbbreviations } from '../../data/elements/molecules.js';
import type { KnownRecord, KnownSource } from '../../../shared/api/types.js';
import { domainText, knownRecordText, knownSourcesText } from '../../../shared/api/labels.js';
import { cliContext } from '../context.js';
import { CliError, readTextInput } from '../errors.js';
import { formatTable, num } from '../output.js';

function printAttention(formula: string, maps: AttentionMaps): void {
  console.log(`\nattention for ${formula} (member 0; tokens ${maps.tokens.join(' ')})`);
  maps.layerAverage.forEach((layer, l) => {
    console.log(`layer ${l}, average over heads (rows attend to columns):`);
    console.log(formatTable(['', ...maps.tokens], layer.map((row, q) => [maps.tokens[q]!, ...row.map((v) => v.toFixed(3))])));
  });
  console.log('attention pooling over elements, per head:');
  console.log(formatTable(['head', ...maps.elements], maps.pooling.map((row, h) => [h, ...row.map((v) => v.toFixed(3))])));
}

interface PredictOptions {
  model?: string;
  file?: string;
  column?: string;
  strict?: boolean;
  attention?: boolean;
  json?: boolean;
  jsonl?: boolean;
  recorded?: boolean;
  backend?: string;
}

const BATCH = 1024;

/** The datasets among the records, each once, in their order; null when the composition was not looked up. */
function sourcesOf(records: readonly KnownRecord[] | null): KnownSource[] | null {
  return records && [...new Set(records.map((r) => r.source))];
}

function tableRows(info: ModelInfo, items: readonly { formula: string; prediction: Prediction; known: readonly KnownRecord[] | null }[]): (string | number)[][] {
  return items.map(({ formula, prediction: p, known }) => [
    formula,
    ...info.regressionTargets.map((r) => `${num(p.regression[r]!.value, 3)} ± ${num(p.regression[r]!.sigma, 2)}`),
    ...(p.classification ? [`${num(p.classification.probability, 3)} ± ${num(p.classification.spread, 2)}`, p.classification.decision ? info.classificationTarget! : `not ${info.classificationTarget}`] : []),
    domainText(p.domain),
    knownSourcesText(sourcesOf(known)),
  ]);
}

export function registerPredict(program: Command): void {
  program
    .command('predict')
    .description('predict band gap and stability (with uncertainty) for formulas given as arguments or in a file (- for stdin)')
    .argument('[formulas...]')
    .option('--file <path>', 'read formulas from a file, one per line or a CSV column (- reads stdin)')
    .option('--column <name>', 'the CSV column that holds the formulas', 'formula')
    .option('--strict', 'predict nothing if any formula cannot be predicted')
    .option('--model <dir>', 'model folder (default: resources/models/default)')
    .option('--attention', "also print the model's attention maps")
    .option('--json', 'print a JSON array: one object per formula')
    .option('--jsonl', 'print JSON Lines: one object per formula and line, as they are predicted')
    .option('--recorded', 'with --json / --jsonl: also list every bundled record of each known composition (source, mp_id, structure, gap, E_hull)')
    .option('--backend <name>', 'tensorflow-gpu | tensorflow | wasm | cpu')
    .action(async (formulas: string[], opts: PredictOptions) => {
      const inputs: FormulaInput[] = formulas.map((formula, i) => ({ line: i + 1, formula }));
      if (opts.file) {
        const text = readTextInput(opts.file);
        try {
          for (const input of readFormulaList(text, opts.column)) inputs.push(input); // no spread: a file may hold a million lines
        } catch (e) {
          throw new CliError((e as Error).message);
        }
      }
      if (inputs.length === 0) throw new CliError('no formulas: give them as arguments or with --file');
      const ctx = await cliContext(opts.backend, opts.model);
      const service = new PredictionService(ctx.models);
      const info = service.info();
      const where = (f: FormulaInput): string => (opts.file ? `line ${f.line}` : `argument ${f.line}`);
      const good: { formula: string; composition: Composition }[] = [];
      const bad: string[] = [];
      const molecules = moleculeAbbreviations();
      for (const f of inputs) {
        const r = parseFormula(f.formula, { maxElements: info.maxElements, molecules });
        if (r.ok) good.push({ formula: f.formula, composition: r.value });
        else bad.push(`${where(f)}: cannot parse "${displayText(f.formula)}": ${r.error.message}`);
      }
      if (bad.length && (opts.strict || good.length === 0)) {
        throw new CliError(bad.length === 1 ? bad[0]! : `${bad.length} formulas cannot be predicted:\n  ${bad.slice(0, 50).join('\n  ')}`);
      }
      for (const line of bad) process.stderr.write(`pdw: skipped ${line}\n`);
      const roleOf = (t: string) => [info.roles.bandGap, info.roles.experimentalGap, info.roles.energyAboveHull].find((r) => r?.target === t);
      const unit = (t: string): string => {
        const role = roleOf(t);
        return role ? ` (${role.unit})` : /energy/.test(t) ? ' (eV/atom)' : '';
      };
      const header = ['formula', ...info.regressionTargets.map((r) => `${r}${unit(r)} ± sigma`), ...(info.classificationTarget ? [`P(${info.classificationTarget}) ± spread`, 'decision'] : []), 'domain (distance)', 'recorded in'];
      const recorded: string[] = [];
      if (opts.json) process.stdout.write('[');
      for (let from = 0; from < good.length; from += BATCH) {
        const batch = good.slice(from, from + BATCH);
        const predictions = service.predict(batch.map((g) => g.composition));
        const items = batch.map((g, i) => ({ formula: g.formula, prediction: predictions[i]!, known: service.recorded(g.composition) }));
        if (opts.json || opts.jsonl) {
          const objects = items.map((it, i) => JSON.stringify({ ...predictionJson(it.formula, it.prediction), known: sourcesOf(it.known), ...(opts.recorded ? { recorded: it.known } : {}), ...(opts.attention ? { attention: service.attention(batch[i]!.composition) } : {}) }));
          process.stdout.write(opts.json ? `${from > 0 ? ',' : ''}\n${objects.join(',\n')}` : `${objects.join('\n')}\n`);
        } else {
          const table = formatTable(header, tableRows(info, items)).split('\n');
          process.stdout.write(`${(from === 0 ? table : table.slice(1)).join('\n')}\n`);
          // the recorded values of known compositions, the best of each source (lowest E_hull first)
          for (const it of items) {
            const firsts = (it.known ?? []).filter((r, k, all) => all.findIndex((o) => o.source === r.source) === k);
            if (firsts.length) recorded.push(`${it.formula}: ${firsts.map(knownRecordText).join('; ')}`);
          }
        }
      }
      if (opts.json) process.stdout.write('\n]\n');
      if (!opts.json && !opts.jsonl) {
        for (const t of [...info.regressionTargets, ...(info.classificationTarget ? [info.classificationTarget] : [])]) if (info.targets[t]) console.log(`${t}: ${info.targets[t]}`);
        if (info.classificationTarget) console.log(`decision threshold ${info.threshold ?? 0.5} (chosen on validation); model ${info.id}`);
        console.log(info.domain ? `domain: latent distance to the nearest of the model's ${info.domain.reference.rows} training compositions (${info.domain.reference.dataset}); EXTRAPOLATION beyond ${num(info.domain.threshold, 3)} (${info.domain.report})` : 'domain: - (this model has no calibrated applicability domain)');
        if (recorded.length) console.log(`recorded values (bundled data, not predictions):\n  ${recorded.slice(0, 100).join('\n  ')}${recorded.length > 100 ? `\n  ... and ${recorded.length - 100} more (--json lists them all)` : ''}`);
        if (good.length && service.recorded(good[0]!.composition) === null) console.log("recorded in: '?' = not checked (no known-compound index; run 'npm run setup')");
        if (opts.attention) good.forEach((g) => printAttention(g.formula, service.attention(g.composition)));
      }
      const beyond = good.filter((g) => g.composition.elements.length > info.trainedMaxElements).map((g) => g.formula);
      if (beyond.length) process.stderr.write(`pdw: note: ${beyond.slice(0, 10).join(', ')}${beyond.length > 10 ? ` and ${beyond.length - 10} more` : ''} ${beyond.length === 1 ? 'has' : 'have'} more than the ${info.trainedMaxElements} elements the model was trained on: an extrapolation\n`);
      if (bad.length) {
        process.stderr.write(`pdw: ${bad.length} of ${inputs.length} formulas skipped (see above); the rest were predicted\n`);
        process.exitCode = 1;
      }
      ctx.models.close();
    });
}
