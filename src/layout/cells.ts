// What each recurrent cell needs, in one table: gate blocks per weight, the forward's packed-weight
// scratch, what forward saves for backward and the backward scratch. Sizes mirror the comments of
// native/include/seqcast/kernels.h; the workspace plan and the size checks both read them here.
import type { CellDims } from '../backend/types.js';
import { plan, type Plan } from './workspace.js';

export type CellKind = 'lstm' | 'gru' | 'rnn';
export const CELL_KINDS: readonly CellKind[] = ['lstm', 'gru', 'rnn'];

/** Gate blocks stacked in the weight rows (PyTorch: LSTM i,f,g,o; GRU r,z,n; RNN one block). */
export const GATES: Record<CellKind, number> = { lstm: 4, gru: 3, rnn: 1 };

/**
 * Floats of the forward kernel's w_t scratch: the packed weights, GRU's per-step h_prev W_hh^T, and
 * (LSTM, GRU) one step's input projection for the inference-only forward (gates null).
 */
export function forwardScratch(cell: CellKind, { B, I, H }: CellDims): number {
  const G = GATES[cell];
  const perStep = cell === 'lstm' ? 4 * B * H : cell === 'gru' ? 6 * B * H : 0;
  return G * H * I + G * H * H + perStep;
}

/** Buffers forward writes and backward reads, besides h: [slice name, floats]. */
function savedSlices(cell: CellKind, { T, B, H }: CellDims): Array<[string, number]> {
  if (cell === 'lstm') return [['c', T * B * H], ['gates', T * B * 4 * H]];
  if (cell === 'gru') return [['gates', T * B * 3 * H], ['hn', T * B * H]];
  return [];
}

/**
 * Steps of gate gradients backward keeps (native/include/seqcast/kernels.h backward_chunk_steps):
 * the weight gradients are products over chunks of about BACKWARD_CHUNK_ROWS rows (at least 2
 * steps, at most T), so dgates holds Tc steps instead of T.
 */
export const BACKWARD_CHUNK_ROWS = 256;
export function backwardChunkSteps(T: number, B: number): number {
  if (T <= 2 || B <= 0) return T;
  return Math.min(T, Math.max(2, Math.ceil(BACKWARD_CHUNK_ROWS / B)));
}

/** Backward-only scratch besides dh_next: [slice name, floats]. dgates holds one chunk of Tc steps. */
function backwardSlices(cell: CellKind, { T, B, H }: CellDims): Array<[string, number]> {
  const Tc = backwardChunkSteps(T, B);
  if (cell === 'lstm') return [['dgates', Tc * B * 4 * H], ['dc_next', B * H]];
  if (cell === 'gru') return [['dgates', Tc * B * 3 * H], ['dgates_hn', Tc * B * H]];
  return [['dgates', Tc * B * H]];
}

/**
 * Every buffer of one direction of one layer. `dh` is the upstream gradient on its h, `dx` its
 * input gradient; `reversed` adds x_rev, the input in the reverse direction's time order (each row
 * reversed within its own length).
 */
export function planDirection(cell: CellKind, dims: CellDims, reversed: boolean): Plan {
  const { T, B, I, H } = dims;
  const entries: Array<[string, number]> = [
    ['h', T * B * H],
    ...savedSlices(cell, dims),
    ['w_t', forwardScratch(cell, dims)],
    ...backwardSlices(cell, dims),
    ['dh_next', B * H],
    ['dh', T * B * H],
    ['dx', T * B * I],
  ];
  if (reversed) entries.push(['x_rev', T * B * I]);
  return plan(entries);
}
