// Truncated backpropagation through time: a long batch (B, T, I) is cut into chunks of k steps run
// one after another, each starting from the state the previous chunk ended in (carried without
// gradient). Heads that predict every step ('all') learn from every chunk; heads that predict from
// the last step ('last') only from the final chunk, so their gradient reaches back at most k steps.
import type { SequenceModel } from '../model/sequence-model.js';
import type { Batch } from './step.js';

/** Steps [t0, t1) of every row of a (B, T, W) array. */
function steps(a: Float32Array, B: number, T: number, W: number, t0: number, t1: number): Float32Array {
  const out = new Float32Array(B * (t1 - t0) * W);
  for (let b = 0; b < B; b++) out.set(a.subarray((b * T + t0) * W, (b * T + t1) * W), b * (t1 - t0) * W);
  return out;
}

export interface Chunk {
  batch: Batch;
  /** Whether any head has targets in this chunk (otherwise it only advances the state). */
  learns: boolean;
}

/** The chunks of one batch, in time order; 'last' heads' targets are masked (NaN) before the final chunk. */
export function chunks(model: SequenceModel, batch: Batch, k: number): Chunk[] {
  const { batchSize: B, seqLen: T } = batch;
  const I = batch.x.length / (B * T);
  const out: Chunk[] = [];
  for (let t0 = 0; t0 < T; t0 += k) {
    const t1 = Math.min(T, t0 + k);
    const final = t1 === T;
    const targets = model.heads.map((h, i) =>
      h.on === 'all' ? steps(batch.targets[i], B, T, h.outputs, t0, t1) : final ? batch.targets[i] : new Float32Array(B * h.outputs).fill(NaN),
    );
    out.push({
      batch: { x: steps(batch.x, B, T, I, t0, t1), targets, batchSize: B, seqLen: t1 - t0 },
      learns: final || model.heads.some((h) => h.on === 'all'),
    });
  }
  return out;
}
