/**
 * Progress for long CLI work: a cli-progress bar on a terminal (count, rate, ETA), plain lines
 * otherwise (pipes and CI logs), and Ctrl-C turned into a cancel that the work can honour.
 */
import cliProgress from 'cli-progress';

export interface ProgressSink {
  update(done: number, total: number, detail: string): void;
  log(line: string): void;
  stop(): void;
}

export function progressSink(label: string, unit: string, quiet = false): ProgressSink {
  if (quiet) return { update: () => undefined, log: () => undefined, stop: () => undefined };
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} |{bar}| {value}/{total} ${unit} | {rate}/s | ETA {eta_formatted} | {detail}`, stream: process.stderr, hideCursor: true, etaBuffer: 50 },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    const t0 = performance.now();
    return {
      update(done, total, detail) {
        const rate = (done / Math.max(1e-3, (performance.now() - t0) / 1000)).toFixed(1);
        if (!started) {
          bar.start(total, done, { detail, rate });
          started = true;
        } else {
          bar.setTotal(total);
          bar.update(done, { detail, rate });
        }
      },
      log(line) {
        if (started) bar.stop();
        process.stderr.write(`${line}\n`);
        started = false;
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
  const t0 = performance.now();
  return {
    update(done, total, detail) {
      const seconds = (performance.now() - t0) / 1000;
      const rate = done / Math.max(1e-3, seconds);
      const eta = rate > 0 ? (total - done) / rate : 0;
      process.stderr.write(`${label}: ${done}/${total} ${unit}, ${rate.toFixed(2)}/s, ETA ${Math.round(eta)} s; ${detail}\n`);
    },
    log: (line) => process.stderr.write(`${line}\n`),
    stop: () => undefined,
  };
}

/** An AbortSignal fired by the first Ctrl-C (a second one exits at once). */
export function interruptSignal(what: string): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onSigint = (): void => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write(`\ncancelling ${what}... (Ctrl-C again to quit at once)\n`);
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onSigint) };
}
