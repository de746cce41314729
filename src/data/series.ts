// The in-memory series every preparation step works on: one float64 column per value (NaN marks a
// gap), an optional parsed time column, the source line of every row, and a report of what was found
// and done. Built from CSV text (csv.ts), plain or typed arrays, or arrays of records; all three go
// through the same checks (numbers, time order, duplicates, spacing, gaps) with the same policies.
import { DataError, listProblems, type DataProblem } from './errors.js';
import { analyzeSpacing, columnKind, formatTime, parseTime, TIME_FORMATS, type SpacingIssue, type TimeKind } from './timestamps.js';
import { fillMissing, type FillStrategy, type FilledCell } from './missing.js';

export interface CellNote {
  /** CSV line (header = 1), or the 0-based row for arrays and records. */
  line: number;
  column: string;
  /** The cell as written (for arrays: String(value)). */
  token: string;
}

export interface UnsortedNote {
  line: number;
  time: string;
  /** The line this row follows once sorted (null: it sorts first). */
  sortsAfterLine: number | null;
}

export interface DuplicateNote {
  time: string;
  lines: number[];
  kind: 'identical' | 'conflicting';
  /** Per column, the values of the duplicate rows in file order. */
  values: Record<string, number[]>;
}

export interface DataReport {
  source: string;
  /** 'line' for CSV (header = line 1), 'row' (0-based) for arrays and records. */
  rowLabel: 'line' | 'row';
  rowsRead: number;
  columns: string[];
  time: { column: string; kind: TimeKind; unit: string; step: number; issues: SpacingIssue[] } | null;
  missing: CellNote[];
  nonNumeric: CellNote[];
  unsorted: UnsortedNote[];
  duplicates: DuplicateNote[];
  filled: FilledCell[];
  droppedLines: number[];
  /** One sentence per action taken (sorting, merging, filling, dropping, clipping, smoothing). */
  actions: string[];
}

export interface Series {
  source: string;
  length: number;
  /** Value columns, in order (the time column is not one of them). */
  columns: string[];
  /** One per column, length `length`; NaN marks a gap. */
  values: Float64Array[];
  targets: string[];
  covariates: string[];
  timeColumn: string | null;
  timeKind: TimeKind | null;
  /** ms since 1970 (calendar kinds), the year, or the index; null without a time column. */
  time: Float64Array | null;
  /** Source line (CSV) or original row of each row. */
  lines: Int32Array;
  report: DataReport;
}

export type MissingPolicy = 'error' | 'keep' | FillStrategy;

export interface SeriesOptions {
  /** Name used in messages (file name for CSV). */
  source?: string;
  /** Columns to forecast; default the first value column. */
  targets?: string | string[];
  /** Other columns used as inputs; default every other value column. */
  covariates?: string[];
  /** Force the time column's kind instead of inferring it. */
  timeFormat?: 'auto' | TimeKind;
  /** Cell texts read as missing. Default '', NA, N/A, NaN, nan, null, NULL. */
  missingTokens?: string[];
  /** Gaps: reject (default), keep as NaN, or fill at once with a strategy. */
  missing?: MissingPolicy;
  /** Period for missing: 'seasonal'. */
  seasonalPeriod?: number;
  /** A cell that is not a number: reject (default) or treat as missing. */
  nonNumeric?: 'error' | 'missing';
  /** Rows out of time order: reject (default) or sort (stable). */
  unsorted?: 'error' | 'sort';
  /**
   * Repeated timestamps: reject (default); drop identical repeats (conflicting ones still throw);
   * keep the first or last row in file order; or average the values.
   */
  duplicates?: 'error' | 'drop-identical' | 'keep-first' | 'keep-last' | 'mean';
  /** Irregular spacing: list it in the report (default) or reject. */
  irregular?: 'report' | 'error';
}

