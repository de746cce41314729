// CSV text to a Series: csv-parse splits the text into records (quoting, BOM, CRLF), and every record
// keeps the line it came from (header = line 1) so that each later check can name it. Cells stay text until
// buildSeries reads them, so a gap or a typo is never turned into 0.
// Portable (no Node API), so the browser build parses CSV text with the same checks; csv.ts adds
// reading files in Node.
import { parse } from 'csv-parse/sync';
import { DataError } from './errors.js';
import { buildSeries, type Series, type SeriesOptions } from './series.js';

export interface CsvOptions extends SeriesOptions {
  /** The time column's name or 0-based position; default the first column; null when there is none. */
  timeColumn?: string | number | null;
  /** Default ','. */
  delimiter?: string;
}

export interface CsvTable {
  header: string[];
  rows: string[][];
  /** Line of each row (header = line 1). */
  lines: Int32Array;
}

/** Header and rows as text, with line numbers; every row must have as many cells as the header. */
export function parseCsvTable(text: string, source = 'csv', delimiter = ','): CsvTable {
  if (typeof text !== 'string') throw new TypeError(`${source}: CSV input must be a string, got ${typeof text}`);
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { info: true, bom: true, skip_empty_lines: true, relax_column_count: true, delimiter }) as unknown as typeof records;
  } catch (e) {
    throw new DataError(`${source}: not valid CSV: ${(e as Error).message}`);
  }
  if (records.length === 0) throw new DataError(`${source}: the file is empty; expected a header line and data rows`);
  const header = records[0].record.map((h) => h.trim());
  const rows: string[][] = [];
  const lines = new Int32Array(records.length - 1);
  for (let i = 1; i < records.length; i++) {
    const { record, info } = records[i];
    if (record.length !== header.length)
      throw new DataError(
        `${source}: line ${info.lines} has ${record.length} cell(s), expected ${header.length} like the header (${header.join(',')})`,
        [{ kind: 'column-count', line: info.lines, message: `line ${info.lines}: ${record.length} cells` }],
      );
    rows.push(record);
    lines[i - 1] = info.lines;
  }
  return { header, rows, lines };
}

/** A Series from CSV text. */
export function readCsv(text: string, options: CsvOptions = {}): Series {
  const source = options.source ?? 'csv';
  const { header, rows, lines } = parseCsvTable(text, source, options.delimiter);
  let t: number | null;
  if (options.timeColumn === null) t = null;
  else if (options.timeColumn === undefined) t = 0;
  else if (typeof options.timeColumn === 'number') {
    if (!Number.isInteger(options.timeColumn) || options.timeColumn < 0 || options.timeColumn >= header.length)
      throw new RangeError(`${source}: timeColumn ${options.timeColumn} is out of range; the header has ${header.length} columns`);
    t = options.timeColumn;
  } else {
    t = header.indexOf(options.timeColumn);
    if (t < 0) throw new RangeError(`${source}: time column '${options.timeColumn}' is not in the header (${header.join(', ')})`);
  }
  const valueIdx = header.map((_, i) => i).filter((i) => i !== t);
  const dupes = header.filter((h, i) => header.indexOf(h) !== i);
  if (dupes.length) throw new DataError(`${source}: line 1 repeats column name(s) ${dupes.map((d) => `'${d}'`).join(', ')}; column names must be unique`);
  return buildSeries(
    {
      source, rowLabel: 'line', timeColumn: t === null ? null : header[t],
      timeCells: t === null ? [] : rows.map((r) => r[t]),
      columns: valueIdx.map((i) => header[i]),
      cell: (c, r) => rows[r][valueIdx[c]],
      length: rows.length, lines,
    },
    { ...options, source },
  );
}
