// Runs one LstmCase through a backend's lstm_forward and lstm_backward kernels directly (time-major,
// the kernel contract) and returns copies of every result, named as in the contract.
import type { Backend, F32Buffer } from '../../src/backend/types.js';
import { lstmForwardScratch } from '../../src/layout/workspace.js';
import { lstmBackward, lstmForward } from '../../src/backend/reference.js';
import type { LstmCase } from './random.js';

export const RESULT_KEYS = ['h', 'c', 'gates', 'dx', 'dh0', 'dc0', 'dw_ih', 'dw_hh', 'db_ih', 'db_hh'] as const;
export type LstmResults = Record<(typeof RESULT_KEYS)[number], Float64Array | Float32Array>;

export function runKernels(backend: Backend, k: LstmCase): LstmResults {
  const { T, B, I, H } = k.dims;
  const owned: F32Buffer[] = [];
  const buf = (n: number, data?: ArrayLike<number> | null): F32Buffer => {
    const b = backend.alloc(n);
    owned.push(b);
    if (data) b.array.set(data);
    return b;
  };
  const opt = (n: number, data: ArrayLike<number> | null): F32Buffer | null => (data ? buf(n, data) : null);
  try {
    const x = buf(T * B * I, k.x);
    const h0 = opt(B * H, k.h0);
    const c0 = opt(B * H, k.c0);
    const w_ih = buf(4 * H * I, k.w_ih);
    const w_hh = buf(4 * H * H, k.w_hh);
    const h = buf(T * B * H);
    const c = buf(T * B * H);
    const gates = buf(T * B * 4 * H);
    backend.lstm_forward(
      { h, c, gates, x, h0, c0, w_ih, w_hh, b_ih: buf(4 * H, k.b_ih), b_hh: buf(4 * H, k.b_hh), w_t: buf(lstmForwardScratch(k.dims)) },
      k.dims,
    );
    const dx = buf(T * B * I);
    const dh0 = buf(B * H);
    const dc0 = buf(B * H);
    const grads = { dw_ih: buf(4 * H * I), dw_hh: buf(4 * H * H), db_ih: buf(4 * H), db_hh: buf(4 * H) };
    backend.lstm_backward(
      {
        dx, dh0, dc0, ...grads,
        dh: opt(T * B * H, k.dh), dhT: opt(B * H, k.dhT), dcT: opt(B * H, k.dcT),
        x, h0, c0, h, c, gates, w_ih, w_hh,
        dgates: buf(T * B * 4 * H), dh_next: buf(B * H), dc_next: buf(B * H),
      },
      k.dims,
    );
    const copy = (b: F32Buffer): Float32Array => b.array.slice();
    return {
      h: copy(h), c: copy(c), gates: copy(gates), dx: copy(dx), dh0: copy(dh0), dc0: copy(dc0),
      dw_ih: copy(grads.dw_ih), dw_hh: copy(grads.dw_hh), db_ih: copy(grads.db_ih), db_hh: copy(grads.db_hh),
    };
  } finally {
    for (const b of owned) backend.free(b);
  }
}

/** The float64 reference on the same case, same result names. */
export function runReference(k: LstmCase): LstmResults {
  const p = { w_ih: k.w_ih, w_hh: k.w_hh, b_ih: k.b_ih, b_hh: k.b_hh };
  const saved = lstmForward(k.x, k.h0, k.c0, p, k.dims);
  const g = lstmBackward(saved, k.x, k.h0, k.c0, p, k.dh, k.dhT, k.dcT, k.dims);
  return { ...saved, ...g };
}
