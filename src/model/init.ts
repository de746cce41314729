// Weight initialization schemes for a recurrent stack, all driven by the layer's seeded generator.
//   'pytorch'    (default) every weight and bias uniform in (-1/sqrt(H), 1/sqrt(H)), as nn.LSTM/GRU/RNN
//   'xavier'     weights Glorot-uniform over the whole (G*H, in) matrix, biases 0
//   'orthogonal' input weights Glorot-uniform, each gate block of W_hh an orthogonal (H, H) matrix
//                (Saxe et al. 2014: keeps the recurrent Jacobian well-conditioned over long sequences), biases 0
import type { ParamLayout } from '../layout/params.js';
import type { Rng } from '../random.js';

export type InitScheme = 'pytorch' | 'xavier' | 'orthogonal';
export const INIT_SCHEMES: readonly InitScheme[] = ['pytorch', 'xavier', 'orthogonal'];

/** A standard normal sample (Box-Muller). */
function gaussian(rng: Rng): number {
  const u = 1 - rng.next(); // (0, 1]: log(u) is finite
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/** An (n, n) orthogonal matrix: Gram-Schmidt on the rows of a Gaussian matrix, in float64. */
export function orthogonal(n: number, rng: Rng): Float64Array {
  const q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (;;) {
      for (let k = 0; k < n; k++) q[i * n + k] = gaussian(rng);
      // Twice-applied classical Gram-Schmidt against the rows before (numerically as good as modified GS).
      for (let pass = 0; pass < 2; pass++)
        for (let j = 0; j < i; j++) {
          let dot = 0;
          for (let k = 0; k < n; k++) dot += q[i * n + k] * q[j * n + k];
          for (let k = 0; k < n; k++) q[i * n + k] -= dot * q[j * n + k];
        }
      let norm = 0;
      for (let k = 0; k < n; k++) norm += q[i * n + k] ** 2;
      norm = Math.sqrt(norm);
      if (norm > 1e-6) {
        for (let k = 0; k < n; k++) q[i * n + k] /= norm;
        break;
      }
    }
  }
  return q;
}

export function initialize(p: Float32Array, layout: ParamLayout, hiddenSize: number, scheme: InitScheme, rng: Rng): void {
  for (const e of layout.entries) {
    const out = p.subarray(e.offset, e.offset + e.length);
    if (scheme === 'pytorch') {
      const k = 1 / Math.sqrt(hiddenSize);
      for (let i = 0; i < out.length; i++) out[i] = rng.uniform(-k, k);
    } else if (e.kind === 'bias_ih' || e.kind === 'bias_hh') {
      out.fill(0);
    } else if (scheme === 'orthogonal' && e.kind === 'weight_hh') {
      const H = hiddenSize;
      for (let g = 0; g < e.shape[0] / H; g++) out.set(orthogonal(H, rng), g * H * H);
    } else {
      const [fanOut, fanIn] = e.shape;
      const a = Math.sqrt(6 / (fanIn + fanOut));
      for (let i = 0; i < out.length; i++) out[i] = rng.uniform(-a, a);
    }
  }
}
