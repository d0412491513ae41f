/** `pdw featurize FORMULA`: the element descriptor matrix the model sees. */
import type { Command } from 'commander';
import { loadElementTable } from '../../data/elements/load.js';
import { DEFAULT_FRACTION_WIDTH, DEFAULT_MAX_ELEMENTS, descriptorMatrix, FeaturizeError, type DescriptorMatrix } from '../../services/featurize.js';
import { CliError } from '../errors.js';
import { positiveInt } from '../options.js';
import { formatTable, num, printJson } from '../output.js';
import { parseOrFail } from '../formulas.js';

interface FeaturizeOptions {
  json?: boolean;
  maxElements: number;
  fractionWidth: number;
}

export function registerFeaturize(program: Command): void {
  program
    .command('featurize')
    .description('print the element descriptor matrix (EDM) of a formula: rows x width, mask, element order')
    .argument('<formula>')
    .option('--json', 'print the whole matrix as JSON')
    .option('--max-elements <n>', 'rows of the matrix (padding included)', positiveInt, DEFAULT_MAX_ELEMENTS)
    .option('--fraction-width <n>', 'width of the fractional encoding (even, >= 6)', positiveInt, DEFAULT_FRACTION_WIDTH)
    .action((formula: string, opts: FeaturizeOptions) => {
      const composition = parseOrFail(formula, opts.maxElements);
      let edm: DescriptorMatrix;
      try {
        edm = descriptorMatrix(loadElementTable(), composition, opts);
      } catch (e) {
        if (e instanceof FeaturizeError) throw new CliError(`cannot featurize "${formula}": ${e.message}`);
        throw new CliError((e as Error).message);
      }
      if (opts.json) {
        printJson({ formula, ...edm });
        return;
      }
      const { layout } = edm;
      console.log(`${formula}: ${edm.rows} rows x ${edm.width} columns (mat2vec ${layout.mat2vec.join('-')}, attributes ${layout.attributes.join('-')}, fraction ${layout.fraction.join('-')})`);
      console.log(
        formatTable(
          ['row', 'element', 'fraction', 'mask', 'mat2vec[0..2]', 'attributes (standardized)', 'fraction enc[0..3]'],
          edm.matrix.map((values, r) => [
            r,
            edm.elements[r] ?? '-',
            edm.fractions[r] === undefined ? '-' : num(edm.fractions[r]!),
            edm.mask[r]!,
            values.slice(0, 3).map((v) => num(v, 3)).join(' '),
            values.slice(layout.attributes[0], layout.attributes[1]).map((v) => num(v, 2)).join(' '),
            values.slice(layout.fraction[0], layout.fraction[0] + 4).map((v) => num(v, 3)).join(' '),
          ]),
        ),
      );
      console.log('use --json for every value');
    });
}
