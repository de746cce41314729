// Training data the fit tests share: windows of sin(0.3 t) plus small uniform-sum noise; the target
// is the next clean value. Seeded, so a rerun sees the same windows.
import { Rng } from '../../src/random.js';

export function sineData(count: number, seqLen: number, seed: number) {
  const rng = new Rng(seed);
  const x = new Float32Array(count * seqLen);
  const y = new Float32Array(count);
  for (let n = 0; n < count; n++) {
    const start = rng.uniform(0, 2 * Math.PI);
    for (let t = 0; t < seqLen; t++) x[n * seqLen + t] = Math.sin(start + 0.3 * t) + 0.05 * (rng.next() + rng.next() - 1);
    y[n] = Math.sin(start + 0.3 * seqLen);
  }
  return { x, targets: y, count, seqLen };
}
