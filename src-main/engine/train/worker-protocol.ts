/** Messages between the ensemble trainer and its member workers. */
import type { BackendName } from '../../../shared/api/runtime.js';
import type { ModelConfig } from '../model/config.js';
import type { EncodedSet } from './data.js';
import type { EpochRecord, InitialWeights, TrainingSettings, TrainProgress } from './trainer.js';

export interface MemberJob {
  readonly config: ModelConfig;
  readonly settings: TrainingSettings;
  readonly train: EncodedSet;
  readonly val: EncodedSet;
  readonly targetStd: readonly number[];
  readonly checkpointDir: string | null;
  readonly backend: BackendName;
  /** Pretrained weights to start from (see TrainMemberArgs.initial). */
  readonly initial: { readonly source: string; readonly weights: [string, Float32Array][] } | null;
}

export type WorkerRequest = { readonly type: 'train'; readonly job: MemberJob } | { readonly type: 'cancel' };

export type WorkerReply =
  | { readonly type: 'epoch'; readonly progress: TrainProgress }
  | {
      readonly type: 'done';
      readonly weights: [string, Float32Array][];
      readonly history: EpochRecord[];
      readonly bestEpoch: number;
      readonly seconds: number;
      readonly resumedFrom: number | null;
    }
  | { readonly type: 'error'; readonly message: string; readonly cancelled: boolean };

/** The job's pretrained weights as trainMember takes them (a message carries them as entries). */
export function initialWeightsOf(job: MemberJob): { initial: InitialWeights } | Record<string, never> {
  return job.initial ? { initial: { source: job.initial.source, weights: new Map(job.initial.weights) } } : {};
}
