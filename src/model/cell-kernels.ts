// One place that knows which kernel each cell calls and which workspace slices feed it, so the layer
// (recurrent.ts) can run any cell through the same loop over layers and directions.
import type { Backend, CellDims, F32Buffer, Lengths, Nonlinearity } from '../backend/types.js';
import type { CellKind } from '../layout/cells.js';

/** The parameter (or gradient) views of one direction of one layer. */
export interface DirectionParams {
  w_ih: F32Buffer;
  w_hh: F32Buffer;
  b_ih: F32Buffer;
  b_hh: F32Buffer;
}

export interface CellRun {
  cell: CellKind;
  nonlinearity: Nonlinearity;
  /** A named slice of this direction's workspace (layout/cells.ts planDirection). */
  slice: (name: string) => F32Buffer;
  x: F32Buffer;
  lengths: Lengths;
  h0: F32Buffer | null;
  c0: F32Buffer | null;
  params: DirectionParams;
  dims: CellDims;
}

/** noGrad: inference only, the kernels save nothing for backward (null gates and hn). */
export function runCellForward(backend: Backend, r: CellRun, noGrad = false): void {
  const { slice: v, x, lengths, h0, params: p, dims } = r;
  const common = { x, lengths, h0, w_ih: p.w_ih, w_hh: p.w_hh, b_ih: p.b_ih, b_hh: p.b_hh, w_t: v('w_t'), h: v('h') };
  const saved = (name: string) => (noGrad ? null : v(name));
  if (r.cell === 'lstm') backend.lstm_forward({ ...common, c: v('c'), gates: saved('gates'), c0: r.c0 }, dims);
  else if (r.cell === 'gru') backend.gru_forward({ ...common, gates: saved('gates'), hn: saved('hn') }, dims);
  else backend.rnn_forward(common, dims, r.nonlinearity);
}

export interface CellGradients {
  dx: F32Buffer | null;
  dh0: F32Buffer | null;
  dc0: F32Buffer | null;
  dhT: F32Buffer | null;
  dcT: F32Buffer | null;
  /** Parameter gradients of this direction, accumulated into. */
  grads: DirectionParams;
  /** The upstream gradient at every step; default the workspace's dh, null when there is none. */
  dh?: F32Buffer | null;
}

export function runCellBackward(backend: Backend, r: CellRun, g: CellGradients): void {
  const { slice: v, x, lengths, h0, params: p, dims } = r;
  const common = {
    dx: g.dx, dh0: g.dh0, dw_ih: g.grads.w_ih, dw_hh: g.grads.w_hh, db_ih: g.grads.b_ih, db_hh: g.grads.b_hh,
    dh: g.dh === undefined ? v('dh') : g.dh, dhT: g.dhT, x, lengths, h0, h: v('h'), w_ih: p.w_ih, w_hh: p.w_hh,
    dgates: v('dgates'), dh_next: v('dh_next'),
  };
  if (r.cell === 'lstm')
    backend.lstm_backward(
      { ...common, dc0: g.dc0, dcT: g.dcT, c0: r.c0, c: v('c'), gates: v('gates'), dc_next: v('dc_next') },
      dims,
    );
  else if (r.cell === 'gru') backend.gru_backward({ ...common, gates: v('gates'), hn: v('hn'), dgates_hn: v('dgates_hn') }, dims);
  else backend.rnn_backward(common, dims, r.nonlinearity);
}
