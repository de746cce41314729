// Seeded random test data. Values are rounded to multiples of 2^-8 (as the PyTorch fixtures do) so a
// float32 and a float64 implementation start from bit-identical inputs.
import { Rng } from '../../src/random.js';

export function randomValues(rng: Rng, n: number, scale = 1): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round(rng.uniform(-scale, scale) * 256) / 256;
  return out;
}

export interface LstmCase {
  dims: { T: number; B: number; I: number; H: number };
  x: Float64Array; // (T, B, I)
  h0: Float64Array | null;
  c0: Float64Array | null;
  w_ih: Float64Array;
  w_hh: Float64Array;
  b_ih: Float64Array;
  b_hh: Float64Array;
  dh: Float64Array | null; // (T, B, H)
  dhT: Float64Array | null;
  dcT: Float64Array | null;
}

export function randomLstmCase(
  dims: { T: number; B: number; I: number; H: number },
  seed: number,
  { initial = true, finalGrads = true, stepGrads = true } = {},
): LstmCase {
  const rng = new Rng(seed);
  const { T, B, I, H } = dims;
  const k = 1 / Math.sqrt(H);
  return {
    dims,
    x: randomValues(rng, T * B * I),
    h0: initial ? randomValues(rng, B * H) : null,
    c0: initial ? randomValues(rng, B * H) : null,
    w_ih: randomValues(rng, 4 * H * I, k),
    w_hh: randomValues(rng, 4 * H * H, k),
    b_ih: randomValues(rng, 4 * H, k),
    b_hh: randomValues(rng, 4 * H, k),
    dh: stepGrads ? randomValues(rng, T * B * H) : null,
    dhT: finalGrads ? randomValues(rng, B * H) : null,
    dcT: finalGrads ? randomValues(rng, B * H) : null,
  };
}
