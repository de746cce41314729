// The three benchmark workloads of issues #2 and #8, batch-first as users call them.
import { GATES, type CellKind } from '../src/layout/cells.js';

export interface Workload {
  name: string;
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  seqLen: number;
  batchSize: number;
}

export const WORKLOADS: Workload[] = [
  { name: 'W1', inputSize: 1, hiddenSize: 32, numLayers: 1, seqLen: 24, batchSize: 32 },
  { name: 'W2', inputSize: 8, hiddenSize: 128, numLayers: 1, seqLen: 64, batchSize: 64 },
  { name: 'W3', inputSize: 32, hiddenSize: 256, numLayers: 2, seqLen: 128, batchSize: 64 },
];

/** Floating-point operations of the products of one forward pass over the whole batch (2 per multiply-add). */
export function forwardFlops(cell: CellKind, w: Workload): number {
  let flops = 0;
  for (let l = 0; l < w.numLayers; l++) {
    const I = l === 0 ? w.inputSize : w.hiddenSize;
    flops += 2 * w.seqLen * w.batchSize * GATES[cell] * w.hiddenSize * (I + w.hiddenSize);
  }
  return flops;
}

/** Backward adds twice the forward's products (dgates·W for dh and dx, and the weight gradients): 3x in all. */
export const forwardBackwardFlops = (cell: CellKind, w: Workload): number => 3 * forwardFlops(cell, w);

/**
 * Of a full training step: forward and backward of the stack. The Linear(H, 1) head, the loss and Adam
 * add O(B*H + parameters) operations, under 1 % on every workload, and are left out.
 */
export const trainFlops = (cell: CellKind, w: Workload): number => forwardBackwardFlops(cell, w);
