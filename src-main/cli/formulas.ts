/** Formulas from the command line: parsed with the molecular ions' abbreviations, errors as one line. */
import { parseFormula, type Composition } from '../../shared/index.js';
import { displayText } from '../../shared/text.js';
import { moleculeAbbreviations } from '../data/elements/molecules.js';
import { CliError } from './errors.js';

/** Parses a formula (molecular ions such as MA and FA included) or fails with what and where. */
export function parseOrFail(formula: string, maxElements?: number): Composition {
  const result = parseFormula(formula, { molecules: moleculeAbbreviations(), ...(maxElements === undefined ? {} : { maxElements }) });
  if (!result.ok) {
    const { error } = result;
    throw new CliError(`cannot parse "${displayText(formula)}": ${error.message} [${error.code}, position ${error.position + 1}]`);
  }
  return result.value;
}
