// The reference: plain float64 loops written straight from PyTorch's LSTM equations. It is the oracle
// for the native and WASM kernels (parity tests) and is itself checked by finite differences
// (test/gradcheck) and by the PyTorch fixtures at 1e-9. Clarity over speed; no SIMD, no blocking.
//
// Same contract as native/include/seqcast/kernels.h: time-major x (T,B,I), h (T,B,H), gates
// (T,B,4H) post-activation in PyTorch order i, f, g, o; weights (4H, in).
import type { LstmDims } from './types.js';

export interface RefLstmParams {
  w_ih: Float64Array; // (4H, I)
  w_hh: Float64Array; // (4H, H)
  b_ih: Float64Array; // (4H)
  b_hh: Float64Array; // (4H)
}

export interface RefLstmSaved {
  h: Float64Array; // (T, B, H)
  c: Float64Array; // (T, B, H)
  gates: Float64Array; // (T, B, 4H)
}

export interface RefLstmGrads {
  dx: Float64Array; // (T, B, I)
  dh0: Float64Array; // (B, H)
  dc0: Float64Array; // (B, H)
  dw_ih: Float64Array;
  dw_hh: Float64Array;
  db_ih: Float64Array;
  db_hh: Float64Array;
}

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

export function lstmForward(
  x: Float64Array,
  h0: Float64Array | null,
  c0: Float64Array | null,
  p: RefLstmParams,
  { T, B, I, H }: LstmDims,
): RefLstmSaved {
  const G = 4 * H;
  const h = new Float64Array(T * B * H);
  const c = new Float64Array(T * B * H);
  const gates = new Float64Array(T * B * G);
  const pre = new Float64Array(G);
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const hPrev = (k: number): number => (t > 0 ? h[((t - 1) * B + b) * H + k] : h0 ? h0[b * H + k] : 0);
      const cPrev = (k: number): number => (t > 0 ? c[((t - 1) * B + b) * H + k] : c0 ? c0[b * H + k] : 0);
      for (let r = 0; r < G; r++) {
        let s = p.b_ih[r] + p.b_hh[r];
        for (let k = 0; k < I; k++) s += p.w_ih[r * I + k] * x[(t * B + b) * I + k];
        for (let k = 0; k < H; k++) s += p.w_hh[r * H + k] * hPrev(k);
        pre[r] = s;
      }
      const gi = (t * B + b) * G;
      for (let k = 0; k < H; k++) {
        const i = sigmoid(pre[k]);
        const f = sigmoid(pre[H + k]);
        const g = Math.tanh(pre[2 * H + k]);
        const o = sigmoid(pre[3 * H + k]);
        gates[gi + k] = i;
        gates[gi + H + k] = f;
        gates[gi + 2 * H + k] = g;
        gates[gi + 3 * H + k] = o;
        const cNew = f * cPrev(k) + i * g;
        c[(t * B + b) * H + k] = cNew;
        h[(t * B + b) * H + k] = o * Math.tanh(cNew);
      }
    }
  }
  return { h, c, gates };
}

