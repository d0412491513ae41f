/**
 * The model store: which models exist (the bundled ones and those trained in the workspace), their
 * cards read cheaply, predictors loaded once on demand, and the active (screening) model. A model
 * becomes active only when asked, and only if it has a band-gap role.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ModelMetrics } from '../../shared/api/metrics.js';
import type { ModelSummary } from '../../shared/api/types.js';
import type { ElementTable } from '../data/elements/load.js';
import { resourcesDir } from '../data/paths.js';
import { loadModel, readModelCard } from '../engine/model/bundle.js';
import type { ModelCard } from '../engine/model/card.js';
import { EnsemblePredictor } from '../engine/model/predictor.js';
import { modelRoles, requireScreeningRoles } from '../engine/model/roles.js';

export function bundledModelsDir(): string {
  return join(resourcesDir(), 'models');
}

export function defaultModelDir(): string {
  return join(bundledModelsDir(), 'default');
}

export function modelSummary(card: ModelCard, dir: string): ModelSummary {
  const metrics = 'validation' in card.metrics ? (card.metrics as ModelMetrics) : null;
  const distilledFrom = card.ensemble.distilledFrom?.name;
  const leftOut = card.data.excluded?.datasets ?? [];
  return {
    id: card.id,
    name: card.name,
    dir,
    members: card.ensemble.members,
    targets: card.targets,
    roles: modelRoles(card),
    metrics,
    threshold: card.ensemble.threshold,
    ...(card.ensemble.zeroBelow && Object.keys(card.ensemble.zeroBelow).length ? { zeroGates: card.ensemble.zeroBelow } : {}),
    ...(distilledFrom ? { distilledFrom } : {}),
    ...(leftOut.length ? { leftOut } : {}),
  };
}

export class ModelStore {
  private active: string;
  private readonly predictors = new Map<string, { id: string; predictor: EnsemblePredictor }>();

  constructor(
    private readonly table: ElementTable,
    activeDir: string = defaultModelDir(),
    /** Where models trained in this workspace are saved (listed beside the bundled ones). */
    private readonly workspaceModels: string | null = null,
  ) {
    this.active = resolve(activeDir);
  }

  get activeDir(): string {
    return this.active;
  }

  /** A model folder, absolute (default: the active one). */
  dirOf(dir: string = this.active): string {
    return resolve(dir);
  }

  /** The card of a model folder (default: the active model); ModelLoadError when there is none. */
  card(dir: string = this.active): ModelCard {
    return readModelCard(dir);
  }

  /** A summary of the active model, or null when its folder holds no model. */
  activeSummary(): ModelSummary | null {
    try {
      return modelSummary(this.card(), this.active);
    } catch {
      return null;
    }
  }

  /** Every model folder the workbench knows: bundled, then trained in this workspace. */
  list(): ModelSummary[] {
    const out: ModelSummary[] = [];
    for (const root of [bundledModelsDir(), this.workspaceModels]) {
      if (!root || !existsSync(root)) continue;
      for (const name of readdirSync(root).sort()) {
        const dir = join(root, name);
        if (!statSync(dir).isDirectory() || !existsSync(join(dir, 'model.json'))) continue;
        try {
          out.push(modelSummary(readModelCard(dir), dir));
        } catch {
          // a folder with a broken card is not offered
        }
      }
    }
    return out;
  }

  /** Makes a model the screening model; refuses one without a band-gap role, saying why. */
  activate(dir: string): ModelSummary {
    const full = resolve(dir);
    const card = readModelCard(full);
    requireScreeningRoles(card);
    this.active = full;
    return modelSummary(card, full);
  }

  /** The loaded predictor of a model folder (default: active), loaded once and reloaded if the folder's model changed. */
  predictor(dir: string = this.active): EnsemblePredictor {
    const full = resolve(dir);
    const id = readModelCard(full).id;
    const cached = this.predictors.get(full);
    if (cached && cached.id === id) return cached.predictor;
    cached?.predictor.dispose();
    const predictor = EnsemblePredictor.load(full, this.table);
    this.predictors.set(full, { id, predictor });
    return predictor;
  }

  /** A predictor of its own for the caller to change (a domain chosen in an evaluation) and dispose; no domain.json is read. */
  unsharedPredictor(dir: string): EnsemblePredictor {
    return new EnsemblePredictor(loadModel(resolve(dir)), this.table);
  }

  close(): void {
    for (const { predictor } of this.predictors.values()) predictor.dispose();
    this.predictors.clear();
  }
}
