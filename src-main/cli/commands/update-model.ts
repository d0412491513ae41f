/** `pdw update-model`: fine-tune a screen's model on the results imported for it, with rehearsal (services/model-update.ts). */
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { screenModelDir, updateModelFromFile } from '../../services/library-files.js';
import type { GapError } from '../../../shared/api/types.js';
import { TrainingService } from '../../services/training.js';
import { cliContext } from '../context.js';
import { CliError } from '../errors.js';
import { positiveInt } from '../options.js';
import { formatTable, num } from '../output.js';
import { withTrainingProgress } from '../training-progress.js';
import { DEFAULT_LIBRARY } from './screen.js';

interface UpdateOptions {
  screen: number;
  library: string;
  out: string;
  name?: string;
  rehearsal: number;
  epochs: number;
  members?: number;
  seed: number;
  backend?: string;
  quiet?: boolean;
}

const cell = (e: GapError): string => (e.mae === null ? '-' : `${num(e.mae, 3)} (${e.rows} rows)`);

export function registerUpdateModel(program: Command): void {
  program
    .command('update-model')
    .description("fine-tune a screen's model on the results imported for it (pdw import-results), mixed with its own training data so it does not forget")
    .requiredOption('--screen <id>', 'the screen whose imported results to learn from', positiveInt)
    .requiredOption('--out <dir>', 'model folder to write')
    .option('--library <file>', 'library file', DEFAULT_LIBRARY)
    .option('--name <name>', 'model name for the card')
    .option('--rehearsal <n>', "rows of the model's own training data mixed in", positiveInt, 1000)
    .option('--epochs <n>', 'fine-tuning epochs (early stopping on the reference rows)', positiveInt, 20)
    .option('--members <n>', "ensemble members (default: the model's)", positiveInt)
    .option('--seed <n>', 'seed of the rehearsal sample and the training', positiveInt, 1)
    .option('--backend <name>', 'tensorflow-gpu | tensorflow | wasm | cpu')
    .option('--quiet', 'no progress output')
    .action(async (opts: UpdateOptions) => {
      if (!existsSync(opts.library)) throw new CliError(`no library at ${opts.library}`);
      const ctx = await cliContext(opts.backend);
      try {
        const training = new TrainingService(ctx.table, ctx.backend.name);
        const members = opts.members ?? ctx.models.card(screenModelDir(opts.library, opts.screen)).ensemble.members;
        const r = await withTrainingProgress('update', members, opts.quiet ?? false, 'run the same command again to resume', (onProgress, signal) =>
          updateModelFromFile(opts.library, { table: ctx.table, models: ctx.models, training }, {
            screenId: opts.screen, outDir: opts.out, rehearsal: opts.rehearsal, epochs: opts.epochs, seed: opts.seed, members, onProgress, signal,
            ...(opts.name ? { name: opts.name } : {}),
          }),
        );
        console.log(`updated ${r.card.name} from ${r.baseModelDir}: ${r.importedRows} candidates with imported values (each seen ${r.repeats}x per epoch) + ${r.rehearsalRows} rehearsal rows; saved ${r.modelDir}`);
        console.log(`${r.gapTarget} MAE (eV) of the network's predictions (zero gate, no neighbour correction), before -> after:`);
        console.log(formatTable(['rows', 'before', 'after'], [
          ['imported values (trained on: shows the update took)', cell(r.before.imported), cell(r.after.imported)],
          [`reference: ${r.referenceRows} ${r.referenceHeldOut ? "of the model's validation rows (held out of its training and of the update)" : "rows of the model's training data, left out of the update"} (shows forgetting)`, cell(r.before.reference), cell(r.after.reference)],
        ]));
        console.log(r.domainThreshold === null ? 'applicability domain: none (the base model had none)' : `applicability domain: calibrated again on held-out mp_gap compositions, latent-distance threshold ${num(r.domainThreshold, 4)} (report: ${r.modelDir}/domain/summary.md)`);
        console.log(`neighbour correction: ${r.neighbourCorrected.length ? `${r.neighbourCorrected.join(', ')} (memory: its training rows, imported ones included)` : 'none (it did not lower the reference rows\' error)'}`);
        console.log(`screen with it: pdw screen ... --model ${r.modelDir} (or activate it in the app), then compare the two screens`);
      } finally {
        ctx.models.close();
      }
    });
}
