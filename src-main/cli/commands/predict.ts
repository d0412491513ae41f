/** `pdw predict`: every target of a model, with uncertainty, for formulas. */
import type { Command } from 'commander';
import { predictionJson, PredictionService, type AttentionMaps } from '../../services/prediction.js';
import { cliContext } from '../context.js';
import { formatTable, num, printJson } from '../output.js';
import { parseOrFail } from './parse.js';

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
      const ctx = await cliContext(opts.backend, opts.model);
      const service = new PredictionService(ctx.models);
      const info = service.info();
      const compositions = formulas.map((f) => parseOrFail(f, info.maxElements));
      const predictions = service.predict(compositions);
      if (opts.json) {
        printJson(predictions.map((p, i) => ({ ...predictionJson(formulas[i]!, p), ...(opts.attention ? { attention: service.attention(compositions[i]!) } : {}) })));
      } else {
        const reg = info.regressionTargets;
        const cls = info.classificationTarget;
        const unit = (t: string): string => (info.roles.bandGap?.target === t ? ' (eV)' : '');
        console.log(
          formatTable(
            ['formula', ...reg.map((r) => `${r}${unit(r)} ± sigma`), ...(cls ? [`P(${cls}) ± spread`, 'decision'] : [])],
            predictions.map((p, i) => [
              formulas[i]!,
              ...reg.map((r) => `${num(p.regression[r]!.value, 3)} ± ${num(p.regression[r]!.sigma, 2)}`),
              ...(p.classification ? [`${num(p.classification.probability, 3)} ± ${num(p.classification.spread, 2)}`, p.classification.decision ? cls! : `not ${cls}`] : []),
            ]),
          ),
        );
        for (const t of [...reg, ...(cls ? [cls] : [])]) if (info.targets[t]) console.log(`${t}: ${info.targets[t]}`);
        if (cls) console.log(`decision threshold ${info.threshold ?? 0.5} (chosen on validation); model ${info.id}`);
        if (opts.attention) compositions.forEach((c, i) => printAttention(formulas[i]!, service.attention(c)));
      }
      ctx.models.close();
    });
}
