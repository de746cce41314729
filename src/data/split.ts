// Chronological splits: train, then validation, then test, never shuffled. Split first, then fit any
// statistic on the training rows only, so nothing from later rows leaks into the preparation.

export interface SplitOptions {
  /** Fraction in (0, 1) or a whole number of rows (>= 1); default 0. */
  validation?: number;
  /** Fraction in (0, 1) or a whole number of rows (>= 1); default 0. */
  test?: number;
}

/** Half-open row ranges [from, to). */
export interface SplitRanges {
  train: [number, number];
  validation: [number, number];
  test: [number, number];
}

function size(where: string, name: string, v: number | undefined, length: number): number {
  if (v === undefined || v === 0) return 0;
  if (typeof v !== 'number' || !(v > 0)) throw new RangeError(`${where}: ${name} must be a fraction in (0, 1) or a row count >= 1, got ${v}`);
  if (v < 1) return Math.round(length * v);
  if (!Number.isInteger(v)) throw new RangeError(`${where}: ${name} must be a fraction in (0, 1) or a whole row count, got ${v}`);
  return v;
}

export function chronologicalSplit(length: number, options: SplitOptions = {}): SplitRanges {
  const where = 'chronologicalSplit';
  if (!Number.isInteger(length) || length < 1) throw new RangeError(`${where}: length must be a positive integer, got ${length}`);
  const test = size(where, 'test', options.test, length);
  const validation = size(where, 'validation', options.validation, length);
  const train = length - test - validation;
  if (train < 1) throw new RangeError(`${where}: validation ${validation} + test ${test} rows leave no training rows out of ${length}`);
  return { train: [0, train], validation: [train, train + validation], test: [train + validation, length] };
}