export const DEFAULT_MISSING_TOKENS = ['', 'NA', 'N/A', 'NaN', 'nan', 'null', 'NULL'];
const RE_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A raw table: cells as text or values, row-major, plus where each row came from. */
export interface RawTable {
  source: string;
  rowLabel: 'line' | 'row';
  timeColumn: string | null;
  /** One per row (unused when timeColumn is null). */
  timeCells: unknown[];
  columns: string[];
  /** cell(column index, row) */
  cell: (c: number, r: number) => unknown;
  length: number;
  lines: Int32Array;
}

const loc = (label: 'line' | 'row', line: number) => `${label} ${line}`;
const show = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v) : String(v));

function chooseColumns(where: string, columns: string[], o: SeriesOptions): { targets: string[]; covariates: string[] } {
  if (columns.length === 0) throw new RangeError(`${where}: no value columns; expected a time column and at least one value column`);
  const targets = o.targets === undefined ? [columns[0]] : Array.isArray(o.targets) ? o.targets : [o.targets];
  const check = (name: string, what: string) => {
    if (!columns.includes(name))
      throw new RangeError(`${where}: ${what} '${name}' is not a column; the value columns are ${columns.map((c) => `'${c}'`).join(', ')}`);
  };
  if (targets.length === 0) throw new RangeError(`${where}: targets must name at least one column, got []`);
  targets.forEach((t) => check(t, 'target'));
  const covariates = o.covariates ?? columns.filter((c) => !targets.includes(c));
  covariates.forEach((c) => check(c, 'covariate'));
  return { targets, covariates };
}

