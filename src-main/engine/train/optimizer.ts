/**
 * AdamW with differential learning rates per parameter group, warm-up then cosine decay, and
 * gradient clipping by global norm. tfjs ships Adam but neither decoupled weight decay nor parameter
 * groups, so the update is written here (a dozen tensor ops per parameter).
 */
import * as tf from '@tensorflow/tfjs';
import type { ParamGroup, Params } from '../model/params.js';

export interface OptimizerSettings {
  readonly learningRate: number;
  readonly groupMultipliers: Readonly<Record<ParamGroup, number>>;
  readonly weightDecay: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly clipNorm: number;
  readonly warmupSteps: number;
  readonly totalSteps: number;
  /** The cosine decays to this fraction of the peak rate. */
  readonly minLearningRateFraction: number;
}

/** Learning-rate factor at `step` (0-based): linear warm-up, then cosine down to the floor. */
export function scheduleFactor(step: number, s: Pick<OptimizerSettings, 'warmupSteps' | 'totalSteps' | 'minLearningRateFraction'>): number {
  if (s.warmupSteps > 0 && step < s.warmupSteps) return (step + 1) / s.warmupSteps;
  const span = Math.max(1, s.totalSteps - s.warmupSteps);
  const progress = Math.min(1, (step - s.warmupSteps) / span);
  return s.minLearningRateFraction + (1 - s.minLearningRateFraction) * 0.5 * (1 + Math.cos(Math.PI * progress));
}

interface Slot {
  readonly variable: tf.Variable;
  readonly m: tf.Variable;
  readonly v: tf.Variable;
  readonly group: ParamGroup;
  readonly decay: boolean;
  readonly name: string;
}

function zeroVariable(like: tf.Variable): tf.Variable {
  const zeros = tf.zerosLike(like);
  const v = tf.variable(zeros, false);
  zeros.dispose();
  return v;
}

export class AdamW {
  private readonly slots: Slot[];
  step = 0;

  constructor(
    params: Params,
    readonly settings: OptimizerSettings,
  ) {
    this.slots = params.entries().map(([spec, variable]) => ({
      variable,
      m: zeroVariable(variable),
      v: zeroVariable(variable),
      group: spec.group,
      // decay weight matrices only; biases, norms, tokens and task weights are left alone
      decay: spec.name.endsWith('.w'),
      name: spec.name,
    }));
  }

  /** Applies one update from gradients keyed by variable name (tfjs's variableGrads). Returns the pre-clip norm. */
  apply(grads: tf.NamedTensorMap): number {
    const s = this.settings;
    const factor = scheduleFactor(this.step, s);
    this.step += 1;
    const t = this.step;
    return tf.tidy(() => {
      const present = this.slots.filter((slot) => grads[slot.variable.name] !== undefined);
      const sq = present.map((slot) => tf.sum(tf.square(grads[slot.variable.name]!)));
      const norm = Math.sqrt((tf.addN(sq).dataSync() as Float32Array)[0]!);
      const clip = Number.isFinite(norm) && norm > s.clipNorm ? s.clipNorm / norm : 1;
      const c1 = 1 - s.beta1 ** t;
      const c2 = 1 - s.beta2 ** t;
      for (const slot of present) {
        const g = tf.mul(grads[slot.variable.name]!, clip);
        const lr = s.learningRate * s.groupMultipliers[slot.group] * factor;
        const m = tf.add(tf.mul(slot.m, s.beta1), tf.mul(g, 1 - s.beta1));
        const v = tf.add(tf.mul(slot.v, s.beta2), tf.mul(tf.square(g), 1 - s.beta2));
        slot.m.assign(m);
        slot.v.assign(v);
        let update = tf.div(tf.div(m, c1), tf.add(tf.sqrt(tf.div(v, c2)), s.epsilon));
        if (slot.decay && s.weightDecay > 0) update = tf.add(update, tf.mul(slot.variable, s.weightDecay));
        slot.variable.assign(tf.sub(slot.variable, tf.mul(update, lr)));
      }
      return norm;
    });
  }

  /** Moment estimates, for checkpoints. */
  async state(): Promise<{ step: number; m: Map<string, Float32Array>; v: Map<string, Float32Array> }> {
    const m = new Map<string, Float32Array>();
    const v = new Map<string, Float32Array>();
    for (const slot of this.slots) {
      m.set(slot.name, (await slot.m.data()) as Float32Array);
      v.set(slot.name, (await slot.v.data()) as Float32Array);
    }
    return { step: this.step, m, v };
  }

  restore(state: { step: number; m: ReadonlyMap<string, Float32Array>; v: ReadonlyMap<string, Float32Array> }): void {
    this.step = state.step;
    for (const slot of this.slots) {
      const m = state.m.get(slot.name);
      const v = state.v.get(slot.name);
      if (!m || !v) throw new Error(`checkpoint lacks optimizer state for ${slot.name}`);
      tf.tidy(() => {
        slot.m.assign(tf.tensor(m, slot.variable.shape));
        slot.v.assign(tf.tensor(v, slot.variable.shape));
      });
    }
  }

  dispose(): void {
    for (const slot of this.slots) {
      slot.m.dispose();
      slot.v.dispose();
    }
  }
}
