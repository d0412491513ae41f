/** `pdw parse FORMULA`: element amounts, atomic fractions and the canonical formula. */
import type { Command } from 'commander';
import { formatComposition, parseFormula, type Composition } from '../../../shared/index.js';
import { displayText } from '../../../shared/text.js';
import { loadElementTable } from '../../data/elements/load.js';
import { moleculeAbbreviations } from '../../data/elements/molecules.js';
import { CliError } from '../errors.js';
import { formatTable, num, printJson } from '../output.js';

/** Parses a formula (molecular ions such as MA and FA included) or fails with what and where. */
export function parseOrFail(formula: string, maxElements?: number): Composition {
  const result = parseFormula(formula, { molecules: moleculeAbbreviations(), ...(maxElements === undefined ? {} : { maxElements }) });
  if (!result.ok) {
    const { error } = result;
    throw new CliError(`cannot parse "${displayText(formula)}": ${error.message} [${error.code}, position ${error.position + 1}]`);
  }
  return result.value;
}

export function registerParse(program: Command): void {
  program
    .command('parse')
    .description('parse a chemical formula into element amounts and atomic fractions')
    .argument('<formula>', 'e.g. BaTiO3, "CsPb(I0.5Br0.5)3", "(Ca0.5Sr0.5)TiO3"')
    .option('--json', 'print JSON')
    .action((formula: string, opts: { json?: boolean }) => {
      const composition = parseOrFail(formula);
      const canonical = formatComposition(composition, { orderBy: loadElementTable().electronegativities() });
      if (opts.json) {
        printJson({ formula, canonical, totalAmount: composition.totalAmount, elements: composition.elements });
        return;
      }
      console.log(`formula    ${formula}`);
      console.log(`canonical  ${canonical}`);
      console.log(formatTable(['element', 'amount', 'fraction'], composition.elements.map((e) => [e.element, num(e.amount), num(e.fraction)])));
    });
}
