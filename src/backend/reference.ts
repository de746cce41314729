// The reference: plain float64 loops written straight from PyTorch's equations for nn.LSTM, nn.GRU
// and nn.RNN (tanh, relu). It is the oracle for the native and WASM kernels (parity tests) and is
// itself checked by finite differences (test/gradcheck) and by the PyTorch fixtures at 1e-9.
// Clarity over speed: one (t, b) row at a time, no SIMD, no blocking.
//
// Same contract as native/include/seqcast/kernels.h: time-major x (T,B,I), h (T,B,H); gates hold
// post-activations in PyTorch order (LSTM i,f,g,o; GRU r,z,n); weights (G*H, in). Variable lengths
// carry a row's state through its padding steps, exactly as the kernels do.
import type { CellDims, Nonlinearity } from './types.js';
import { GATES, type CellKind } from '../layout/cells.js';

export interface RefParams {
  w_ih: Float64Array; // (G*H, I)
  w_hh: Float64Array; // (G*H, H)
  b_ih: Float64Array; // (G*H)
  b_hh: Float64Array; // (G*H)
}

export interface RefCell {
  cell: CellKind;
  /** Plain RNN only; default tanh. */
  nonlinearity?: Nonlinearity;
}

/** What forward saves: h always, c for LSTM, gates for LSTM/GRU, hn (W_hn h_prev + b_hn) for GRU. */
export interface RefSaved {
  h: Float64Array; // (T, B, H)
  c: Float64Array | null; // (T, B, H)
  gates: Float64Array | null; // (T, B, G*H)
  hn: Float64Array | null; // (T, B, H)
}

export interface RefGrads {
  dx: Float64Array; // (T, B, I)
  dh0: Float64Array; // (B, H)
  dc0: Float64Array; // (B, H), zeros except for LSTM
  dw_ih: Float64Array;
  dw_hh: Float64Array;
  db_ih: Float64Array;
  db_hh: Float64Array;
}

export interface RefInputs {
  x: Float64Array; // (T, B, I)
  h0: Float64Array | null; // (B, H)
  c0: Float64Array | null; // (B, H), LSTM only
  lengths: Int32Array | null; // (B)
}

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

/** W v for one row: out[r] = sum_k W[r, k] * v[off + k] over r < rows. */
function matVec(out: Float64Array, W: Float64Array, v: ArrayLike<number>, off: number, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let k = 0; k < cols; k++) s += W[r * cols + k] * v[off + k];
    out[r] = s;
  }
}

/** out[off + k] += sum_r W[r, k] * g[r]: the transposed product of backward. */
function addMatTVec(out: Float64Array, off: number, W: Float64Array, g: Float64Array, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) for (let k = 0; k < cols; k++) out[off + k] += W[r * cols + k] * g[r];
}

/** dW[r, k] += g[r] * v[off + k] */
function addOuter(dW: Float64Array, g: Float64Array, v: ArrayLike<number>, off: number, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) for (let k = 0; k < cols; k++) dW[r * cols + k] += g[r] * v[off + k];
}

