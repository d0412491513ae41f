/** `pdw evaluate`: metrics on protocol R's test rows for a model, or cross-validation (G, expt_gap). */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { describeBackend, initBackend } from '../../engine/backend.js';
import { evaluatePredictions } from '../../engine/evaluate/evaluate.js';
import type { Prediction } from '../../engine/model/predictor.js';
import { headline, writeReport, type FoldResult } from '../../engine/evaluate/report.js';
import { crossValidationSplit, loadTrainingData } from '../../engine/train/sources.js';
import { CliError } from '../errors.js';
import { addModelOptions, modelConfigFrom, trainingSettingsFrom, type ModelOptions } from './model-options.js';
import { openModel } from './predict.js';
import { checkPretrainingExcludes, fitWithProgress, loadPretrained, printHeadline } from './train.js';
import { hullRuleEvaluation, polymorphSplit } from '../../engine/evaluate/polymorphs.js';

interface EvaluateOptions extends ModelOptions {
  protocol: string;
  folds: string;
  out?: string;
  initFrom?: string;
  quiet?: boolean;
}

const DESCRIPTIONS: Record<string, string> = {
  R: 'seed set, random row split (456 test rows, as in the report)',
  G: 'seed set, one row per formula (lowest energy above hull; stable if any polymorph is), 5 folds by formula',
  expt_gap: 'Matbench experimental band gaps, 5 folds (CrabNet split files)',
};

export function registerEvaluate(program: Command): void {
  const cmd = program
    .command('evaluate')
    .description('evaluate a model on protocol R, or cross-validate the training recipe on protocol G or expt_gap')
    .argument('[model]', 'model folder (protocol R: evaluated on the test rows; G / expt_gap: its config and settings are reused)')
    .requiredOption('--protocol <p>', 'R | G | expt_gap')
    .option('--folds <list>', 'folds for G / expt_gap', '0,1,2,3,4')
    .option('--out <dir>', 'report folder (default reports/<protocol>)')
    .option('--init-from <model>', 'G / expt_gap: fine-tune every fold from this pretrained model (its data must exclude the test formulas)')
    .option('--quiet', 'no progress output');
  addModelOptions(cmd).action(async (modelDir: string | undefined, opts: EvaluateOptions) => {
    const protocol = opts.protocol;
    if (!(protocol in DESCRIPTIONS)) throw new CliError(`unknown protocol '${protocol}' (choose R, G or expt_gap)`);
    const out = opts.out ?? join('reports', protocol);
    const backend = await initBackend(opts.backend);
    const command = `pdw ${process.argv.slice(2).join(' ')}`;
    const folds: FoldResult[] = [];
    let modelInfo: Record<string, unknown> = {};
    if (protocol === 'R') {
      if (!modelDir) throw new CliError('protocol R evaluates a trained model: pdw evaluate resources/models/protocol-r --protocol R');
      const predictor = await openModel(modelDir, opts.backend);
      const card = predictor.card;
      const targets = [...card.config.regressionTargets, ...(card.config.classificationTarget ? [card.config.classificationTarget] : [])];
      const { split } = loadTrainingData({ data: 'mp_abx3', targets, protocol: 'R', seed: card.training.seed, maxElements: card.featurizer.maxElements });
      const stable = split.train.filter((e) => e.targets['stable'] === 1).length / split.train.length;
      const predictions = predictor.predict(split.test.map((e) => e.composition));
      const report = evaluatePredictions(predictor, split.test, predictions, stable);
      const gap = card.config.regressionTargets[0];
      const polymorphs = gap ? polymorphSplit([...split.train, ...split.val], split.test, predictions.map((p) => p.regression[gap]!.value), gap) : null;
      const target = card.config.classificationTarget;
      const probabilities = (predicted: readonly Prediction[]): number[] => predicted.map((p) => p.classification!.probability);
      const hullRule = target
        ? hullRuleEvaluation(split, { val: probabilities(predictor.predict(split.val.map((e) => e.composition))), test: probabilities(predictions) }, target)
        : null;
      folds.push({
        name: 'test',
        test: report,
        histories: card.ensemble.histories,
        trainingSeconds: card.trainingSeconds,
        rows: card.data.rows,
        ...(polymorphs ? { polymorphs } : {}),
        ...(hullRule ? { hullRule } : {}),
      });
      modelInfo = { id: card.id, dir: modelDir, config: card.config, members: card.ensemble.members, threshold: card.ensemble.threshold, sigmaScale: card.ensemble.sigmaScale };
      predictor.dispose();
    } else {
      const base = modelDir ? (await openModel(modelDir, opts.backend)).card : null;
      const targets = protocol === 'G' ? ['band_gap', 'stable'] : ['band_gap'];
      const config = modelConfigFrom(opts, targets, base?.config);
      const settings = trainingSettingsFrom(opts, base?.training);
      const initFrom = opts.initFrom ? loadPretrained(opts.initFrom, config) : undefined;
      if (initFrom) checkPretrainingExcludes(initFrom, protocol === 'G' ? 'mp_abx3' : 'expt_gap');
      const foldList = opts.folds.split(',').map(Number);
      if (foldList.some((f) => !Number.isInteger(f) || f < 0 || f > 4)) throw new CliError(`--folds must list folds 0..4, got '${opts.folds}'`);
      console.error(`backend ${describeBackend(backend)}; ${protocol}: folds ${foldList.join(', ')}; ${opts.members} members each`);
      for (const fold of foldList) {
        const training = crossValidationSplit(protocol as 'G' | 'expt_gap', fold, opts.seed, 6);
        const checkpointRoot = join(out, '.checkpoint', `fold${fold}`);
        const result = await fitWithProgress({
          training,
          config,
          settings,
          members: opts.members,
          parallel: opts.parallel,
          backend: backend.name,
          name: `cv-${protocol}-fold${fold}`,
          checkpointRoot,
          ...(initFrom ? { initFrom } : {}),
          ...(opts.quiet ? { quiet: true } : {}),
        });
        const { split } = training;
        folds.push({ name: `fold${fold}`, test: result.test!, histories: result.ensemble.histories, trainingSeconds: result.ensemble.seconds, rows: { train: split.train.length, val: split.val.length, test: split.test.length } });
        printHeadline(`fold ${fold} test`, headline(result.test!));
        result.predictor.dispose();
      }
      rmSync(join(out, '.checkpoint'), { recursive: true, force: true });
      modelInfo = { config, training: settings, members: opts.members, ...(initFrom ? { pretrainedFrom: { id: initFrom.card.id, dir: opts.initFrom, data: initFrom.card.data } } : {}) };
    }
    const summary = writeReport(out, { protocol, description: DESCRIPTIONS[protocol]!, command, backend: backend.name, model: modelInfo }, folds);
    printHeadline(`${protocol} (mean over ${folds.length} fold${folds.length > 1 ? 's' : ''})`, Object.fromEntries(Object.entries(summary).map(([k, v]) => [k, v.mean])));
    for (const { polymorphs: p, hullRule: h } of folds) {
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
  });
}
