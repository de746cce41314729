// Missing-value strategies. Each fill returns a new series and lists every filled cell (line, column,
// value, how) in the report. Edge gaps that a one-sided fill cannot reach take the nearest observed
// value, and the report says so ('bfill (leading edge)'), rather than leaving NaN behind.
import type { Series } from './series.js';

export type FillStrategy = 'ffill' | 'bfill' | 'linear' | 'seasonal' | 'drop' | 'mask';

export interface FilledCell {
  line: number;
  column: string;
  value: number;
  method: string;
}

export interface FillOptions {
  strategy: FillStrategy;
  /** Season length for 'seasonal' (12 for monthly data, 4 quarterly, 48 half-hourly daily). */
  period?: number;
  /** Columns to treat; default every value column. */
  columns?: string[];
}

export interface ArrayFill {
  values: Float64Array;
  /** Row of each filled cell, ascending. */
  rows: number[];
  methods: string[];
}

const STRATEGIES: FillStrategy[] = ['ffill', 'bfill', 'linear', 'seasonal', 'drop', 'mask'];

function ffill(x: Float64Array, rows: number[], methods: string[]): void {
  let last = NaN;
  for (let i = 0; i < x.length; i++) {
    if (Number.isNaN(x[i])) {
      if (!Number.isNaN(last)) {
        x[i] = last;
        rows.push(i);
        methods.push('ffill');
      }
    } else last = x[i];
  }
}

function bfill(x: Float64Array, rows: number[], methods: string[], label = 'bfill'): void {
  let next = NaN;
  for (let i = x.length - 1; i >= 0; i--) {
    if (Number.isNaN(x[i])) {
      if (!Number.isNaN(next)) {
        x[i] = next;
        rows.push(i);
        methods.push(label);
      }
    } else next = x[i];
  }
}

/** Linear interpolation over the positions `idx` of x (all rows, or one season's rows). */
function interpolate(x: Float64Array, idx: ArrayLike<number>, rows: number[], methods: string[], name: string): void {
  let prev = -1;
  for (let k = 0; k < idx.length; k++) {
    if (Number.isNaN(x[idx[k]])) continue;
    if (prev >= 0 && k - prev > 1) {
      const a = x[idx[prev]];
      const b = x[idx[k]];
      for (let j = prev + 1; j < k; j++) {
        x[idx[j]] = a + ((b - a) * (j - prev)) / (k - prev);
        rows.push(idx[j]);
        methods.push(name);
      }
    }
    prev = k;
  }
}

/** Fill one array's NaNs; an array with no observed value at all cannot be filled. */
export function fillArray(values: ArrayLike<number>, strategy: 'ffill' | 'bfill' | 'linear' | 'seasonal', period?: number, where = 'fillArray'): ArrayFill {
  const x = Float64Array.from(values);
  const rows: number[] = [];
  const methods: string[] = [];
  let observed = 0;
  for (let i = 0; i < x.length; i++) if (!Number.isNaN(x[i])) observed++;
  if (observed === 0 && x.length > 0) throw new RangeError(`${where}: every value is missing; there is nothing to fill from`);
  if (strategy === 'ffill') {
    ffill(x, rows, methods);
    bfill(x, rows, methods, 'bfill (leading edge)');
  } else if (strategy === 'bfill') {
    bfill(x, rows, methods);
    ffill(x, rows, methods);
    for (let k = 0; k < methods.length; k++) if (methods[k] === 'ffill') methods[k] = 'ffill (trailing edge)';
  } else if (strategy === 'linear') {
    interpolate(x, Int32Array.from({ length: x.length }, (_, i) => i), rows, methods, 'linear');
    ffill(x, rows, methods);
    bfill(x, rows, methods, 'bfill (leading edge)');
    for (let k = 0; k < methods.length; k++) if (methods[k] === 'ffill') methods[k] = 'ffill (trailing edge)';
  } else if (strategy === 'seasonal') {
    if (!Number.isInteger(period) || (period as number) < 1)
      throw new RangeError(`${where}: strategy 'seasonal' needs period, a positive integer (e.g. 12 for monthly data), got ${period}`);
    const m = period as number;
    // Interpolate within each season's own subseries (x[p], x[p+m], ...), the same phase in other cycles.
    for (let p = 0; p < m; p++) {
      const idx: number[] = [];
      for (let i = p; i < x.length; i += m) idx.push(i);
      interpolate(x, idx, rows, methods, `seasonal (period ${m})`);
      // Edges of a subseries: nearest observation of the same phase.
      const first = idx.findIndex((i) => !Number.isNaN(x[i]));
      if (first < 0) continue;
      for (let j = 0; j < first; j++) {
        x[idx[j]] = x[idx[first]];
        rows.push(idx[j]);
        methods.push(`seasonal (period ${m}, leading edge)`);
      }
      let last = -1;
      for (let j = idx.length - 1; j >= 0; j--) if (!Number.isNaN(x[idx[j]])) { last = j; break; }
      for (let j = last + 1; j < idx.length; j++) {
        x[idx[j]] = x[idx[last]];
        rows.push(idx[j]);
        methods.push(`seasonal (period ${m}, trailing edge)`);
      }
    }
    // A phase never observed falls back to linear interpolation over the whole series.
    interpolate(x, Int32Array.from({ length: x.length }, (_, i) => i), rows, methods, 'linear (phase never observed)');
    ffill(x, rows, methods);
    bfill(x, rows, methods, 'bfill (leading edge)');
  } else throw new RangeError(`${where}: unknown strategy '${strategy}'; expected one of ${STRATEGIES.map((s) => `'${s}'`).join(', ')}`);
  const order = rows.map((_, k) => k).sort((a, b) => rows[a] - rows[b]);
  return { values: x, rows: order.map((k) => rows[k]), methods: order.map((k) => methods[k]) };
}

