// Text output for people: aligned tables of scores and forecasts. Machine output is --json instead.
import type { BaselineName, Scores } from '../evaluate/backtest.js';

export const BASELINE_LABELS: Record<BaselineName, string> = {
  naive: 'naive',
  seasonalNaive: 'seasonal naive',
  drift: 'drift',
  movingAverage: 'moving average',
};

/** A number with about 4 significant digits, never in exponent form for everyday magnitudes. */
export function num(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e9)) return v.toExponential(3);
  const digits = a >= 1000 ? 1 : a >= 100 ? 2 : a >= 1 ? 3 : 4;
  return v.toFixed(digits);
}

/** Rows of cells as aligned columns: the first left-aligned, the rest right-aligned. */
export function table(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => r[c].length)));
  const line = (r: string[]) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** A column of numbers with one number of decimals, chosen from its largest magnitude (about 4 digits). */
export function numColumn(values: number[]): string[] {
  const top = Math.max(...values.filter(Number.isFinite).map(Math.abs), 0);
  if (top !== 0 && (top < 1e-3 || top >= 1e9)) return values.map(num);
  const decimals = top >= 1000 ? 0 : top >= 100 ? 1 : top >= 10 ? 2 : top >= 1 ? 3 : 4;
  return values.map((v) => (Number.isFinite(v) ? v.toFixed(decimals) : String(v)));
}

/** The model's scores beside each baseline's; the best value of each column is starred. */
export function scoreTable(rows: { name: string; scores: Scores }[]): string {
  const keys: (keyof Scores)[] = ['mae', 'rmse', 'smape', 'mase'];
  const columns = keys.map((k) => {
    const values = rows.map((r) => r.scores[k]);
    const best = Math.min(...values.filter(Number.isFinite));
    return numColumn(values).map((text, i) => text + (values[i] === best ? '*' : ' '));
  });
  return table(
    ['', 'MAE', 'RMSE', 'sMAPE %', 'MASE'],
    rows.map((r, i) => [r.name, ...columns.map((c) => c[i])]),
  ) + '\n(* best in its column)';
}

/** Seconds for people: 0.42 s, 12.3 s, 2 min 05 s. */
export function seconds(s: number): string {
  if (s < 10) return `${s.toFixed(2)} s`;
  if (s < 120) return `${s.toFixed(1)} s`;
  return `${Math.floor(s / 60)} min ${String(Math.round(s % 60)).padStart(2, '0')} s`;
}

/** One sentence comparing the model with seasonal naive, the baseline it must beat. */
export function verdict(model: Scores, seasonalNaive: Scores, season: number): string {
  const name = season > 1 ? `seasonal naive (m = ${season})` : 'naive';
  const ratio = model.mae / seasonalNaive.mae;
  if (!Number.isFinite(ratio)) return `MAE ratio to ${name} is undefined (its MAE is ${num(seasonalNaive.mae)}).`;
  const pct = Math.abs(1 - ratio) * 100;
  return ratio < 1
    ? `The model's MAE is ${pct.toFixed(1)}% lower than ${name}'s.`
    : `The model's MAE is ${pct.toFixed(1)}% higher than ${name}'s: on this series the baseline is as good or better.`;
}

/** "key   value" lines, keys padded to one width. */
export function keyValues(rows: [string, string][]): string {
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n');
}