/** The shared path from a raw table to a checked Series. */
export function buildSeries(raw: RawTable, o: SeriesOptions = {}): Series {
  const where = raw.source;
  const label = raw.rowLabel;
  const n = raw.length;
  const { targets, covariates } = chooseColumns(where, raw.columns, o);
  const report: DataReport = {
    source: where, rowLabel: label, rowsRead: n, columns: raw.columns.slice(), time: null,
    missing: [], nonNumeric: [], unsorted: [], duplicates: [], filled: [], droppedLines: [], actions: [],
  };
  if (n === 0) throw new RangeError(`${where}: no data rows; expected at least one row after the header`);

  // Time column.
  let time: Float64Array | null = null;
  let timeKind: TimeKind | null = null;
  if (raw.timeColumn !== null) {
    time = new Float64Array(n);
    const kinds: TimeKind[] = new Array(n);
    const bad: DataProblem[] = [];
    for (let r = 0; r < n; r++) {
      const v = raw.timeCells[r];
      let p: { kind: TimeKind; value: number } | null = null;
      if (v instanceof Date) p = Number.isNaN(v.getTime()) ? null : { kind: 'datetime', value: v.getTime() };
      else if (typeof v === 'number') p = Number.isInteger(v) ? { kind: o.timeFormat === 'year' ? 'year' : 'index', value: v } : null;
      else if (typeof v === 'string') p = parseTime(v);
      if (!p) {
        const what = v === '' || v === null || v === undefined ? 'is empty' : `is ${show(v)}`;
        bad.push({ kind: 'bad-time', line: raw.lines[r], column: raw.timeColumn, message: `${loc(label, raw.lines[r])}, column '${raw.timeColumn}': the time ${what}; expected ${TIME_FORMATS}` });
        continue;
      }
      kinds[r] = p.kind;
      time[r] = p.value;
    }
    if (bad.length) throw new DataError(`${where}: ${bad.length} time cell(s) could not be read:\n${listProblems(bad.map((b) => b.message))}`, bad);
    const kind = o.timeFormat && o.timeFormat !== 'auto' ? o.timeFormat : columnKind(kinds);
    if (kind === null) {
      const r = kinds.findIndex((k) => k === 'index' || k === 'year');
      const c = kinds.findIndex((k) => k !== 'index' && k !== 'year');
      throw new DataError(
        `${where}: column '${raw.timeColumn}' mixes calendar times and integers (${loc(label, raw.lines[c])} is a ${kinds[c]}, ${loc(label, raw.lines[r])} is an integer); use one time format for the whole column`,
      );
    }
    timeKind = kind;
  }

  // Values.
  const tokens = new Set(o.missingTokens ?? DEFAULT_MISSING_TOKENS);
  const values = raw.columns.map(() => new Float64Array(n));
  for (let c = 0; c < raw.columns.length; c++) {
    const col = values[c];
    const name = raw.columns[c];
    for (let r = 0; r < n; r++) {
      const v = raw.cell(c, r);
      if (typeof v === 'number') {
        if (Number.isFinite(v)) col[r] = v;
        else if (Number.isNaN(v)) {
          col[r] = NaN;
          report.missing.push({ line: raw.lines[r], column: name, token: 'NaN' });
        } else report.nonNumeric.push({ line: raw.lines[r], column: name, token: String(v) });
      } else if (v === null || v === undefined) {
        col[r] = NaN;
        report.missing.push({ line: raw.lines[r], column: name, token: String(v) });
      } else {
        const s = String(v).trim();
        if (tokens.has(s)) {
          col[r] = NaN;
          report.missing.push({ line: raw.lines[r], column: name, token: s });
        } else if (RE_NUMBER.test(s)) col[r] = Number(s);
        else {
          col[r] = NaN;
          report.nonNumeric.push({ line: raw.lines[r], column: name, token: s });
        }
      }
    }
  }
  if (report.nonNumeric.length) {
    report.nonNumeric.sort((a, b) => a.line - b.line);
    if ((o.nonNumeric ?? 'error') === 'error') {
      const problems = report.nonNumeric.map((b) => ({
        kind: 'non-numeric' as const, line: b.line, column: b.column,
        message: `${loc(label, b.line)}, column '${b.column}': expected a number, got ${JSON.stringify(b.token)}`,
      }));
      const head = problems.length === 1 ? problems[0].message : `${problems.length} cells are not numbers:\n${listProblems(problems.map((p) => p.message))}\n`;
      throw new DataError(
        `${where}: ${head}${problems.length === 1 ? '; ' : ''}fix the cell${problems.length === 1 ? '' : 's'}, or pass { nonNumeric: 'missing' } to treat ${problems.length === 1 ? 'it' : 'them'} as missing`,
        problems,
      );
    }
    for (const b of report.nonNumeric) report.missing.push(b);
    report.actions.push(`treated ${report.nonNumeric.length} non-numeric cell(s) as missing: ${report.nonNumeric.map((b) => `${loc(label, b.line)} '${b.column}' ${JSON.stringify(b.token)}`).join(', ')}`);
  }
  report.missing.sort((a, b) => a.line - b.line || raw.columns.indexOf(a.column) - raw.columns.indexOf(b.column));

  let series: Series = {
    source: where, length: n, columns: raw.columns.slice(), values, targets, covariates,
    timeColumn: raw.timeColumn, timeKind, time, lines: raw.lines, report,
  };
  if (time && timeKind) series = checkOrder(series, o);

  if (series.time && series.timeKind) {
    const sp = analyzeSpacing(series.time, series.timeKind);
    report.time = { column: series.timeColumn!, kind: series.timeKind, unit: sp.unit, step: sp.step, issues: sp.issues };
    if (sp.issues.length && o.irregular === 'error') {
      const lines = sp.issues.map((s) => `${loc(label, series.lines[s.row])}: ${s.from} -> ${s.to} is a step of ${s.step} ${sp.unit}(s), expected ${sp.step}`);
      throw new DataError(`${where}: column '${series.timeColumn}' is irregularly spaced:\n${listProblems(lines)}\nPass { irregular: 'report' } to accept it`);
    }
  }

  const policy = o.missing ?? 'error';
  if (report.missing.length && policy === 'error') {
    const problems = report.missing.map((m) => ({
      kind: 'missing' as const, line: m.line, column: m.column,
      message: `${loc(label, m.line)}, column '${m.column}': missing (${JSON.stringify(m.token)})`,
    }));
    throw new DataError(
      `${where}: ${problems.length} missing value(s):\n${listProblems(problems.map((p) => p.message))}\n` +
        `Pass { missing: 'keep' } to keep them as NaN, or a fill strategy: 'ffill', 'bfill', 'linear', 'seasonal', 'drop' or 'mask'`,
      problems,
    );
  }
  if (report.missing.length && policy !== 'keep' && policy !== 'error')
    series = fillMissing(series, { strategy: policy, period: o.seasonalPeriod });
  return series;
}

