/** The `pdw` command line: the workbench's services without a window. */
import { Command, CommanderError } from 'commander';
import { registerData } from './commands/data.js';
import { registerFeaturize } from './commands/featurize.js';
import { registerParse } from './commands/parse.js';
import { registerEvaluate } from './commands/evaluate.js';
import { registerPredict } from './commands/predict.js';
import { registerTrain } from './commands/train.js';
import { registerUpdateModel } from './commands/update-model.js';
import { registerCalibrateDomain } from './commands/calibrate-domain.js';
import { registerRecalibrate } from './commands/recalibrate.js';
import { registerDistill } from './commands/distill.js';
import { registerScreening } from './commands/screen.js';
import { registerServe } from './commands/serve.js';
import { CliError } from './errors.js';

export function buildProgram(): Command {
  const program = new Command('pdw')
    .description('Perovskite Workbench: enumerate, screen and rank ABX3 perovskite compositions')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    // usage errors read like every other error: one line starting "pdw: error:"
    .configureOutput({ outputError: (text, write) => write(text.startsWith('error:') ? `pdw: ${text}` : text) })
    .exitOverride();
  registerParse(program);
  registerFeaturize(program);
  registerData(program);
  registerTrain(program);
  registerUpdateModel(program);
  registerCalibrateDomain(program);
  registerRecalibrate(program);
  registerDistill(program);
  registerEvaluate(program);
  registerPredict(program);
  registerScreening(program);
  registerServe(program);
  for (const command of program.commands) command.exitOverride().configureOutput(program.configureOutput());
  return program;
}

/** Runs the CLI; returns the exit code instead of exiting so that tests can call it in-process. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof CliError) {
      process.stderr.write(`pdw: error: ${e.message}\n`);
      return e.exitCode;
    }
    process.stderr.write(`pdw: error: ${(e as Error).message ?? String(e)}\n`);
    return 1;
  }
}
