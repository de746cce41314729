// The shared data folder (../shared/data) and its manifest, resolved like test/helpers/fixtures.ts.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const DATA_DIR = new URL('../../../shared/data/', import.meta.url);
export const dataFile = (name: string): URL => new URL(name, DATA_DIR);
export const readData = (name: string): string => readFileSync(fileURLToPath(dataFile(name)), 'utf8');

export interface DatasetEntry {
  name: string;
  file: string;
  length: number;
  columns: string[];
  value_columns: string[];
  time_column: string;
  target: string;
  start: string;
  end: string;
  seasonal_period: number;
  horizon: number;
}

export const manifest = JSON.parse(readData('datasets.json')) as { datasets: DatasetEntry[]; dirty: any[] };

/** Expect fn to throw an error of class C whose message contains every fragment. */
export function catchError(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error, none was thrown');
}
