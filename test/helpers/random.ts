// Seeded random test data. Values are rounded to multiples of 2^-8 (as the PyTorch fixtures do) so a
// float32 and a float64 implementation start from bit-identical inputs.
import { Rng } from '../../src/random.js';
import { GATES, type CellKind } from '../../src/layout/cells.js';
import type { CellDims, Nonlinearity } from '../../src/backend/types.js';

export function randomValues(rng: Rng, n: number, scale = 1): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round(rng.uniform(-scale, scale) * 256) / 256;
  return out;
}

/** One kernel call's worth of inputs for any cell: time-major, as the kernel contract. */
export interface CellCase {
  cell: CellKind;
  nonlinearity: Nonlinearity;
  dims: CellDims;
  x: Float64Array; // (T, B, I)
  lengths: Int32Array | null;
  h0: Float64Array | null;
  c0: Float64Array | null; // LSTM only
  w_ih: Float64Array;
  w_hh: Float64Array;
  b_ih: Float64Array;
  b_hh: Float64Array;
  dh: Float64Array | null; // (T, B, H)
  dhT: Float64Array | null;
  dcT: Float64Array | null; // LSTM only
}

export interface CaseFlags {
  initial?: boolean;
  finalGrads?: boolean;
  stepGrads?: boolean;
  /** Random lengths in [1, T], with at least one full row. */
  variableLengths?: boolean;
}

export function randomCellCase(
  cell: CellKind,
  dims: CellDims,
  seed: number,
  { initial = true, finalGrads = true, stepGrads = true, variableLengths = false }: CaseFlags = {},
  nonlinearity: Nonlinearity = 'tanh',
): CellCase {
  const rng = new Rng(seed);
  const { T, B, I, H } = dims;
  const G = GATES[cell] * H;
  const k = 1 / Math.sqrt(H);
  const lstm = cell === 'lstm';
  let lengths: Int32Array | null = null;
  if (variableLengths) {
    lengths = Int32Array.from({ length: B }, () => 1 + Math.floor(rng.next() * T));
    lengths[Math.floor(rng.next() * B)] = T;
  }
  return {
    cell,
    nonlinearity,
    dims,
    x: randomValues(rng, T * B * I),
    lengths,
    h0: initial ? randomValues(rng, B * H) : null,
    c0: initial && lstm ? randomValues(rng, B * H) : null,
    w_ih: randomValues(rng, G * I, k),
    w_hh: randomValues(rng, G * H, k),
    b_ih: randomValues(rng, G, k),
    b_hh: randomValues(rng, G, k),
    dh: stepGrads ? randomValues(rng, T * B * H) : null,
    dhT: finalGrads ? randomValues(rng, B * H) : null,
    dcT: finalGrads && lstm ? randomValues(rng, B * H) : null,
  };
}
