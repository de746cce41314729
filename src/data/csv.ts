// CSV files in Node: read the file and parse its text with csv-text.ts (portable, also in the browser
// build), naming the file in every message.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Series } from './series.js';
import { readCsv, type CsvOptions } from './csv-text.js';

export { parseCsvTable, readCsv } from './csv-text.js';
export type { CsvOptions, CsvTable } from './csv-text.js';

const pathOf = (file: string | URL) => (file instanceof URL ? fileURLToPath(file) : file);

/** A Series from a CSV file; messages name the file. */
export async function loadCsv(file: string | URL, options: CsvOptions = {}): Promise<Series> {
  const path = pathOf(file);
  return readCsv(await readFile(path, 'utf8'), { source: basename(path), ...options });
}

export function loadCsvSync(file: string | URL, options: CsvOptions = {}): Series {
  const path = pathOf(file);
  return readCsv(readFileSync(path, 'utf8'), { source: basename(path), ...options });
}
