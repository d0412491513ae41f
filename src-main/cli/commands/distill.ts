/** `pdw distill`: a screening model distilled from an ensemble (services/distillation.ts). */
import type { Command } from 'commander';
import { distillModel } from '../../services/distillation.js';
import { TrainingCancelled } from '../../services/training.js';
import { cliContext } from '../context.js';
import { CliError } from '../errors.js';
import { nonNegativeInt, positiveInt } from '../options.js';
import { num } from '../output.js';
import { interruptSignal, progressSink } from '../progress.js';

export function registerDistill(program: Command): void {
  program
    .command('distill')
    .description("distil an ensemble into a screening model whose members share one encoder (one forward pass per batch instead of one per member); writes the model folder and a report of how closely it follows the teacher")
    .argument('<teacher>', 'model folder of the ensemble (trained on bundled data)')
    .requiredOption('--out <dir>', 'model folder to write')
    .option('--name <name>', 'model name', 'default-screening')
    .option('--per-space <n>', 'candidates sampled from each screening space for the transfer set', nonNegativeInt, 60000)
    .option('--epochs <n>', 'maximum epochs (early stopping on held-out transfer compositions)', positiveInt, 30)
    .option('--init-from <dir>', "start the student from this model's member 0 and take its architecture (a smaller pretrained encoder gives a faster screening model); default: the teacher's member 0 and architecture")
    .option('--report <dir>', 'report folder', 'reports/distilled')
    .option('--backend <name>', 'tensorflow-gpu | tensorflow | wasm | cpu')
    .option('--quiet', 'no progress bar')
    .action(async (teacher: string, opts: { out: string; name: string; perSpace: number; epochs: number; initFrom?: string; report: string; backend?: string; quiet?: boolean }) => {
      const { perSpace, epochs } = opts;
      const ctx = await cliContext(opts.backend);
      const sink = progressSink('distill', 'epochs', opts.quiet ?? false);
      const interrupt = interruptSignal('distillation');
      let run;
      try {
        run = await distillModel(ctx.table, {
          teacherDir: teacher,
          out: opts.out,
          name: opts.name,
          perSpace,
          epochs,
          reportDir: opts.report,
          ...(opts.initFrom === undefined ? {} : { initFrom: opts.initFrom }),
          command: `pdw distill ${process.argv.slice(3).join(' ')}`,
          onEpoch: (p) => sink.update(p.epoch + 1, p.epochs, `epoch ${p.epoch + 1}: val score ${num(p.valScore, 4)} (mean |student - teacher| in standardized units), ${Math.round(p.samplesPerSecond)} samples/s`),
          signal: interrupt.signal,
        });
      } catch (e) {
        if (e instanceof TrainingCancelled) throw new CliError(e.message, 130);
        throw e;
      } finally {
        sink.stop();
        interrupt.dispose();
      }
      const f = run.result.fidelity;
      console.log(`distilled ${run.card.name} from ${run.card.ensemble.distilledFrom?.name} in ${run.result.seconds.toFixed(0)} s -> ${opts.out}`);
      for (const [t, r] of Object.entries(f.regression)) console.log(`  ${t}: mean |student - teacher| ${num(r.meanAbsDifference, 3)} (teacher sigma ${num(r.teacherMeanSigma, 3)}), sigma correlation ${num(r.sigmaCorrelation, 2)}`);
      if (f.classification) console.log(`  P(stable): mean |student - teacher| ${num(f.classification.meanAbsDifference, 3)}, same decision ${(100 * f.classification.agreement).toFixed(1)}%`);
      console.log(`  validation MAE (teacher's validation rows): ${Object.entries(run.validation.student).map(([t, m]) => `${t} ${num(m, 3)} (teacher ${num(run.validation.teacher[t] ?? NaN, 3)})`).join(', ')}`);
      console.log(`wrote ${run.report}; run \`pdw calibrate-domain ${opts.out}\` next for its applicability domain`);
    });
}