export function cellForward(spec: RefCell, inp: RefInputs, p: RefParams, { T, B, I, H }: CellDims): RefSaved {
  const { cell } = spec;
  const G = GATES[cell] * H;
  const relu = spec.nonlinearity === 'relu';
  const h = new Float64Array(T * B * H);
  const c = cell === 'lstm' ? new Float64Array(T * B * H) : null;
  const gates = cell === 'rnn' ? null : new Float64Array(T * B * G);
  const hn = cell === 'gru' ? new Float64Array(T * B * H) : null;
  const zeros = new Float64Array(B * H);
  const gi = new Float64Array(G);
  const gh = new Float64Array(G);
  for (let t = 0; t < T; t++) {
    // The previous state as (array, offset of row 0): h0/c0 or zeros at t = 0.
    const [hp, hpOff] = t > 0 ? [h, (t - 1) * B * H] : [inp.h0 ?? zeros, 0];
    const [cp, cpOff] = t > 0 ? [c!, (t - 1) * B * H] : [inp.c0 ?? zeros, 0];
    for (let b = 0; b < B; b++) {
      const row = (t * B + b) * H;
      if (inp.lengths && t >= inp.lengths[b]) {
        // Padding: the state is carried unchanged; saved gates stay zero.
        for (let k = 0; k < H; k++) {
          h[row + k] = hp[hpOff + b * H + k];
          if (c) c[row + k] = cp[cpOff + b * H + k];
        }
        continue;
      }
      matVec(gi, p.w_ih, inp.x, (t * B + b) * I, G, I);
      matVec(gh, p.w_hh, hp, hpOff + b * H, G, H);
      for (let r = 0; r < G; r++) {
        gi[r] += p.b_ih[r];
        gh[r] += p.b_hh[r];
      }
      const gr = (t * B + b) * G;
      for (let k = 0; k < H; k++) {
        const hPrev = hp[hpOff + b * H + k];
        if (cell === 'lstm') {
          const i = sigmoid(gi[k] + gh[k]);
          const f = sigmoid(gi[H + k] + gh[H + k]);
          const g = Math.tanh(gi[2 * H + k] + gh[2 * H + k]);
          const o = sigmoid(gi[3 * H + k] + gh[3 * H + k]);
          gates![gr + k] = i;
          gates![gr + H + k] = f;
          gates![gr + 2 * H + k] = g;
          gates![gr + 3 * H + k] = o;
          const cNew = f * cp[cpOff + b * H + k] + i * g;
          c![row + k] = cNew;
          h[row + k] = o * Math.tanh(cNew);
        } else if (cell === 'gru') {
          const r = sigmoid(gi[k] + gh[k]);
          const z = sigmoid(gi[H + k] + gh[H + k]);
          const n = Math.tanh(gi[2 * H + k] + r * gh[2 * H + k]);
          gates![gr + k] = r;
          gates![gr + H + k] = z;
          gates![gr + 2 * H + k] = n;
          hn![row + k] = gh[2 * H + k];
          h[row + k] = (1 - z) * n + z * hPrev;
        } else {
          const pre = gi[k] + gh[k];
          h[row + k] = relu ? Math.max(0, pre) : Math.tanh(pre);
        }
      }
    }
  }
  return { h, c, gates, hn };
}

