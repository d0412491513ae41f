/** `pdw evaluate`: metrics on protocol R's test rows, protocol H's hybrid rows or protocol D's doubles for a model, or cross-validation (G, expt_gap, J, and D with --init-from). */
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { EvaluationService, isEvaluationProtocol, JOINT_MP_GAP_COMPOSITIONS, type JointRecipeChoices } from '../../services/evaluation.js';
import { TrainingService } from '../../services/training.js';
import { COMBINATION_WEIGHTS, combineReports, type CombinationWeights } from '../../services/report-combination.js';
import { cliContext } from '../context.js';
import { CliError } from '../errors.js';
import { foldList, nonNegativeInt, positiveInt, reportList } from '../options.js';
import { addModelOptions, type ModelOptions } from './model-options.js';
import { printHeadline, withTrainingProgress } from '../training-progress.js';

interface EvaluateOptions extends ModelOptions {
  protocol: string;
  folds: number[];
  out?: string;
  initFrom?: string;
  mpGapSample?: number;
  doublesRepeats?: number;
  combine?: string[];
  combineWeights?: CombinationWeights;
  quiet?: boolean;
}

export function registerEvaluate(program: Command): void {
  const cmd = program
    .command('evaluate')
    .description('evaluate a model on protocol R or H, or cross-validate the training recipe on protocol G, expt_gap or J (the joint default recipe on the folds of G and expt_gap at once)')
    .argument('[model]', 'model folder (protocol R: evaluated on the test rows, or with --init-from its joint recipe trained on R\'s split; G / expt_gap / J / D: its config and settings are reused)')
    .requiredOption('--protocol <p>', 'R | G | expt_gap | J | H | D (J: the joint recipe, every source at once, on G\'s and expt_gap\'s folds; H: hybrid halides of the bundle, scored with a trained model; D: double perovskites by fold, the joint recipe trained per fold with --init-from, else a trained model scored)')
    .option('--folds <list>', 'folds for G / expt_gap / J / D', foldList, [0, 1, 2, 3, 4])
    .option('--out <dir>', 'report folder (default reports/<protocol>)')
    .option('--init-from <model>', 'G / expt_gap / J / D / R: fine-tune every fold from this pretrained model (its data must exclude the test formulas; D: --exclude-formulas-of mp_gap_doubles; R: trains the joint recipe of the model given on R\'s split)')
    .option('--mp-gap-sample <n>', `J, and D / R with --init-from: mp_gap compositions in the joint recipe's training data (those of perovskite stoichiometry and the hybrids always, then a seeded sample of the rest up to n; default the model folder's when it was trained on the joint data, else ${JOINT_MP_GAP_COMPOSITIONS})`, nonNegativeInt)
    .option('--doubles-repeats <n>', "J, and D / R with --init-from: training rows per double perovskite (A2BB'X6, A2BX6) and epoch in the joint recipe (default the model folder's when it was trained on the joint data, 2 for the shipped default; else 1)", positiveInt)
    .option('--combine <reports>', 'trains nothing: averages the recipes of these report folders of the protocol (comma-separated, at least two; each with its predictions.csv) row by row on their folds, and writes the combination\'s report to --out', reportList)
    .addOption(new Option('--combine-weights <rule>', 'with --combine: how each row\'s means are weighed; inverse-variance weighs each report by 1 / its calibrated sigma^2 on the row (default equal)').choices(COMBINATION_WEIGHTS))
    .option('--quiet', 'no progress output');
  addModelOptions(cmd).action(async (modelDir: string | undefined, opts: EvaluateOptions) => {
    const protocol = opts.protocol;
    if (!isEvaluationProtocol(protocol)) throw new CliError(`unknown protocol '${protocol}' (choose R, G, expt_gap, J, H or D)`);
    const out = opts.out ?? join('reports', protocol);
    if (opts.combineWeights && !opts.combine) throw new CliError('--combine-weights goes with --combine: it weighs the reports combined');
    if (opts.combine) {
      const extra = [modelDir ? 'a model folder' : '', opts.initFrom ? '--init-from' : '', opts.mpGapSample !== undefined ? '--mp-gap-sample' : '', opts.doublesRepeats !== undefined ? '--doubles-repeats' : ''].filter(Boolean);
      if (extra.length) throw new CliError(`--combine trains nothing; drop ${extra.join(', ')}`);
      if (!opts.out) throw new CliError('--combine needs --out: the combination is a report of its own');
      const result = combineReports({ protocol, reports: opts.combine, out, ...(opts.combineWeights ? { weights: opts.combineWeights } : {}), command: `pdw ${process.argv.slice(2).join(' ')}` });
      printHeadline(`${protocol}, combination of ${opts.combine.length} reports (mean over ${result.folds.length} fold${result.folds.length > 1 ? 's' : ''})`, Object.fromEntries(Object.entries(result.summary).map(([k, v]) => [k, v.mean])));
      console.log(`report written to ${out}/ (report.json, summary.md, predictions.csv, SVG plots)`);
      return;
    }
    const ctx = await cliContext(opts.backend);
    const evaluation = new EvaluationService(ctx.models, new TrainingService(ctx.table, ctx.backend.name), ctx.backend.name);
    let announced = false;
    let jointData = '';
    const result = await withTrainingProgress(`evaluate ${protocol}`, opts.members, opts.quiet ?? false, `run the same command again to resume from the checkpoints in ${out}/.checkpoint`, (onProgress, signal) =>
      evaluation.evaluate({
        ...opts,
        protocol,
        folds: opts.folds,
        out,
        command: `pdw ${process.argv.slice(2).join(' ')}`,
        ...(modelDir ? { modelDir } : {}),
        ...(opts.initFrom ? { initFrom: opts.initFrom } : {}),
        ...(opts.mpGapSample !== undefined ? { mpGapCompositions: opts.mpGapSample } : {}),
        ...(opts.doublesRepeats !== undefined ? { doublesRepeats: opts.doublesRepeats } : {}),
        onJointData: (choices) => (jointData = `; ${jointDataText(choices)}`),
        onFoldStart: () => {
          if (!announced) console.error(`backend ${ctx.backendText}; ${protocol}: ${protocol === 'R' ? 'its fixed test rows' : `folds ${opts.folds.join(', ')}`}; ${opts.members} members each${jointData}`);
          announced = true;
        },
        onFoldDone: (fold, values) => protocol !== 'R' && printHeadline(`${fold.replace('fold', 'fold ')} test`, values),
        onProgress: (member, _members, p) => onProgress(member, p),
        signal,
      }),
    );
    printHeadline(`${protocol} (mean over ${result.folds.length} fold${result.folds.length > 1 ? 's' : ''})`, Object.fromEntries(Object.entries(result.summary).map(([k, v]) => [k, v.mean])));
    for (const { polymorphs: p, hullRule: h } of result.folds) {
      if (h) {
        console.log(
          `${h.target} with the hull's uniqueness (${h.testRowsRuledOut} test rows ruled out): F1 ${h.test.positive.f1.toFixed(3)} at the validation threshold ${h.threshold}, ` +
            `ROC-AUC ${h.test.rocAuc.toFixed(3)}, MCC ${h.test.mcc.toFixed(3)}`,
        );
      }
      if (!p) continue;
      console.log(
        `${p.target}: ${p.seen.rows} test rows have their composition in training (model MAE ${p.seen.modelMae.toFixed(3)}, ` +
          `their training polymorphs' median ${p.seen.trainingMedianMae.toFixed(3)}), ${p.unseen.rows} are new (model MAE ${p.unseen.modelMae.toFixed(3)}); ` +
          `floor for a composition-only model: MAE ${p.floor.mae.toFixed(3)}, R2 ${p.floor.r2.toFixed(3)}`,
      );
    }
    console.log(`report written to ${out}/ (report.json, summary.md, SVG plots)`);
    ctx.models.close();
  });
}

/** The joint recipe's data choices as the evaluation announces them, with where they come from. */
function jointDataText(choices: JointRecipeChoices): string {
  const times = choices.doublesRepeats === 1 ? 'once' : `${choices.doublesRepeats} times`;
  return `joint data: ${choices.mpGapCompositions} mp_gap compositions, each double perovskite ${times} per epoch (--mp-gap-sample / --doubles-repeats, else the model folder's card)`;
}