/** Name of the 0/1 indicator channel that 'mask' adds for a column. */
export const maskColumnName = (column: string): string => `${column}_missing`;

/**
 * Apply a strategy to a series: fills return filled copies; 'drop' removes every row with a gap in the
 * chosen columns (the report lists the lines, and spacing then has holes); 'mask' keeps the gaps as NaN
 * and adds a 0/1 column `<name>_missing` (1 = missing) as a covariate for each column that has gaps.
 */
export function fillMissing(s: Series, options: FillOptions | FillStrategy): Series {
  const o: FillOptions = typeof options === 'string' ? { strategy: options } : options;
  const where = `fillMissing(${s.source})`;
  if (!STRATEGIES.includes(o.strategy))
    throw new RangeError(`${where}: unknown strategy '${o.strategy}'; expected one of ${STRATEGIES.map((x) => `'${x}'`).join(', ')}`);
  const cols = o.columns ?? s.columns;
  const idx = cols.map((c) => {
    const k = s.columns.indexOf(c);
    if (k < 0) throw new RangeError(`${where}: no column '${c}'; the value columns are ${s.columns.map((x) => `'${x}'`).join(', ')}`);
    return k;
  });
  const label = s.report.rowLabel;
  const report = { ...s.report, filled: s.report.filled.slice(), droppedLines: s.report.droppedLines.slice(), actions: s.report.actions.slice() };

  if (o.strategy === 'drop') {
    const keep: number[] = [];
    const dropped: number[] = [];
    for (let r = 0; r < s.length; r++) (idx.some((k) => Number.isNaN(s.values[k][r])) ? dropped : keep).push(r);
    const lines = dropped.map((r) => s.lines[r]);
    report.droppedLines.push(...lines);
    report.actions.push(`dropped ${dropped.length} row(s) with missing values (missing: 'drop'): ${lines.map((l) => `${label} ${l}`).join(', ') || 'none'}`);
    return {
      ...s, report, length: keep.length,
      values: s.values.map((v) => Float64Array.from(keep, (r) => v[r])),
      time: s.time ? Float64Array.from(keep, (r) => s.time![r]) : null,
      lines: Int32Array.from(keep, (r) => s.lines[r]),
    };
  }

  if (o.strategy === 'mask') {
    const columns = s.columns.slice();
    const values = s.values.slice();
    const covariates = s.covariates.slice();
    for (const k of idx) {
      const v = s.values[k];
      const m = new Float64Array(s.length);
      let gaps = 0;
      for (let r = 0; r < s.length; r++) if (Number.isNaN(v[r])) (m[r] = 1), gaps++;
      if (!gaps) continue;
      const name = maskColumnName(s.columns[k]);
      columns.push(name);
      values.push(m);
      covariates.push(name);
      report.actions.push(`masked ${gaps} gap(s) in '${s.columns[k]}' (kept as NaN) and added indicator column '${name}'`);
    }
    return { ...s, report, columns, values, covariates };
  }

  const values = s.values.slice();
  for (const k of idx) {
    const f = fillArray(s.values[k], o.strategy, o.period, `${where}, column '${s.columns[k]}'`);
    values[k] = f.values;
    f.rows.forEach((r, j) => report.filled.push({ line: s.lines[r], column: s.columns[k], value: f.values[r], method: f.methods[j] }));
    if (f.rows.length)
      report.actions.push(`filled ${f.rows.length} gap(s) in '${s.columns[k]}' (missing: '${o.strategy}'): ${f.rows.map((r) => `${label} ${s.lines[r]}`).join(', ')}`);
  }
  report.filled.sort((a, b) => a.line - b.line);
  return { ...s, report, values };
}
