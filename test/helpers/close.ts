// Element-wise closeness |got - want| <= atol + rtol * |want|, reporting the worst coordinate.
// Shared by the vitest suites and the `npm run fixtures` runner.

export interface Tolerance {
  atol: number;
  rtol: number;
}

export interface Closeness {
  ok: boolean;
  /** Largest |got - want|. */
  maxAbs: number;
  /** Largest |got - want| / (atol + rtol * |want|); <= 1 means within tolerance. */
  worstRatio: number;
  /** Index of the worst element, as a coordinate of `shape` when given. */
  where: string;
  message: string;
}

type Numeric = ArrayLike<number>;

function coordinate(index: number, shape?: number[]): string {
  if (!shape || shape.length === 0) return `[${index}]`;
  const coords: number[] = [];
  let rest = index;
  for (let d = shape.length - 1; d >= 0; d--) {
    coords.unshift(rest % shape[d]);
    rest = Math.floor(rest / shape[d]);
  }
  return `[${coords.join(', ')}]`;
}

export function closeness(got: Numeric, want: Numeric, tol: Tolerance, label = 'value', shape?: number[]): Closeness {
  if (got.length !== want.length) {
    const message = `${label}: length ${got.length}, expected ${want.length}`;
    return { ok: false, maxAbs: Infinity, worstRatio: Infinity, where: '', message };
  }
  let maxAbs = 0;
  let worstRatio = 0;
  let worst = -1;
  for (let i = 0; i < want.length; i++) {
    const diff = Math.abs(got[i] - want[i]);
    const ratio = Number.isNaN(diff) ? Infinity : diff / (tol.atol + tol.rtol * Math.abs(want[i]));
    if (diff > maxAbs || Number.isNaN(diff)) maxAbs = Number.isNaN(diff) ? Infinity : diff;
    if (ratio > worstRatio || worst < 0) {
      worstRatio = ratio;
      worst = i;
    }
  }
  const where = worst >= 0 ? coordinate(worst, shape) : '';
  const ok = worstRatio <= 1;
  const message = ok
    ? `${label}: max abs diff ${maxAbs.toExponential(2)}`
    : `${label}${where}: got ${got[worst]}, expected ${want[worst]} ` +
      `(diff ${Math.abs(got[worst] - want[worst]).toExponential(2)} > atol ${tol.atol} + rtol ${tol.rtol} * |expected|)`;
  return { ok, maxAbs, worstRatio, where, message };
}
