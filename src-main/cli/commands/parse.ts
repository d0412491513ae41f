/** `pdw parse FORMULA`: element amounts, atomic fractions and the canonical formula. */
import type { Command } from 'commander';
import { formatComposition } from '../../../shared/index.js';
import { loadElementTable } from '../../data/elements/load.js';
import { moleculeAbbreviations } from '../../data/elements/molecules.js';
import { parseOrFail } from '../formulas.js';
import { formatTable, num, printJson } from '../output.js';

export function registerParse(program: Command): void {
  program
    .command('parse')
    .description('parse a chemical formula into element amounts and atomic fractions')
    .argument('<formula>', 'e.g. BaTiO3, "CsPb(I0.5Br0.5)3", "(Ca0.5Sr0.5)TiO3"')
    .option('--json', 'print JSON')
    .action((formula: string, opts: { json?: boolean }) => {
      const composition = parseOrFail(formula);
      const canonical = formatComposition(composition, { orderBy: loadElementTable().electronegativities(), molecules: moleculeAbbreviations() });
      if (opts.json) {
        printJson({ formula, canonical, totalAmount: composition.totalAmount, elements: composition.elements });
        return;
      }
      console.log(`formula    ${formula}`);
      console.log(`canonical  ${canonical}`);
      console.log(formatTable(['element', 'amount', 'fraction'], composition.elements.map((e) => [e.element, num(e.amount), num(e.fraction)])));
    });
}
