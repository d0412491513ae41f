/** `pdw data info FILE|NAME`: what a dataset holds and which rows are bad. */
import type { Command } from 'commander';
import { datasetInfo, DatasetError, type DatasetInfo } from '../../services/datasets.js';
import { CliError } from '../errors.js';
import { commaList, positiveInt } from '../options.js';
import { formatTable, num, printJson } from '../output.js';

interface InfoOptions {
  formula: string;
  targets?: string[];
  id?: string;
  json?: boolean;
  problems: number;
}

export function registerData(program: Command): void {
  const data = program.command('data').description('inspect datasets');
  data
    .command('info')
    .description('summarize a dataset CSV (or a bundled dataset by name: mp_abx3, expt_gap, mp_gap) and list its bad rows')
    .argument('<file-or-name>')
    .option('--formula <column>', 'formula column', 'formula')
    .option('--targets <columns>', 'comma-separated target columns, each optionally :number or :boolean (default: every other column)', commaList)
    .option('--id <column>', 'row identifier column')
    .option('--problems <n>', 'how many bad rows to list', positiveInt, 20)
    .option('--json', 'print JSON')
    .action((source: string, opts: InfoOptions) => {
      let info: DatasetInfo;
      try {
        info = datasetInfo({ source, formulaColumn: opts.formula, ...(opts.targets ? { targets: opts.targets } : {}), ...(opts.id ? { idColumn: opts.id } : {}) });
      } catch (e) {
        if (e instanceof DatasetError) throw new CliError(e.message);
        throw e;
      }
      if (opts.json) {
        const { elements: _e, ...rest } = info;
        printJson(rest);
        return;
      }
      console.log(`source     ${info.source}`);
      console.log(`rows       ${info.rowsRead} read, ${info.rowsLoaded} loaded, ${info.rowsRejected} rejected`);
      console.log(`formulas   ${info.distinctFormulas} distinct, ${info.distinctElements} elements`);
      console.log(
        formatTable(
          ['target', 'kind', 'present', 'missing', 'mean', 'min', 'max'],
          info.targets.map((t) => [t.name, t.kind, t.present, t.missing, t.mean === null ? '-' : num(t.mean, 4), t.min === null ? '-' : num(t.min, 4), t.max === null ? '-' : num(t.max, 4)]),
        ),
      );
      console.log(`most common elements: ${info.elements.slice(0, 12).map(([el, n]) => `${el} ${n}`).join(', ')}`);
      if (info.problems.length > 0) {
        console.log(`\nrejected rows (${Math.min(opts.problems, info.problems.length)} of ${info.problems.length}):`);
        for (const p of info.problems.slice(0, opts.problems)) console.log(`  line ${p.line}${p.column ? ` [${p.column}]` : ''}: ${p.reason}`);
      }
    });
}
