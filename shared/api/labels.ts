/** Names for people of what a model predicts, from its card's words: one rule for the UI and the CLI. */

/**
 * A short name for a model's band gap, from its card's meaning: "PBE gap" (DFT, Materials Project),
 * "experimental gap", or "band gap" when the card does not say. Column headers and axes use it; the
 * full meaning goes beside it (tooltip, caption, export column).
 */
export function gapName(meaning: string | null | undefined): string {
  if (!meaning) return 'band gap';
  if (/experiment|measured/i.test(meaning)) return 'experimental gap';
  if (/\bPBE\b/.test(meaning)) return 'PBE gap';
  if (/\bHSE/i.test(meaning)) return 'HSE gap';
  return 'band gap';
}
