/** Worker thread that trains one ensemble member off the calling thread (see ensemble.ts). */
import { parentPort } from 'node:worker_threads';
import { initBackend } from '../backend.js';
import { TrainingCancelled, trainMember } from './trainer.js';
import { initialWeightsOf, type MemberJob, type WorkerReply, type WorkerRequest } from './worker-protocol.js';

const port = parentPort;
if (!port) throw new Error('member-worker must run in a worker thread');
let controller: AbortController | null = null;

async function run(job: MemberJob): Promise<WorkerReply> {
  await initBackend(job.backend);
  controller = new AbortController();
  try {
    const result = await trainMember({
      config: job.config,
      settings: job.settings,
      train: job.train,
      val: job.val,
      targetStd: job.targetStd,
      signal: controller.signal,
      onEpoch: (progress) => port!.postMessage({ type: 'epoch', progress } satisfies WorkerReply),
      ...(job.checkpointDir ? { checkpointDir: job.checkpointDir } : {}),
      ...initialWeightsOf(job),
    });
    const weights = [...(await result.params.snapshot())];
    result.params.dispose();
    return { type: 'done', weights, history: [...result.history], bestEpoch: result.bestEpoch, seconds: result.seconds, resumedFrom: result.resumedFrom };
  } catch (e) {
    return { type: 'error', message: (e as Error).message, cancelled: e instanceof TrainingCancelled };
  }
}

port.on('message', (msg: WorkerRequest) => {
  if (msg.type === 'cancel') controller?.abort();
  else void run(msg.job).then((reply) => port.postMessage(reply));
});