/** Longest non-decreasing subsequence of t (indices): the rows that are already in order. */
function inOrderRows(t: Float64Array): Uint8Array {
  const n = t.length;
  const tails: number[] = []; // index of the smallest tail of each length
  const prev = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (t[tails[mid]] <= t[i]) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) prev[i] = tails[lo - 1];
    tails[lo] = i;
  }
  const keep = new Uint8Array(n);
  for (let i = tails.length ? tails[tails.length - 1] : -1; i >= 0; i = prev[i]) keep[i] = 1;
  return keep;
}

function checkOrder(s: Series, o: SeriesOptions): Series {
  const { report } = s;
  const label = report.rowLabel;
  const t = s.time!;
  const n = s.length;
  const kind = s.timeKind;
  const order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => t[a] - t[b] || a - b);

  // Rows out of order: those outside the longest run that is already in order.
  const keep = inOrderRows(t);
  const pos = new Int32Array(n);
  order.forEach((r, p) => (pos[r] = p));
  for (let r = 0; r < n; r++)
    if (!keep[r]) {
      const p = pos[r];
      report.unsorted.push({ line: s.lines[r], time: formatTime(t[r], kind), sortsAfterLine: p > 0 ? s.lines[order[p - 1]] : null });
    }

  // Duplicate timestamps, grouped in sorted order.
  const groups: number[][] = [];
  for (let p = 1; p < n; p++)
    if (t[order[p]] === t[order[p - 1]]) {
      const last = groups[groups.length - 1];
      if (last && last[last.length - 1] === order[p - 1]) last.push(order[p]);
      else groups.push([order[p - 1], order[p]]);
    }
  for (const g of groups) {
    const values: Record<string, number[]> = {};
    let identical = true;
    s.columns.forEach((c, k) => {
      values[c] = g.map((r) => s.values[k][r]);
      const first = values[c][0];
      if (!values[c].every((v) => Object.is(v, first))) identical = false;
    });
    report.duplicates.push({ time: formatTime(t[g[0]], kind), lines: g.map((r) => s.lines[r]), kind: identical ? 'identical' : 'conflicting', values });
  }

  const unsortedPolicy = o.unsorted ?? 'error';
  const dupPolicy = o.duplicates ?? 'error';
  const problems: DataProblem[] = [];
  const fixes: string[] = [];
  if (report.unsorted.length && unsortedPolicy === 'error') {
    for (const u of report.unsorted)
      problems.push({
        kind: 'unsorted', line: u.line, column: s.timeColumn!,
        message: `${loc(label, u.line)}: ${u.time} is out of time order (${u.sortsAfterLine === null ? 'it sorts first' : `sorted, it follows ${loc(label, u.sortsAfterLine)}`})`,
      });
    fixes.push(`{ unsorted: 'sort' } to sort the rows by time`);
  }
  const blocking = report.duplicates.filter((d) => dupPolicy === 'error' || (dupPolicy === 'drop-identical' && d.kind === 'conflicting'));
  for (const d of blocking) {
    const [first, ...rest] = d.lines;
    const diff = d.kind === 'identical' ? 'an identical row' : `a conflicting value (${s.columns.filter((c) => !d.values[c].every((v) => Object.is(v, d.values[c][0]))).map((c) => `'${c}': ${d.values[c].join(' vs ')}`).join(', ')})`;
    problems.push({ kind: 'duplicate', line: rest[0], column: s.timeColumn!, message: `${rest.map((l) => loc(label, l)).join(', ')}: ${d.time} repeats ${loc(label, first)} with ${diff}` });
  }
  if (blocking.length)
    fixes.push(
      blocking.some((d) => d.kind === 'conflicting')
        ? `{ duplicates: 'keep-first' | 'keep-last' | 'mean' } to merge repeated timestamps`
        : `{ duplicates: 'drop-identical' } to drop identical repeated rows`,
    );
  if (problems.length) {
    problems.sort((a, b) => a.line - b.line);
    const parts: string[] = [];
    if (report.unsorted.length && unsortedPolicy === 'error') parts.push(`${report.unsorted.length} row(s) out of time order`);
    if (blocking.length) parts.push(`${blocking.length} duplicate timestamp(s)`);
    throw new DataError(
      `${s.source}: column '${s.timeColumn}' has ${parts.join(' and ')}:\n${listProblems(problems.map((p) => p.message), 40)}\nPass ${fixes.join(', or ')}`,
      problems,
    );
  }

  // Policies: stable sort, then merge each group of repeats into its first sorted position.
  let rows: number[] = Array.from(order);
  if (report.unsorted.length) report.actions.push(`sorted ${n} rows by '${s.timeColumn}' (${report.unsorted.length} were out of order: ${report.unsorted.map((u) => loc(label, u.line)).join(', ')})`);
  else rows = Array.from({ length: n }, (_, i) => i);
  const merged = new Map<number, number[]>(); // kept row -> values per column
  if (report.duplicates.length) {
    const drop = new Set<number>();
    for (const d of report.duplicates) {
      const g = d.lines.map((l) => s.lines.indexOf(l));
      if (dupPolicy === 'keep-last') {
        g.slice(0, -1).forEach((r) => drop.add(r));
      } else {
        g.slice(1).forEach((r) => drop.add(r));
        if (dupPolicy === 'mean') merged.set(g[0], s.columns.map((c) => d.values[c].reduce((a, b) => a + b, 0) / d.values[c].length));
      }
      const kept = dupPolicy === 'keep-last' ? d.lines[d.lines.length - 1] : d.lines[0];
      report.actions.push(
        `${d.time}: ${d.kind} duplicate on ${d.lines.map((l) => loc(label, l)).join(', ')}; ${dupPolicy === 'mean' ? `averaged into ${loc(label, kept)}` : `kept ${loc(label, kept)}`} (duplicates: '${dupPolicy}')`,
      );
      report.droppedLines.push(...d.lines.filter((l) => l !== kept));
    }
    rows = rows.filter((r) => !drop.has(r));
  }
  if (rows.length === n && !report.unsorted.length) return s;
  return {
    ...s,
    length: rows.length,
    values: s.values.map((col, k) => Float64Array.from(rows, (r) => (merged.has(r) ? merged.get(r)![k] : col[r]))),
    time: Float64Array.from(rows, (r) => t[r]),
    lines: Int32Array.from(rows, (r) => s.lines[r]),
  };
}

