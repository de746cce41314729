// Reading the user's CSV for a subcommand: the same options everywhere (--target, --time, --covariates
// and the data-repair policies), so every subcommand reads a file the same way and fails the same way.
import { Command, Option } from 'commander';
import { loadCsv } from '../data/csv.js';
import type { Series, SeriesOptions } from '../data/series.js';
import { columnList } from './option-values.js';

export interface SeriesCliOptions {
  target?: string;
  time?: string;
  covariates?: string[];
  missing?: SeriesOptions['missing'];
  nonNumeric?: 'error' | 'missing';
  unsorted?: 'error' | 'sort';
  duplicates?: SeriesOptions['duplicates'];
}

/** Adds the options that say how to read the CSV. */
export function addSeriesOptions(cmd: Command, { targetRequired }: { targetRequired: boolean }): Command {
  const target = new Option('--target <column>', 'the column to forecast' + (targetRequired ? '' : ' (default: the first value column)'));
  if (targetRequired) target.makeOptionMandatory();
  return cmd
    .addOption(target)
    .option('--time <column>', 'the time column (default: the first column)')
    .option('--covariates <columns>', 'other columns fed to the network as inputs, comma-separated', columnList)
    .addOption(new Option('--missing <policy>', 'what to do with empty or NA cells').choices(['error', 'keep', 'ffill', 'bfill', 'linear', 'seasonal', 'drop']).default('error'))
    .addOption(new Option('--non-numeric <policy>', 'a cell that is not a number').choices(['error', 'missing']).default('error'))
    .addOption(new Option('--unsorted <policy>', 'rows out of time order').choices(['error', 'sort']).default('error'))
    .addOption(new Option('--duplicates <policy>', 'repeated timestamps').choices(['error', 'drop-identical', 'keep-first', 'keep-last', 'mean']).default('error'));
}

/** The CSV as a checked Series with the chosen target; covariates only when asked for. */
export async function loadSeries(file: string, o: SeriesCliOptions): Promise<Series> {
  return loadCsv(file, {
    timeColumn: o.time,
    targets: o.target,
    covariates: o.covariates ?? [],
    missing: o.missing,
    nonNumeric: o.nonNumeric,
    unsorted: o.unsorted,
    duplicates: o.duplicates,
  });
}

/** The target column's values. */
export function targetValues(series: Series): Float64Array {
  return series.values[series.columns.indexOf(series.targets[0])];
}
