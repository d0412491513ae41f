/** Training from the command line: a progress bar per epoch, Ctrl-C as cancel, one-line headlines. */
import { TrainingCancelled, type FitRun } from '../services/training.js';
import { CliError } from './errors.js';
import { num } from './output.js';
import { interruptSignal, progressSink } from './progress.js';

/** Runs `fit` with a progress bar and Ctrl-C as cancel; shared by `train` and `evaluate`. */
export async function withTrainingProgress<T>(label: string, members: number, quiet: boolean, resumeHint: string, fit: (onProgress: NonNullable<FitRun['onProgress']>, signal: AbortSignal) => Promise<T>): Promise<T> {
  const sink = progressSink(label, 'epochs', quiet);
  const done = new Array<number>(members).fill(0);
  const interrupt = interruptSignal('training');
  try {
    return await fit((member, p) => {
      done[member] = p.epoch + 1;
      const mae = Object.entries(p.valMae).map(([k, v]) => `${k} MAE ${num(v, 3)}`).join(', ');
      const auc = p.valAuc === null ? '' : `, AUC ${num(p.valAuc, 3)}`;
      sink.update(done.reduce((a, b) => a + b, 0), members * p.epochs, `member ${member} epoch ${p.epoch + 1}: val ${mae}${auc}, ${Math.round(p.samplesPerSecond)} samples/s`);
    }, interrupt.signal);
  } catch (e) {
    if (e instanceof TrainingCancelled) throw new CliError(`${e.message}; ${resumeHint}`, 130);
    throw e;
  } finally {
    sink.stop();
    interrupt.dispose();
  }
}

export function printHeadline(label: string, values: Record<string, number>): void {
  console.log(`${label}: ${Object.entries(values).map(([k, v]) => `${k} ${num(v, 4)}`).join(', ')}`);
}
