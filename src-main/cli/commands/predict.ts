/** `pdw predict`: band gap and stability, with uncertainty, for formulas. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { loadElementTable } from '../../data/elements/load.js';
import { resourcesDir } from '../../data/paths.js';
import { initBackend } from '../../engine/backend.js';
import { ModelLoadError } from '../../engine/model/bundle.js';
import { EnsemblePredictor, type AttentionMaps, type Prediction } from '../../engine/model/predictor.js';
import { CliError } from '../errors.js';
import { formatTable, num, printJson } from '../output.js';
import { parseOrFail } from './parse.js';

export function defaultModelDir(): string {
  return join(resourcesDir(), 'models', 'default');
}

/** Loads a model folder (default: the bundled model), or fails with a clear message. */
export async function openModel(dir: string | undefined, backend?: string): Promise<EnsemblePredictor> {
  await initBackend(backend);
  const modelDir = dir ?? defaultModelDir();
  if (!existsSync(join(modelDir, 'model.json'))) {
    throw new CliError(dir ? `no model at ${dir} (model.json missing)` : `the default model is missing at ${modelDir}; run 'npm run train:default'`);
  }
  try {
    return EnsemblePredictor.load(modelDir, loadElementTable());
  } catch (e) {
    if (e instanceof ModelLoadError) throw new CliError(e.message);
    throw e;
  }
}

/** The JSON shape of one prediction, as documented in the README. */
export function predictionJson(formula: string, p: Prediction): Record<string, unknown> {
  const out: Record<string, unknown> = { formula };
  for (const [name, v] of Object.entries(p.regression)) out[name] = { value: v.value, sigma: v.sigma };
  if (p.classification) {
    out[p.classification.target] = { probability: p.classification.probability, spread: p.classification.spread, decision: p.classification.decision };
  }
  return out;
}

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
  attention?: boolean;
  json?: boolean;
  backend?: string;
}

export function registerPredict(program: Command): void {
  program
    .command('predict')
    .description('predict band gap and stability (with uncertainty) for one or more formulas')
    .argument('<formulas...>')
    .option('--model <dir>', 'model folder (default: resources/models/default)')
    .option('--attention', "also print the model's attention maps")
    .option('--json', 'print JSON: one object per formula')
    .option('--backend <name>', 'tensorflow-gpu | tensorflow | wasm | cpu')
    .action(async (formulas: string[], opts: PredictOptions) => {
      const predictor = await openModel(opts.model, opts.backend);
      const maxElements = predictor.card.featurizer.maxElements;
      const compositions = formulas.map((f) => parseOrFail(f, maxElements));
      const predictions = predictor.predict(compositions);
      if (opts.json) {
        printJson(
          predictions.map((p, i) => ({
            ...predictionJson(formulas[i]!, p),
            ...(opts.attention ? { attention: predictor.attention(compositions[i]!) } : {}),
          })),
        );
      } else {
        const reg = predictor.card.config.regressionTargets;
        const cls = predictor.card.config.classificationTarget;
        console.log(
          formatTable(
            ['formula', ...reg.map((r) => `${r} ± sigma`), ...(cls ? [`P(${cls}) ± spread`, 'decision'] : [])],
            predictions.map((p, i) => [
              formulas[i]!,
              ...reg.map((r) => `${num(p.regression[r]!.value, 3)} ± ${num(p.regression[r]!.sigma, 2)}`),
              ...(p.classification ? [`${num(p.classification.probability, 3)} ± ${num(p.classification.spread, 2)}`, p.classification.decision ? cls! : `not ${cls}`] : []),
            ]),
          ),
        );
        if (cls) console.log(`decision threshold ${predictor.card.ensemble.threshold ?? 0.5} (chosen on validation); model ${predictor.card.id}`);
        if (opts.attention) compositions.forEach((c, i) => printAttention(formulas[i]!, predictor.attention(c)));
      }
      predictor.dispose();
    });
}