/** BPTT for lstmForward. dh: upstream on every h_t (or null), dhT/dcT: upstream on the final state. */
export function lstmBackward(
  saved: RefLstmSaved,
  x: Float64Array,
  h0: Float64Array | null,
  c0: Float64Array | null,
  p: RefLstmParams,
  dh: Float64Array | null,
  dhT: Float64Array | null,
  dcT: Float64Array | null,
  { T, B, I, H }: LstmDims,
): RefLstmGrads {
  const G = 4 * H;
  const out: RefLstmGrads = {
    dx: new Float64Array(T * B * I),
    dh0: new Float64Array(B * H),
    dc0: new Float64Array(B * H),
    dw_ih: new Float64Array(G * I),
    dw_hh: new Float64Array(G * H),
    db_ih: new Float64Array(G),
    db_hh: new Float64Array(G),
  };
  const dhNext = dhT ? Float64Array.from(dhT) : new Float64Array(B * H);
  const dcNext = dcT ? Float64Array.from(dcT) : new Float64Array(B * H);
  const dg = new Float64Array(G);
  for (let t = T - 1; t >= 0; t--) {
    for (let b = 0; b < B; b++) {
      const gi = (t * B + b) * G;
      for (let k = 0; k < H; k++) {
        const at = (t * B + b) * H + k;
        const i = saved.gates[gi + k];
        const f = saved.gates[gi + H + k];
        const g = saved.gates[gi + 2 * H + k];
        const o = saved.gates[gi + 3 * H + k];
        const cPrev = t > 0 ? saved.c[((t - 1) * B + b) * H + k] : c0 ? c0[b * H + k] : 0;
        const tc = Math.tanh(saved.c[at]);
        const dhTotal = dhNext[b * H + k] + (dh ? dh[at] : 0);
        // forward: h = o * tanh(c)  =>  do = dh * tanh(c), dc += dh * o * (1 - tanh(c)^2)
        const dc = dcNext[b * H + k] + dhTotal * o * (1 - tc * tc);
        // forward: c = f * c_prev + i * g  =>  df = dc * c_prev, di = dc * g, dg = dc * i
        dg[k] = dc * g * i * (1 - i);
        dg[H + k] = dc * cPrev * f * (1 - f);
        dg[2 * H + k] = dc * i * (1 - g * g);
        dg[3 * H + k] = dhTotal * tc * o * (1 - o);
        dcNext[b * H + k] = dc * f;
      }
      // forward: pre = W_ih x + b_ih + W_hh h_prev + b_hh
      for (let k = 0; k < H; k++) dhNext[b * H + k] = 0;
      for (let r = 0; r < G; r++) {
        const d = dg[r];
        out.db_ih[r] += d;
        out.db_hh[r] += d;
        for (let k = 0; k < I; k++) {
          out.dw_ih[r * I + k] += d * x[(t * B + b) * I + k];
          out.dx[(t * B + b) * I + k] += d * p.w_ih[r * I + k];
        }
        for (let k = 0; k < H; k++) {
          const hPrev = t > 0 ? saved.h[((t - 1) * B + b) * H + k] : h0 ? h0[b * H + k] : 0;
          out.dw_hh[r * H + k] += d * hPrev;
          dhNext[b * H + k] += d * p.w_hh[r * H + k];
        }
      }
    }
  }
  out.dh0.set(dhNext);
  out.dc0.set(dcNext);
  return out;
}

// ---- Stacked and bidirectional LSTM, batch-first at the edges, as PyTorch's nn.LSTM(batch_first=True).

export interface RefStackConfig {
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  bidirectional: boolean;
}

export interface RefStackResult {
  output: Float64Array; // (B, T, D*H)
  hN: Float64Array; // (L*D, B, H)
  cN: Float64Array; // (L*D, B, H)
  /** Gradients, present when upstream gradients were given. */
  grads?: {
    x: Float64Array; // (B, T, I)
    h0: Float64Array; // (L*D, B, H)
    c0: Float64Array; // (L*D, B, H)
    params: Record<string, Float64Array>;
  };
}

/** (B, T, W) batch-first <-> (T, B, W) time-major, optionally reversing time. */
function toTimeMajor(src: Float64Array, B: number, T: number, W: number, reverse = false): Float64Array {
  const dst = new Float64Array(B * T * W);
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++) {
      const tt = reverse ? T - 1 - t : t;
      for (let k = 0; k < W; k++) dst[(tt * B + b) * W + k] = src[(b * T + t) * W + k];
    }
  return dst;
}

