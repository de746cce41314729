// Runs one CellCase through a backend's forward and backward kernels (time-major, the kernel
// contract, through the same cell-kernels mapping the layer uses) and returns copies of every
// result, beside the float64 reference on the same case.
import type { Backend, F32Buffer } from '../../src/backend/types.js';
import { planDirection } from '../../src/layout/cells.js';
import { Workspace } from '../../src/layout/workspace.js';
import { cellBackward, cellForward } from '../../src/backend/reference.js';
import { runCellBackward, runCellForward, type CellRun } from '../../src/model/cell-kernels.js';
import type { CellCase } from './random.js';

export type CellResults = Record<string, Float64Array | Float32Array>;

/** Results each cell produces: what forward saves, then every gradient. */
export function resultKeys(cell: CellCase['cell']): string[] {
  const saved = cell === 'lstm' ? ['h', 'c', 'gates'] : cell === 'gru' ? ['h', 'gates', 'hn'] : ['h'];
  const grads = ['dx', 'dh0', 'dw_ih', 'dw_hh', 'db_ih', 'db_hh'];
  return [...saved, ...grads, ...(cell === 'lstm' ? ['dc0'] : [])];
}
export const FORWARD_KEYS = new Set(['h', 'c', 'gates', 'hn']);

/** Builds the case's buffers and workspace on `backend`, runs fn, and frees everything. */
function withCellRun<R>(
  backend: Backend,
  k: CellCase,
  fn: (r: CellRun, ws: Workspace, buf: (n: number, data?: ArrayLike<number> | null) => F32Buffer) => R,
): R {
  const { T, B, I, H } = k.dims;
  const ws = new Workspace(backend, planDirection(k.cell, k.dims, false));
  const owned: F32Buffer[] = [];
  const buf = (n: number, data?: ArrayLike<number> | null) => {
    const b = backend.alloc(n);
    owned.push(b);
    if (data) b.array.set(data);
    return b;
  };
  const opt = (n: number, data: ArrayLike<number> | null) => (data ? buf(n, data) : null);
  try {
    const G = k.w_ih.length / I;
    const r: CellRun = {
      cell: k.cell,
      nonlinearity: k.nonlinearity,
      slice: (s) => ws.view(s),
      x: buf(T * B * I, k.x),
      lengths: k.lengths,
      h0: opt(B * H, k.h0),
      c0: opt(B * H, k.c0),
      params: { w_ih: buf(G * I, k.w_ih), w_hh: buf(G * H, k.w_hh), b_ih: buf(G, k.b_ih), b_hh: buf(G, k.b_hh) },
      dims: k.dims,
    };
    return fn(r, ws, buf);
  } finally {
    for (const b of owned) backend.free(b);
    ws.dispose();
  }
}

export function runKernels(backend: Backend, k: CellCase): CellResults {
  return withCellRun(backend, k, (r, ws, buf) => {
    const { T, B, I, H } = k.dims;
    const G = k.w_ih.length / I;
    runCellForward(backend, r);
    if (k.dh) ws.view('dh').array.set(k.dh);
    const grads = { w_ih: buf(G * I), w_hh: buf(G * H), b_ih: buf(G), b_hh: buf(G) };
    const dx = buf(T * B * I);
    const dh0 = buf(B * H);
    const dc0 = buf(B * H);
    const opt = (n: number, data: ArrayLike<number> | null) => (data ? buf(n, data) : null);
    runCellBackward(backend, r, {
      dx, dh0, dc0: k.cell === 'lstm' ? dc0 : null,
      dhT: opt(B * H, k.dhT), dcT: opt(B * H, k.dcT), grads,
    });
    const out: CellResults = {
      dx: dx.array.slice(), dh0: dh0.array.slice(), dc0: dc0.array.slice(),
      dw_ih: grads.w_ih.array.slice(), dw_hh: grads.w_hh.array.slice(),
      db_ih: grads.b_ih.array.slice(), db_hh: grads.b_hh.array.slice(),
    };
    for (const key of resultKeys(k.cell)) if (!(key in out)) out[key] = ws.view(key).array.slice();
    return out;
  });
}

/**
 * The forward kernel alone: h (and LSTM's c) as it leaves them. noGrad runs the inference-only
 * forward (null gates and hn); the workspace's gates are poisoned with NaN first, so a kernel that
 * read them anyway would show it.
 */
export function runForward(backend: Backend, k: CellCase, noGrad: boolean): CellResults {
  return withCellRun(backend, k, (r, ws) => {
    for (const name of ['gates', 'hn']) if (noGrad && planDirection(k.cell, k.dims, false).slices.has(name)) ws.view(name).array.fill(NaN);
    runCellForward(backend, r, noGrad);
    const out: CellResults = { h: ws.view('h').array.slice() };
    if (k.cell === 'lstm') out.c = ws.view('c').array.slice();
    return out;
  });
}

/** The float64 reference on the same case, same result names. */
export function runReference(k: CellCase): CellResults {
  const p = { w_ih: k.w_ih, w_hh: k.w_hh, b_ih: k.b_ih, b_hh: k.b_hh };
  const inp = { x: k.x, h0: k.h0, c0: k.c0, lengths: k.lengths };
  const spec = { cell: k.cell, nonlinearity: k.nonlinearity };
  const saved = cellForward(spec, inp, p, k.dims);
  const g = cellBackward(spec, saved, inp, p, { dh: k.dh, dhT: k.dhT, dcT: k.dcT }, k.dims);
  const out: CellResults = { ...g, h: saved.h };
  if (saved.c) out.c = saved.c;
  if (saved.gates) out.gates = saved.gates;
  if (saved.hn) out.hn = saved.hn;
  return out;
}
