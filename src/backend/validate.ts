// Size checks for every kernel call, shared by both adapters. The WASM kernels trust their pointers,
// so a short buffer there would corrupt memory instead of failing; checking here makes both backends
// fail the same way, with the kernel, the buffer, and the expected and actual sizes in the message.
import { ShapeError } from '../errors.js';
import type { F32Buffer, GemmArgs, LstmBackwardArgs, LstmDims, LstmForwardArgs } from './types.js';
import { lstmForwardScratch } from '../layout/workspace.js';

export function checkDims(kernel: string, dims: Record<string, number>): void {
  for (const [name, v] of Object.entries(dims)) {
    if (!Number.isInteger(v) || v <= 0 || v > 0x7fffffff)
      throw new RangeError(`${kernel}: ${name} must be a positive integer, got ${v}`);
  }
}

function need(kernel: string, name: string, buf: F32Buffer | null, formula: string, n: number, optional = false): void {
  if (buf === null) {
    if (optional) return;
    throw new TypeError(`${kernel}: ${name} is required, got null`);
  }
  if (buf.length !== n) throw new ShapeError(`${kernel}: ${name} must have ${formula} = ${n} elements, got ${buf.length}`);
}

export function checkLstmForward(a: LstmForwardArgs, d: LstmDims): void {
  const k = 'lstm_forward';
  checkDims(k, { T: d.T, B: d.B, I: d.I, H: d.H });
  const { T, B, I, H } = d;
  need(k, 'h', a.h, 'T*B*H', T * B * H);
  need(k, 'c', a.c, 'T*B*H', T * B * H);
  need(k, 'gates', a.gates, 'T*B*4H', T * B * 4 * H);
  need(k, 'x', a.x, 'T*B*I', T * B * I);
  need(k, 'h0', a.h0, 'B*H', B * H, true);
  need(k, 'c0', a.c0, 'B*H', B * H, true);
  need(k, 'w_ih', a.w_ih, '4*H*I', 4 * H * I);
  need(k, 'w_hh', a.w_hh, '4*H*H', 4 * H * H);
  need(k, 'b_ih', a.b_ih, '4*H', 4 * H);
  need(k, 'b_hh', a.b_hh, '4*H', 4 * H);
  need(k, 'w_t', a.w_t, '4*H*(I+H)', lstmForwardScratch(d));
}

export function checkLstmBackward(a: LstmBackwardArgs, d: LstmDims): void {
  const k = 'lstm_backward';
  checkDims(k, { T: d.T, B: d.B, I: d.I, H: d.H });
  const { T, B, I, H } = d;
  need(k, 'dx', a.dx, 'T*B*I', T * B * I, true);
  need(k, 'dh0', a.dh0, 'B*H', B * H, true);
  need(k, 'dc0', a.dc0, 'B*H', B * H, true);
  need(k, 'dw_ih', a.dw_ih, '4*H*I', 4 * H * I);
  need(k, 'dw_hh', a.dw_hh, '4*H*H', 4 * H * H);
  need(k, 'db_ih', a.db_ih, '4*H', 4 * H);
  need(k, 'db_hh', a.db_hh, '4*H', 4 * H);
  need(k, 'dh', a.dh, 'T*B*H', T * B * H, true);
  need(k, 'dhT', a.dhT, 'B*H', B * H, true);
  need(k, 'dcT', a.dcT, 'B*H', B * H, true);
  need(k, 'x', a.x, 'T*B*I', T * B * I);
  need(k, 'h0', a.h0, 'B*H', B * H, true);
  need(k, 'c0', a.c0, 'B*H', B * H, true);
  need(k, 'h', a.h, 'T*B*H', T * B * H);
  need(k, 'c', a.c, 'T*B*H', T * B * H);
  need(k, 'gates', a.gates, 'T*B*4H', T * B * 4 * H);
  need(k, 'w_ih', a.w_ih, '4*H*I', 4 * H * I);
  need(k, 'w_hh', a.w_hh, '4*H*H', 4 * H * H);
  need(k, 'dgates', a.dgates, 'T*B*4H', T * B * 4 * H);
  need(k, 'dh_next', a.dh_next, 'B*H', B * H);
  need(k, 'dc_next', a.dc_next, 'B*H', B * H);
}

/** A row-major (rows, cols) operand with leading dimension ld fits in `length` floats. */
function fits(kernel: string, name: string, buf: F32Buffer, rows: number, cols: number, ld: number, ldName: string): void {
  if (ld < cols) throw new RangeError(`${kernel}: ${ldName} must be >= ${cols}, got ${ld}`);
  const n = (rows - 1) * ld + cols;
  if (buf.length < n)
    throw new ShapeError(`${kernel}: ${name} must have at least (${rows}-1)*${ldName}+${cols} = ${n} elements, got ${buf.length}`);
}

export function checkGemm(kernel: 'gemm_nn' | 'gemm_tn', a: GemmArgs): void {
  checkDims(kernel, { M: a.M, N: a.N, K: a.K, ldc: a.ldc, lda: a.lda, ldb: a.ldb });
  fits(kernel, 'C', a.C, a.M, a.N, a.ldc, 'ldc');
  if (kernel === 'gemm_nn') fits(kernel, 'A', a.A, a.M, a.K, a.lda, 'lda');
  else fits(kernel, 'A', a.A, a.K, a.M, a.lda, 'lda');
  fits(kernel, 'B', a.B, a.K, a.N, a.ldb, 'ldb');
}
