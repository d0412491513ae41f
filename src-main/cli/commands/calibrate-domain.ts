/** `pdw calibrate-domain`: choose and check a model's applicability-domain threshold (services/domain-calibration.ts). */
import type { Command } from 'commander';
import { calibrateDomain } from '../../services/domain-calibration.js';
import { cliContext } from '../context.js';
import { num } from '../output.js';

export function registerCalibrateDomain(program: Command): void {
  program
    .command('calibrate-domain')
    .description("calibrate a model's applicability domain (latent distance to its training compositions) on held-out compositions; writes domain.json into the model folder and a report")
    .argument('<model>', 'model folder')
    .option('--out <dir>', 'report folder', 'reports/domain')
    .option('--backend <name>', 'tensorflow-gpu | tensorflow | wasm | cpu')
    .action(async (model: string, opts: { out: string; backend?: string }) => {
      const ctx = await cliContext(opts.backend);
      const c = calibrateDomain(model, ctx.table, opts.out);
      const g = c.test;
      console.log(`threshold ${num(c.file.threshold, 4)} (${c.file.rule})`);
      console.log(`held-out fold 4: in domain ${g.inDomain.rows} rows, MAE ${num(g.inDomain.mae ?? NaN, 3)} eV; flagged ${g.extrapolation.rows} rows, MAE ${num(g.extrapolation.mae ?? NaN, 3)} eV`);
      console.log(`wrote ${model}/domain.json and ${opts.out}/summary.md`);
    });
}
