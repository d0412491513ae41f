/** `pdw recalibrate`: refit a trained model's neighbour corrections, zero gates, sigma scales and threshold on its own validation rows (services/recalibration.ts). */
import type { Command } from 'commander';
import type { ReportSummary } from '../../../shared/api/metrics.js';
import { targetUnit } from '../../../shared/api/labels.js';
import { describeCorrection, recalibrate } from '../../services/recalibration.js';
import { cliContext } from '../context.js';
import { formatTable, num } from '../output.js';

function validationMae(metrics: { readonly validation?: ReportSummary }, target: string): string {
  const mae = metrics.validation?.regression[target]?.mae;
  return mae === undefined ? '-' : num(mae, 4);
}

export function registerRecalibrate(program: Command): void {
  program
    .command('recalibrate')
    .description(
      "refit a model's calibration on the validation rows it was trained with (rebuilt from the data bundle): the neighbour correction of each regression target it helps (the residuals of the nearest training rows), the zero gate of each band gap with a point mass at zero (metals), the sigma scales, the decision threshold; rewrites model.json (weights unchanged)",
    )
    .argument('<model>', 'model folder')
    .option('--backend <name>', 'tensorflow-gpu | tensorflow | wasm | cpu')
    .action(async (model: string, opts: { backend?: string }) => {
      const ctx = await cliContext(opts.backend);
      const { before, after } = recalibrate(model, ctx.table);
      const rows = after.config.regressionTargets.map((t) => {
        const unit = targetUnit(t);
        const cut = after.ensemble.zeroBelow?.[t];
        const correction = after.ensemble.neighbourCorrection?.[t];
        return [
          `${t}${unit ? ` (${unit})` : ''}`,
          correction ? describeCorrection(correction, unit) : 'none',
          cut === undefined ? 'none' : `<= ${num(cut, 3)} -> 0`,
          num(before.ensemble.sigmaScale[t] ?? 1, 4),
          num(after.ensemble.sigmaScale[t] ?? 1, 4),
          validationMae(before.metrics, t),
          validationMae(after.metrics, t),
        ];
      });
      console.log(`${model}: ${after.data.rows.val} validation rows (${after.data.protocol} split of ${after.data.source.split(' (')[0]})`);
      console.log(formatTable(['target', 'neighbour correction', 'zero gate', 'sigma scale before', 'after', 'validation MAE before', 'after'], rows));
      if (after.ensemble.threshold !== null) console.log(`decision threshold on P(${after.config.classificationTarget}): ${num(before.ensemble.threshold ?? 0.5, 4)} -> ${num(after.ensemble.threshold, 4)}`);
      console.log(`wrote ${model}/model.json (its domain threshold depends on the validation MAE: run pdw calibrate-domain ${model} if it has a domain.json)`);
    });
}
