// Parsers for option values: each turns the text after an option into a checked value or throws
// commander's InvalidArgumentError, which commander prints as one line naming the option and the text.
import { InvalidArgumentError } from 'commander';
import type { CellKind } from '../layout/cells.js';

export function positiveInt(text: string): number {
  const n = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer, like 12.');
  return n;
}

export const CELLS: readonly CellKind[] = ['lstm', 'gru', 'rnn'];

export function cell(text: string): CellKind {
  const c = text.trim().toLowerCase();
  if (!(CELLS as readonly string[]).includes(c)) throw new InvalidArgumentError(`expected one of ${CELLS.join(', ')}.`);
  return c as CellKind;
}

/** A comma-separated list of cells, e.g. "lstm,gru". */
export function cellList(text: string): CellKind[] {
  const list = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (list.length === 0) throw new InvalidArgumentError(`expected a comma-separated list of ${CELLS.join(', ')}.`);
  const out = list.map(cell);
  const dupes = out.filter((c, i) => out.indexOf(c) !== i);
  if (dupes.length) throw new InvalidArgumentError(`'${dupes[0]}' is listed twice.`);
  return out;
}

/** Quantile levels "0.1,0.5,0.9": each strictly between 0 and 1, no repeats; returned ascending. */
export function quantiles(text: string): number[] {
  const parts = text.split(',').map((s) => s.trim());
  if (parts.some((p) => p === '')) throw new InvalidArgumentError('expected comma-separated numbers between 0 and 1, like 0.1,0.5,0.9.');
  const qs = parts.map((p) => {
    const q = Number(p);
    if (!Number.isFinite(q) || !(q > 0 && q < 1)) throw new InvalidArgumentError(`'${p}' is not a number strictly between 0 and 1.`);
    return q;
  });
  if (new Set(qs).size !== qs.length) throw new InvalidArgumentError('a quantile is listed twice.');
  return qs.sort((a, b) => a - b);
}

/** A coverage level for the interval band, as a fraction (0.8) or a percentage (80). */
export function level(text: string): number {
  let v = Number(text.trim().replace(/%$/, ''));
  if (Number.isFinite(v) && v >= 1 && v < 100) v /= 100;
  if (!Number.isFinite(v) || !(v > 0 && v < 1)) throw new InvalidArgumentError('expected a coverage between 0 and 1 (0.8) or a percentage (80).');
  return v;
}

/** Comma-separated column names; repeated --covariates options add up. */
export function columnList(text: string, previous: string[] = []): string[] {
  const names = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) throw new InvalidArgumentError('expected one or more column names separated by commas.');
  return [...previous, ...names];
}

/** A plot file: its format comes from the extension. */
export function plotPath(text: string): string {
  if (!/\.(svg|png)$/i.test(text)) throw new InvalidArgumentError('the plot file must end in .svg or .png.');
  return text;
}
