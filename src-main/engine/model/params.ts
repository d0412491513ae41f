/**
 * The model's parameters as named variables. Names are stable ("layer0.attn.qkv.w"), so weights
 * save and load by name, and each parameter belongs to a learning-rate group.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../random.js';
import type { ModelConfig } from './config.js';

/** Learning-rate groups for differential learning rates. */
export type ParamGroup = 'projection' | 'encoder' | 'heads';
type Init = 'glorot' | 'zeros' | 'ones' | 'small';

export interface ParamSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly init: Init;
  readonly group: ParamGroup;
}

function dense(prefix: string, input: number, output: number, group: ParamGroup): ParamSpec[] {
  return [
    { name: `${prefix}.w`, shape: [input, output], init: 'glorot', group },
    { name: `${prefix}.b`, shape: [output], init: 'zeros', group },
  ];
}

function norm(prefix: string, width: number, group: ParamGroup): ParamSpec[] {
  return [
    { name: `${prefix}.gamma`, shape: [width], init: 'ones', group },
    { name: `${prefix}.beta`, shape: [width], init: 'zeros', group },
  ];
}

export function taskNames(config: ModelConfig): string[] {
  return config.classificationTarget === null ? [...config.regressionTargets] : [...config.regressionTargets, config.classificationTarget];
}

/** Every parameter of the model for EDM rows `inputWidth` wide. */
export function paramSpecs(config: ModelConfig, inputWidth: number): ParamSpec[] {
  const d = config.dModel;
  const specs: ParamSpec[] = [...dense('input', inputWidth, d, 'projection')];
  specs.push({ name: 'cls', shape: [1, 1, d], init: 'small', group: 'encoder' });
  for (let l = 0; l < config.layers; l += 1) {
    specs.push(
      ...dense(`layer${l}.attn.q`, d, d, 'encoder'),
      ...dense(`layer${l}.attn.k`, d, d, 'encoder'),
      ...dense(`layer${l}.attn.v`, d, d, 'encoder'),
      ...dense(`layer${l}.attn.out`, d, d, 'encoder'),
      ...norm(`layer${l}.norm1`, d, 'encoder'),
      ...dense(`layer${l}.ff1`, d, config.feedForward, 'encoder'),
      ...dense(`layer${l}.ff2`, config.feedForward, d, 'encoder'),
      ...norm(`layer${l}.norm2`, d, 'encoder'),
    );
  }
  specs.push(
    { name: 'pool.query', shape: [config.heads, d / config.heads], init: 'small', group: 'encoder' },
    ...dense('pool.key', d, d, 'encoder'),
    ...norm('trunk.norm', 4 * d, 'heads'),
    ...dense('trunk.dense', 4 * d, config.trunk, 'heads'),
  );
  config.regressionTargets.forEach((t) => specs.push(...dense(`head.${t}`, config.trunk, 1, 'heads')));
  if (config.classificationTarget !== null) specs.push(...dense(`head.${config.classificationTarget}`, config.trunk, 1, 'heads'));
  // learnable task weights (log variances), used by the training loss only
  for (const t of taskNames(config)) specs.push({ name: `task.${t}.logvar`, shape: [1], init: 'zeros', group: 'heads' });
  return specs;
}

function initialValues(spec: ParamSpec, rng: Rng): Float32Array {
  const size = spec.shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(size);
  switch (spec.init) {
    case 'zeros':
      break;
    case 'ones':
      out.fill(1);
      break;
    case 'small':
      for (let i = 0; i < size; i += 1) out[i] = 0.02 * rng.normal();
      break;
    case 'glorot': {
      const [fanIn, fanOut] = spec.shape as [number, number];
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      for (let i = 0; i < size; i += 1) out[i] = (2 * rng.next() - 1) * limit;
      break;
    }
  }
  return out;
}

/** tfjs registers variables globally by name; a counter keeps names of several models apart. */
let variableCounter = 0;

export class Params {
  private readonly vars = new Map<string, tf.Variable>();

  constructor(readonly specs: readonly ParamSpec[], values: (spec: ParamSpec) => Float32Array) {
    for (const spec of specs) {
      const v = values(spec);
      const size = spec.shape.reduce((a, b) => a * b, 1);
      if (v.length !== size) throw new Error(`parameter ${spec.name}: ${v.length} values for shape [${spec.shape.join(', ')}]`);
      variableCounter += 1;
      const initial = tf.tensor(v, [...spec.shape]);
      this.vars.set(spec.name, tf.variable(initial, true, `${spec.name}#${variableCounter}`));
      initial.dispose(); // the variable keeps its own reference to the data
    }
  }

  /**
   * Fresh parameters, initialized from `seed`; with `from` (a pretrained model's values), every
   * parameter found there with the same name and size starts from it instead (the random stream is
   * drawn either way, so the rest initializes as without `from`).
   */
  static initialize(specs: readonly ParamSpec[], seed: number, from?: ReadonlyMap<string, Float32Array>): Params {
    const rng = new Rng(seed);
    return new Params(specs, (spec) => {
      const fresh = initialValues(spec, rng);
      const given = from?.get(spec.name);
      return given && given.length === fresh.length ? Float32Array.from(given) : fresh;
    });
  }

  get<T extends tf.Tensor = tf.Tensor>(name: string): T {
    const v = this.vars.get(name);
    if (!v) throw new Error(`no parameter named ${name}`);
    return v as unknown as T;
  }

  variables(): tf.Variable[] {
    return [...this.vars.values()];
  }

  entries(): [ParamSpec, tf.Variable][] {
    return this.specs.map((s) => [s, this.vars.get(s.name)!]);
  }

  /** Parameter values copied out (for checkpoints and saving). */
  async snapshot(): Promise<Map<string, Float32Array>> {
    const out = new Map<string, Float32Array>();
    for (const [spec, v] of this.entries()) out.set(spec.name, (await v.data()) as Float32Array);
    return out;
  }

  assign(values: ReadonlyMap<string, Float32Array>): void {
    for (const [spec, v] of this.entries()) {
      const data = values.get(spec.name);
      if (!data) throw new Error(`missing values for parameter ${spec.name}`);
      tf.tidy(() => v.assign(tf.tensor(data, [...spec.shape])));
    }
  }

  get count(): number {
    return this.specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}