export function lstmStack(
  cfg: RefStackConfig,
  x: Float64Array, // (B, T, I)
  B: number,
  T: number,
  params: Record<string, Float64Array>,
  h0: Float64Array | null, // (L*D, B, H)
  c0: Float64Array | null,
  upstream?: { output: Float64Array; hN: Float64Array | null; cN: Float64Array | null },
): RefStackResult {
  const H = cfg.hiddenSize;
  const D = cfg.bidirectional ? 2 : 1;
  const L = cfg.numLayers;
  const state = (s: Float64Array | null, l: number, d: number): Float64Array | null =>
    s ? s.subarray((l * D + d) * B * H, (l * D + d + 1) * B * H) : null;
  const hN = new Float64Array(L * D * B * H);
  const cN = new Float64Array(L * D * B * H);
  type Run = { xTm: Float64Array; saved: RefLstmSaved; p: RefLstmParams; dims: LstmDims; suffix: string };
  const runs: Run[][] = [];
  let layerIn = x; // batch-first (B, T, W)
  let W = cfg.inputSize;
  for (let l = 0; l < L; l++) {
    const out = new Float64Array(B * T * D * H);
    runs.push([]);
    for (let d = 0; d < D; d++) {
      const suffix = `_l${l}${d === 1 ? '_reverse' : ''}`;
      const p = {
        w_ih: params['weight_ih' + suffix],
        w_hh: params['weight_hh' + suffix],
        b_ih: params['bias_ih' + suffix],
        b_hh: params['bias_hh' + suffix],
      };
      const dims = { T, B, I: W, H };
      const xTm = toTimeMajor(layerIn, B, T, W, d === 1);
      const saved = lstmForward(xTm, state(h0, l, d), state(c0, l, d), p, dims);
      for (let b = 0; b < B; b++)
        for (let t = 0; t < T; t++) {
          const tk = d === 1 ? T - 1 - t : t; // kernel step that produced real time t
          for (let k = 0; k < H; k++) out[(b * T + t) * D * H + d * H + k] = saved.h[(tk * B + b) * H + k];
        }
      hN.set(saved.h.subarray((T - 1) * B * H, T * B * H), (l * D + d) * B * H);
      cN.set(saved.c.subarray((T - 1) * B * H, T * B * H), (l * D + d) * B * H);
      runs[l].push({ xTm, saved, p, dims, suffix });
    }
    layerIn = out;
    W = D * H;
  }
  const result: RefStackResult = { output: layerIn, hN, cN };
  if (!upstream) return result;

  const gParams: Record<string, Float64Array> = {};
  const gH0 = new Float64Array(L * D * B * H);
  const gC0 = new Float64Array(L * D * B * H);
  let dOut = upstream.output; // batch-first (B, T, D*H) gradient on layer l's output
  let dIn = new Float64Array(0);
  for (let l = L - 1; l >= 0; l--) {
    const Win = l === 0 ? cfg.inputSize : D * H;
    dIn = new Float64Array(B * T * Win);
    for (let d = 0; d < D; d++) {
      const { xTm, saved, p, dims, suffix } = runs[l][d];
      const dh = new Float64Array(T * B * H);
      for (let b = 0; b < B; b++)
        for (let t = 0; t < T; t++) {
          const tk = d === 1 ? T - 1 - t : t;
          for (let k = 0; k < H; k++) dh[(tk * B + b) * H + k] = dOut[(b * T + t) * D * H + d * H + k];
        }
      const g = lstmBackward(
        saved, xTm, state(h0, l, d), state(c0, l, d), p, dh,
        state(upstream.hN, l, d), state(upstream.cN, l, d), dims,
      );
      for (let b = 0; b < B; b++)
        for (let t = 0; t < T; t++) {
          const tk = d === 1 ? T - 1 - t : t;
          for (let k = 0; k < Win; k++) dIn[(b * T + t) * Win + k] += g.dx[(tk * B + b) * Win + k];
        }
      gH0.set(g.dh0, (l * D + d) * B * H);
      gC0.set(g.dc0, (l * D + d) * B * H);
      gParams['weight_ih' + suffix] = g.dw_ih;
      gParams['weight_hh' + suffix] = g.dw_hh;
      gParams['bias_ih' + suffix] = g.db_ih;
      gParams['bias_hh' + suffix] = g.db_hh;
    }
    dOut = dIn;
  }
  result.grads = { x: dIn, h0: gH0, c0: gC0, params: gParams };
  return result;
}