export interface ArrayOptions extends SeriesOptions {
  /** One time value per row: ISO strings, Dates, or integers (index, or years with timeFormat 'year'). */
  time?: ArrayLike<string | number | Date>;
  timeColumn?: string;
}

/** A univariate series from a plain or typed array; NaN, null and undefined are gaps. */
export function fromArray(values: ArrayLike<number | null | undefined>, options: ArrayOptions & { name?: string } = {}): Series {
  return fromColumns({ [options.name ?? 'value']: values }, { source: 'fromArray', ...options });
}

/** A series from named columns of equal length. */
export function fromColumns(columns: Record<string, ArrayLike<number | null | undefined>>, options: ArrayOptions = {}): Series {
  const source = options.source ?? 'fromColumns';
  const names = Object.keys(columns);
  const cols = names.map((k) => columns[k]);
  names.forEach((k, i) => {
    const c = cols[i];
    if (c === null || typeof c !== 'object' || typeof c.length !== 'number')
      throw new TypeError(`${source}: column '${k}' must be an array or typed array, got ${c === null ? 'null' : typeof c}`);
  });
  const n = cols.length ? cols[0].length : 0;
  names.forEach((k, i) => {
    if (cols[i].length !== n) throw new RangeError(`${source}: column '${k}' has ${cols[i].length} values, expected ${n} like '${names[0]}'`);
  });
  if (options.time && options.time.length !== n) throw new RangeError(`${source}: time has ${options.time.length} values, expected ${n} (one per row)`);
  return buildSeries(
    {
      source, rowLabel: 'row', timeColumn: options.time ? (options.timeColumn ?? 'time') : null,
      timeCells: options.time ? Array.from(options.time) : [], columns: names,
      cell: (c, r) => cols[c][r], length: n, lines: Int32Array.from({ length: n }, (_, i) => i),
    },
    options,
  );
}