/** BPTT for cellForward. dh: upstream on every h_t (or null); dhT/dcT: upstream on the final state. */
export function cellBackward(
  spec: RefCell,
  saved: RefSaved,
  inp: RefInputs,
  p: RefParams,
  up: { dh: Float64Array | null; dhT: Float64Array | null; dcT: Float64Array | null },
  { T, B, I, H }: CellDims,
): RefGrads {
  const { cell } = spec;
  const G = GATES[cell] * H;
  const relu = spec.nonlinearity === 'relu';
  const out: RefGrads = {
    dx: new Float64Array(T * B * I),
    dh0: new Float64Array(B * H),
    dc0: new Float64Array(B * H),
    dw_ih: new Float64Array(G * I),
    dw_hh: new Float64Array(G * H),
    db_ih: new Float64Array(G),
    db_hh: new Float64Array(G),
  };
  const zeros = new Float64Array(B * H);
  const dhNext = up.dhT ? Float64Array.from(up.dhT) : new Float64Array(B * H);
  const dcNext = up.dcT ? Float64Array.from(up.dcT) : new Float64Array(B * H);
  const dgi = new Float64Array(G); // gradient on the input-side pre-activations
  const dgh = new Float64Array(G); // ... on the hidden-side ones (differs from dgi only for GRU's n)
  for (let t = T - 1; t >= 0; t--) {
    const [hp, hpOff] = t > 0 ? [saved.h, (t - 1) * B * H] : [inp.h0 ?? zeros, 0];
    const [cp, cpOff] = t > 0 ? [saved.c!, (t - 1) * B * H] : [inp.c0 ?? zeros, 0];
    for (let b = 0; b < B; b++) {
      const row = (t * B + b) * H;
      const s = b * H;
      if (inp.lengths && t >= inp.lengths[b]) {
        // Padding: forward carried h and c, so their gradients pass through.
        if (up.dh) for (let k = 0; k < H; k++) dhNext[s + k] += up.dh[row + k];
        continue;
      }
      const gr = (t * B + b) * G;
      for (let k = 0; k < H; k++) {
        const dhT = dhNext[s + k] + (up.dh ? up.dh[row + k] : 0);
        const hPrev = hp[hpOff + s + k];
        if (cell === 'lstm') {
          const [i, f, g, o] = [0, 1, 2, 3].map((q) => saved.gates![gr + q * H + k]);
          const tc = Math.tanh(saved.c![row + k]);
          // forward: h = o * tanh(c)  =>  do = dh * tanh(c), dc += dh * o * (1 - tanh(c)^2)
          const dc = dcNext[s + k] + dhT * o * (1 - tc * tc);
          // forward: c = f * c_prev + i * g  =>  di = dc * g, df = dc * c_prev, dg = dc * i, dc_prev = dc * f
          dgi[k] = dc * g * i * (1 - i);
          dgi[H + k] = dc * cp[cpOff + s + k] * f * (1 - f);
          dgi[2 * H + k] = dc * i * (1 - g * g);
          dgi[3 * H + k] = dhT * tc * o * (1 - o);
          dcNext[s + k] = dc * f;
          dhNext[s + k] = 0;
          for (let q = 0; q < 4; q++) dgh[q * H + k] = dgi[q * H + k];
        } else if (cell === 'gru') {
          const [r, z, n] = [0, 1, 2].map((q) => saved.gates![gr + q * H + k]);
          // forward: h = (1 - z) * n + z * h_prev  =>  dn = dh (1 - z), dz = dh (h_prev - n), dh_prev = dh z
          const dan = dhT * (1 - z) * (1 - n * n);
          // forward: n = tanh(a_n + r * hn)  =>  dr = da_n * hn, d(hn) = da_n * r
          dgi[k] = dan * saved.hn![row + k] * r * (1 - r);
          dgi[H + k] = dhT * (hPrev - n) * z * (1 - z);
          dgi[2 * H + k] = dan;
          dgh[k] = dgi[k];
          dgh[H + k] = dgi[H + k];
          dgh[2 * H + k] = dan * r;
          dhNext[s + k] = dhT * z;
        } else {
          const hv = saved.h[row + k];
          // forward: h = act(pre)  =>  dpre = dh * act'(pre), from the output: tanh' = 1 - h^2, relu' = [h > 0]
          dgi[k] = dhT * (relu ? (hv > 0 ? 1 : 0) : 1 - hv * hv);
          dgh[k] = dgi[k];
          dhNext[s + k] = 0;
        }
      }
      // forward: a_i = W_ih x + b_ih, a_h = W_hh h_prev + b_hh
      for (let r = 0; r < G; r++) {
        out.db_ih[r] += dgi[r];
        out.db_hh[r] += dgh[r];
      }
      addOuter(out.dw_ih, dgi, inp.x, (t * B + b) * I, G, I);
      addMatTVec(out.dx, (t * B + b) * I, p.w_ih, dgi, G, I);
      addOuter(out.dw_hh, dgh, hp, hpOff + s, G, H);
      addMatTVec(dhNext, s, p.w_hh, dgh, G, H);
    }
  }
  out.dh0.set(dhNext);
  if (cell === 'lstm') out.dc0.set(dcNext);
  return out;
}

// ---- Stacked, bidirectional, variable-length layers, batch-first at the edges, as PyTorch's
// nn.LSTM / nn.GRU / nn.RNN(batch_first=True) on padded input (lengths: as a packed sequence).

export interface RefStackConfig extends RefCell {
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  bidirectional: boolean;
}

export interface RefStackResult {
  output: Float64Array; // (B, T, D*H), zero at padded steps
  hN: Float64Array; // (L*D, B, H)
  cN: Float64Array | null; // (L*D, B, H), LSTM only
  /** Gradients, present when upstream gradients were given. */
  grads?: {
    x: Float64Array; // (B, T, I)
    h0: Float64Array; // (L*D, B, H)
    c0: Float64Array | null;
    params: Record<string, Float64Array>;
  };
}

export interface RefStackInputs {
  x: Float64Array; // (B, T, I)
  B: number;
  T: number;
  h0: Float64Array | null; // (L*D, B, H)
  c0: Float64Array | null;
  lengths?: Int32Array | null;
}

