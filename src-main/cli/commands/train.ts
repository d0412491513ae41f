/** `pdw train`: fit an ensemble on a dataset and save it as a model folder. */
import type { Command } from 'commander';
import { modelConfigFor, trainingSettingsFor } from '../../services/model-recipe.js';
import { headline, JOINT_DATA, JOINT_MP_GAP_COMPOSITIONS, splitCanBeRebuilt, TrainingService, type FitResult, type TrainingProtocol } from '../../services/training.js';
import { cliContext } from '../context.js';
import { CliError } from '../errors.js';
import { commaList, foldIndex, nonNegativeInt, positiveInt } from '../options.js';
import { printHeadline, withTrainingProgress } from '../training-progress.js';
import { addModelOptions, type ModelOptions } from './model-options.js';

interface TrainOptions extends ModelOptions {
  data: string;
  targets: string[];
  gapTarget?: string;
  protocol?: string;
  testFold?: number;
  formula: string;
  out: string;
  name?: string;
  excludeFormulasOf?: string[];
  initFrom?: string;
  mpGapSample?: number;
  doublesRepeats?: number;
  quiet?: boolean;
}

export function registerTrain(program: Command): void {
  const cmd = program
    .command('train')
    .description('train a model (an ensemble of EDM transformers) on a dataset and save it as a model folder')
    .requiredOption('--data <file-or-name>', 'a CSV, a bundled dataset (mp_abx3, expt_gap, mp_gap), or joint: all of them at once, one example per composition, missing targets masked')
    .option('--targets <list>', 'comma-separated targets; a true/false column (e.g. stable) becomes the classification target', commaList, ['band_gap', 'stable'])
    .option('--gap-target <name>', 'the target screening stores as the band gap in eV (default: band_gap, or the one target named like *gap*)')
    .option('--protocol <p>', 'R (seed set row split), G (one row per formula), rows (every row); default G for mp_abx3, rows otherwise')
    .option('--test-fold <k>', 'hold fold k (0-4) out as a test set and evaluate on it', foldIndex)
    .option('--formula <column>', 'formula column of a CSV', 'formula')
    .requiredOption('--out <dir>', 'model folder to write (model.json + weights.bin)')
    .option('--name <name>', 'model name for the card')
    .option('--exclude-formulas-of <datasets>', 'leave out rows whose reduced composition is in these datasets (names or CSVs), e.g. mp_abx3,expt_gap when pretraining; mp_gap_doubles: protocol D\'s double perovskites', commaList)
    .option('--init-from <model>', "fine-tune: start from this (pretrained) model's weights")
    .option('--mp-gap-sample <n>', `--data joint: mp_gap compositions in the training data (those of perovskite stoichiometry and the hybrids always, then a seeded sample of the rest up to n; default ${JOINT_MP_GAP_COMPOSITIONS}; 0: no sample); the card records it`, nonNegativeInt)
    .option('--doubles-repeats <n>', "--data joint: training rows per double perovskite (A2BB'X6, A2BX6) and epoch (default 1); the card records it", positiveInt)
    .option('--quiet', 'no progress output');
  addModelOptions(cmd).action(async (opts: TrainOptions) => {
    const protocol = opts.protocol ?? (opts.data === 'mp_abx3' ? 'G' : 'rows');
    if (protocol !== 'R' && protocol !== 'G' && protocol !== 'rows') throw new CliError(`unknown protocol '${protocol}' (choose R, G or rows)`);
    if (opts.mpGapSample !== undefined && opts.data !== JOINT_DATA) throw new CliError(`--mp-gap-sample sizes the joint data's mp_gap sample; --data ${opts.data} has none (use --data ${JOINT_DATA})`);
    if (opts.doublesRepeats !== undefined && opts.data !== JOINT_DATA) throw new CliError(`--doubles-repeats weighs the joint data's double perovskites; --data ${opts.data} is not the joint data (use --data ${JOINT_DATA})`);
    const ctx = await cliContext(opts.backend);
    const training = new TrainingService(ctx.table, ctx.backend.name);
    const data = training.loadData({
      data: opts.data,
      targets: opts.targets,
      protocol: protocol as TrainingProtocol,
      formulaColumn: opts.formula,
      seed: opts.seed,
      maxElements: 6,
      ...(opts.testFold !== undefined ? { testFold: opts.testFold } : {}),
      ...(opts.excludeFormulasOf ? { excludeFormulasOf: opts.excludeFormulasOf } : {}),
      ...(opts.mpGapSample !== undefined ? { mpGapCompositions: opts.mpGapSample } : {}),
      ...(opts.doublesRepeats !== undefined ? { doublesRepeats: opts.doublesRepeats } : {}),
    });
    const { split } = data;
    if (data.dataset.problems.length) console.error(`${data.dataset.problems.length} rows rejected (see 'pdw data info ${opts.data}')`);
    if (data.excluded) console.error(`${data.excluded.rows} rows left out: their composition is in ${data.excluded.datasets.join(', ')}`);
    const config = modelConfigFor(opts, opts.targets.map((t) => t.split(':')[0]!), data.classificationTarget);
    const initFrom = opts.initFrom ? training.loadPretrained(opts.initFrom, config) : undefined;
    if (initFrom && split.test.length > 0) training.checkPretrainingExcludes(initFrom, opts.data);
    console.error(`backend ${ctx.backendText}; ${split.name}: ${split.train.length} train, ${split.val.length} val, ${split.test.length} test rows; ${opts.members} members`);
    const { result } = await withTrainingProgress(`train ${split.name}`, opts.members, opts.quiet ?? false, `run the same command again to resume from the checkpoints in ${opts.out}/.checkpoint`, (onProgress, signal) =>
      training.fitAndSave(
        {
          training: data,
          config,
          settings: trainingSettingsFor(opts),
          members: opts.members,
          parallel: opts.parallel,
          name: opts.name ?? `model-${protocol}`,
          ...(opts.gapTarget ? { bandGapTarget: opts.gapTarget } : {}),
          ...(initFrom ? { initFrom } : {}),
          neighbourMemory: splitCanBeRebuilt(opts.data, opts.excludeFormulasOf),
          onProgress,
          signal,
        },
        opts.out,
      ),
    ) as { result: FitResult };
    printHeadline('validation', headline(result.validation));
    if (result.test) printHeadline('test', headline(result.test));
    const roles = result.predictor.card.roles;
    console.log(`saved ${opts.out} (${opts.members} members, ${Math.round(result.ensemble.seconds)} s); band gap: ${roles?.bandGap ?? 'none (this model cannot screen)'}, stability: ${roles?.stability ?? 'none'}`);
    result.predictor.dispose();
  });
}