export interface RecordOptions extends SeriesOptions {
  /** Key of the time field; default the first of time, date, datetime, timestamp, year present; null for none. */
  timeColumn?: string | null;
  /** Value fields; default every other key of the first record. */
  columns?: string[];
}

/** A series from an array of records such as [{ date: '2020-01-01', sales: 3 }, ...]. */
export function fromRecords(records: ArrayLike<Record<string, unknown>>, options: RecordOptions = {}): Series {
  const source = options.source ?? 'fromRecords';
  if (!records || typeof records.length !== 'number') throw new TypeError(`${source}: records must be an array of objects`);
  if (records.length === 0) throw new RangeError(`${source}: no records; expected at least one`);
  for (let r = 0; r < records.length; r++)
    if (records[r] === null || typeof records[r] !== 'object') throw new TypeError(`${source}: record ${r} must be an object, got ${records[r] === null ? 'null' : typeof records[r]}`);
  const keys = Object.keys(records[0]);
  const timeColumn = options.timeColumn === undefined ? (['time', 'date', 'datetime', 'timestamp', 'year'].find((k) => keys.includes(k)) ?? null) : options.timeColumn;
  const columns = options.columns ?? keys.filter((k) => k !== timeColumn);
  return buildSeries(
    {
      source, rowLabel: 'row', timeColumn,
      timeCells: timeColumn === null ? [] : Array.from(records, (rec) => rec[timeColumn]),
      columns, cell: (c, r) => records[r][columns[c]], length: records.length,
      lines: Int32Array.from({ length: records.length }, (_, i) => i),
    },
    options,
  );
}

/** The values of one column (a view, not a copy). */
export function getColumn(s: Series, name: string): Float64Array {
  const k = s.columns.indexOf(name);
  if (k < 0) throw new RangeError(`${s.source}: no column '${name}'; the value columns are ${s.columns.map((c) => `'${c}'`).join(', ')}`);
  return s.values[k];
}

/** Rows [from, to) as a new series sharing no buffers with the original. */
export function sliceSeries(s: Series, from: number, to: number): Series {
  if (!(Number.isInteger(from) && Number.isInteger(to) && 0 <= from && from <= to && to <= s.length))
    throw new RangeError(`sliceSeries: need integers 0 <= from <= to <= ${s.length}, got from ${from}, to ${to}`);
  return {
    ...s,
    length: to - from,
    values: s.values.map((v) => v.slice(from, to)),
    time: s.time ? s.time.slice(from, to) : null,
    lines: s.lines.slice(from, to),
    report: { ...s.report, actions: [...s.report.actions, `kept rows ${from}..${to - 1} of ${s.length}`] },
  };
}

/** "line 31" for CSV rows, "row 30" otherwise. */
export function rowName(s: Series, row: number): string {
  return loc(s.report.rowLabel, s.lines[row]);
}