/** The kernel step at which direction d processes real time t of row b (reverse: within the row's length). */
function kernelStep(d: number, t: number, len: number, T: number): number {
  if (d === 0) return t;
  return t < len ? len - 1 - t : t;
}

export function refStack(
  cfg: RefStackConfig,
  inp: RefStackInputs,
  params: Record<string, Float64Array>,
  upstream?: { output: Float64Array; hN: Float64Array | null; cN: Float64Array | null },
): RefStackResult {
  const { B, T } = inp;
  const H = cfg.hiddenSize;
  const D = cfg.bidirectional ? 2 : 1;
  const L = cfg.numLayers;
  const lengths = inp.lengths ?? null;
  const len = (b: number): number => (lengths ? lengths[b] : T);
  const isLstm = cfg.cell === 'lstm';
  const slot = (s: Float64Array | null, l: number, d: number): Float64Array | null =>
    s ? s.subarray((l * D + d) * B * H, (l * D + d + 1) * B * H) : null;
  const hN = new Float64Array(L * D * B * H);
  const cN = isLstm ? new Float64Array(L * D * B * H) : null;
  type Run = { kin: RefInputs; saved: RefSaved; p: RefParams; dims: CellDims; suffix: string };
  const runs: Run[][] = [];
  let layerIn = inp.x; // batch-first (B, T, W)
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
      const xk = new Float64Array(T * B * W); // time-major in the direction's own step order
      for (let b = 0; b < B; b++)
        for (let t = 0; t < T; t++) {
          const tk = kernelStep(d, t, len(b), T);
          for (let k = 0; k < W; k++) xk[(tk * B + b) * W + k] = t < len(b) ? layerIn[(b * T + t) * W + k] : 0;
        }
      const kin = { x: xk, h0: slot(inp.h0, l, d), c0: slot(inp.c0, l, d), lengths };
      const saved = cellForward(cfg, kin, p, dims);
      for (let b = 0; b < B; b++)
        for (let t = 0; t < len(b); t++) {
          const tk = kernelStep(d, t, len(b), T);
          for (let k = 0; k < H; k++) out[(b * T + t) * D * H + d * H + k] = saved.h[(tk * B + b) * H + k];
        }
      hN.set(saved.h.subarray((T - 1) * B * H, T * B * H), (l * D + d) * B * H);
      if (cN) cN.set(saved.c!.subarray((T - 1) * B * H, T * B * H), (l * D + d) * B * H);
      runs[l].push({ kin, saved, p, dims, suffix });
    }
    layerIn = out;
    W = D * H;
  }
  const result: RefStackResult = { output: layerIn, hN, cN };
  if (!upstream) return result;

  const gParams: Record<string, Float64Array> = {};
  const gH0 = new Float64Array(L * D * B * H);
  const gC0 = isLstm ? new Float64Array(L * D * B * H) : null;
  let dOut = upstream.output; // batch-first (B, T, D*H): gradient on layer l's output
  let dIn = new Float64Array(0);
  for (let l = L - 1; l >= 0; l--) {
    const Win = l === 0 ? cfg.inputSize : D * H;
    dIn = new Float64Array(B * T * Win);
    for (let d = 0; d < D; d++) {
      const { kin, saved, p, dims, suffix } = runs[l][d];
      const dh = new Float64Array(T * B * H); // padded outputs are constants: no gradient flows from them
      for (let b = 0; b < B; b++)
        for (let t = 0; t < len(b); t++) {
          const tk = kernelStep(d, t, len(b), T);
          for (let k = 0; k < H; k++) dh[(tk * B + b) * H + k] = dOut[(b * T + t) * D * H + d * H + k];
        }
      const up = { dh, dhT: slot(upstream.hN, l, d), dcT: isLstm ? slot(upstream.cN, l, d) : null };
      const g = cellBackward(cfg, saved, kin, p, up, dims);
      for (let b = 0; b < B; b++)
        for (let t = 0; t < len(b); t++) {
          const tk = kernelStep(d, t, len(b), T);
          for (let k = 0; k < Win; k++) dIn[(b * T + t) * Win + k] += g.dx[(tk * B + b) * Win + k];
        }
      gH0.set(g.dh0, (l * D + d) * B * H);
      if (gC0) gC0.set(g.dc0, (l * D + d) * B * H);
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
