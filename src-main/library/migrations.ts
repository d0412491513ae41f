/** Numbered schema migrations; the number applied is recorded in SQLite's user_version. */
import { ELEMENT_SYMBOLS } from '../../shared/index.js';

/** Elements as bits in three integer columns of 40 bits each (exact in a double): Z 1-40, 41-80, 81-118. */
export const ELEMENT_MASK_COLUMNS = ['elements0', 'elements1', 'elements2'] as const;
export const ELEMENT_MASK_BITS = 40;

function maskBackfill(column: number): string {
  const terms = ELEMENT_SYMBOLS.map((symbol, i) => ({ symbol, z: i + 1 }))
    .filter(({ z }) => Math.floor((z - 1) / ELEMENT_MASK_BITS) === column)
    .map(({ symbol, z }) => `(CASE WHEN instr(c.elements, ',${symbol},') > 0 THEN ${2 ** ((z - 1) % ELEMENT_MASK_BITS)} ELSE 0 END)`);
  return `(SELECT ${terms.join(' + ')} FROM candidates c WHERE c.id = predictions.candidate_id)`;
}


export const MIGRATIONS: readonly string[] = [
  // 1: datasets, models, screens, candidates, predictions
  `
  CREATE TABLE datasets (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    source TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    rows INTEGER NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE models (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    dir TEXT NOT NULL,
    card_json TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE screens (
    id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'cancelled', 'done', 'failed')),
    inputs_json TEXT NOT NULL,
    model_id TEXT NOT NULL REFERENCES models(id),
    shard TEXT,
    total INTEGER,
    done INTEGER NOT NULL DEFAULT 0,
    error TEXT
  );
  CREATE TABLE candidates (
    id INTEGER PRIMARY KEY,
    screen_id INTEGER NOT NULL REFERENCES screens(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    formula TEXT NOT NULL,
    elements TEXT NOT NULL,
    sites_json TEXT NOT NULL,
    oxidation_json TEXT NOT NULL,
    t REAL NOT NULL,
    mu REAL NOT NULL,
    tau REAL,
    UNIQUE (screen_id, seq)
  );
  CREATE TABLE predictions (
    candidate_id INTEGER NOT NULL REFERENCES candidates(id) ON DELETE CASCADE,
    model_id TEXT NOT NULL REFERENCES models(id),
    band_gap REAL,
    band_gap_sigma REAL,
    p_stable REAL,
    p_stable_spread REAL,
    stable INTEGER,
    other_json TEXT,
    PRIMARY KEY (candidate_id, model_id)
  ) WITHOUT ROWID;
  CREATE INDEX predictions_gap ON predictions (band_gap);
  CREATE INDEX predictions_stable ON predictions (p_stable);
  CREATE INDEX candidates_screen_tau ON candidates (screen_id, tau);
  CREATE INDEX candidates_screen_t ON candidates (screen_id, t);
  `,
  // 2: predictions carry their screen, so filter + sort over one screen walks an index of this table
  `
  ALTER TABLE predictions ADD COLUMN screen_id INTEGER;
  UPDATE predictions SET screen_id = (SELECT screen_id FROM candidates WHERE candidates.id = predictions.candidate_id);
  DROP INDEX predictions_gap;
  DROP INDEX predictions_stable;
  CREATE INDEX predictions_screen_gap ON predictions (screen_id, band_gap);
  CREATE INDEX predictions_screen_stable ON predictions (screen_id, p_stable);
  CREATE INDEX predictions_screen_sigma ON predictions (screen_id, band_gap_sigma);
  `,
  // 3: element bitmasks on predictions, so include / exclude filters need no join and no string search
  `
  ALTER TABLE predictions ADD COLUMN elements0 INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE predictions ADD COLUMN elements1 INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE predictions ADD COLUMN elements2 INTEGER NOT NULL DEFAULT 0;
  UPDATE predictions SET elements0 = ${maskBackfill(0)}, elements1 = ${maskBackfill(1)}, elements2 = ${maskBackfill(2)};
  `,
  // 4: predictions become a rowid table keyed by candidate (a screen has one model, so one row per
  // candidate), so each secondary index entry carries an 8-byte key instead of (candidate id, model id
  // text); about a fifth cheaper to insert. The element masks get an index of their own: counting the
  // matches of an include / exclude filter then reads that narrow index, not every predictions row.
  `
  CREATE TABLE predictions_v4 (
    candidate_id INTEGER PRIMARY KEY REFERENCES candidates(id) ON DELETE CASCADE,
    model_id TEXT NOT NULL REFERENCES models(id),
    screen_id INTEGER NOT NULL,
    band_gap REAL,
    band_gap_sigma REAL,
    p_stable REAL,
    p_stable_spread REAL,
    stable INTEGER,
    other_json TEXT,
    elements0 INTEGER NOT NULL DEFAULT 0,
    elements1 INTEGER NOT NULL DEFAULT 0,
    elements2 INTEGER NOT NULL DEFAULT 0
  );
  INSERT INTO predictions_v4
    SELECT candidate_id, model_id, screen_id, band_gap, band_gap_sigma, p_stable, p_stable_spread, stable, other_json, elements0, elements1, elements2
    FROM predictions ORDER BY candidate_id;
  DROP TABLE predictions;
  ALTER TABLE predictions_v4 RENAME TO predictions;
  CREATE INDEX predictions_screen_gap ON predictions (screen_id, band_gap);
  CREATE INDEX predictions_screen_stable ON predictions (screen_id, p_stable);
  CREATE INDEX predictions_screen_sigma ON predictions (screen_id, band_gap_sigma);
  CREATE INDEX predictions_screen_elements ON predictions (screen_id, elements0, elements1, elements2);
  `,
  // 5: the process running a screen (host, pid, token), so one screen has at most one runner across
  // processes and tabs; a runner whose process is gone no longer holds it
  `
  ALTER TABLE screens ADD COLUMN runner_json TEXT;
  `,
  // 6: what a user did outside screens lives in the library too (the design being edited, the
  // shortlist with notes), and screens get a name and a note
  `
  CREATE TABLE workspace_state (
    key TEXT PRIMARY KEY,
    value_json TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  ALTER TABLE screens ADD COLUMN name TEXT;
  ALTER TABLE screens ADD COLUMN note TEXT;
  `,
  // 7: every sortable column has a (screen_id, column) index, so a sorted first page walks an index
  // and stops, instead of sorting a million rows; ranking reads the four prediction numbers of every
  // match from one covering index (a sequential read, not a million row lookups)
  `
  CREATE INDEX IF NOT EXISTS predictions_screen_rank ON predictions (screen_id, band_gap, band_gap_sigma, p_stable, p_stable_spread);
  CREATE INDEX IF NOT EXISTS candidates_screen_mu ON candidates (screen_id, mu);
  CREATE INDEX IF NOT EXISTS candidates_screen_formula ON candidates (screen_id, formula);
  CREATE INDEX IF NOT EXISTS predictions_screen_spread ON predictions (screen_id, p_stable_spread);
  `,
  // 8: each batch's prediction numbers also packed in one blob (candidate ids, gap, sigma, P(stable),
  // spread as float64 columns), written in the batch's transaction: ranking a screen reads a thousand
  // blobs instead of a million rows. Screens written before, and rows merged from other files, have
  // none; ranking then reads the rows (the blocks are used only when they cover every prediction).
  `
  CREATE TABLE prediction_blocks (
    screen_id INTEGER NOT NULL REFERENCES screens(id) ON DELETE CASCADE,
    first_candidate_id INTEGER NOT NULL,
    rows INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (screen_id, first_candidate_id)
  ) WITHOUT ROWID;
  `,
  // 9: which bundled datasets record each candidate's composition (a mask of KNOWN_SOURCES bits;
  // 0 = novel, NULL = not checked yet). Rows from before are checked after opening (fillKnown), found
  // through a partial index that holds only the unchecked rows, so it costs new screens nothing.
  `
  ALTER TABLE predictions ADD COLUMN known INTEGER;
  CREATE INDEX predictions_known_unchecked ON predictions (screen_id) WHERE known IS NULL;
  `,
  // 10: computed or measured values the user imported for candidates, beside (never over) the
  // predictions; one value per candidate, target, source and value (a file imported twice adds nothing)
  `
  CREATE TABLE results (
    id INTEGER PRIMARY KEY,
    candidate_id INTEGER NOT NULL REFERENCES candidates(id) ON DELETE CASCADE,
    screen_id INTEGER NOT NULL,
    target TEXT NOT NULL,
    value REAL NOT NULL,
    source TEXT NOT NULL,
    formula TEXT NOT NULL,
    file TEXT NOT NULL,
    line INTEGER NOT NULL,
    imported_at TEXT NOT NULL,
    UNIQUE (candidate_id, target, source, value)
  );
  CREATE INDEX results_screen ON results (screen_id, candidate_id);
  `,
  // 11: the applicability domain of each prediction (the model's latent distance to its training
  // compositions, and the flag at the model's calibrated threshold); NULL: the model had no domain
  `
  ALTER TABLE predictions ADD COLUMN domain_distance REAL;
  ALTER TABLE predictions ADD COLUMN in_domain INTEGER;
  `,
  // 12: the covering index the scatter sample and the rankings read holds the domain flag too, so the
  // scatter can draw extrapolations without a row lookup per sampled point
  `
  DROP INDEX IF EXISTS predictions_screen_rank;
  CREATE INDEX predictions_screen_rank ON predictions (screen_id, band_gap, band_gap_sigma, p_stable, p_stable_spread, in_domain);
  `,
  // 13: the experimental-gap (eV) and energy-above-hull (eV/atom) heads of a model that has them, each
  // with its sigma, as columns to filter, sort and rank by (they were only in other_json before);
  // NULL for models without them and for rows from before
  `
  ALTER TABLE predictions ADD COLUMN gap_expt REAL;
  ALTER TABLE predictions ADD COLUMN gap_expt_sigma REAL;
  ALTER TABLE predictions ADD COLUMN e_hull REAL;
  ALTER TABLE predictions ADD COLUMN e_hull_sigma REAL;
  CREATE INDEX predictions_screen_gap_expt ON predictions (screen_id, gap_expt);
  CREATE INDEX predictions_screen_e_hull ON predictions (screen_id, e_hull);
  `,
];

/** The three mask values of a set of element symbols. */
export function elementMask(symbols: Iterable<string>): [number, number, number] {
  const mask: [number, number, number] = [0, 0, 0];
  for (const s of symbols) {
    const z = ELEMENT_SYMBOLS.indexOf(s as (typeof ELEMENT_SYMBOLS)[number]) + 1;
    if (z < 1) throw new Error(`'${s}' is not an element symbol`);
    const column = Math.floor((z - 1) / ELEMENT_MASK_BITS);
    mask[column] = mask[column]! + 2 ** ((z - 1) % ELEMENT_MASK_BITS);
  }
  return mask;
}
