// What the layer-level shortcuts buy, each against the path it replaces, timed interleaved (A, B, A, B,
// ...) so machine noise hits both alike:
//   - inference: forward with noGrad (the kernels save nothing, each step's projection stays in cache)
//     against the forward that saves every step's gates for backward;
//   - many-to-one training: forward with output 'last' + backward with inputGrad false (no
//     full-sequence output copy, no dL/dx) against the full (B, T, H) output and its gradient + dx.
// `npx tsx bench/facade-levers.ts [cell] [workload] [threads]` (defaults lstm W2 2) prints medians; the
// --ablation table of `npm run bench` includes the same rows.
import { fileURLToPath } from 'node:url';
import { Recurrent } from '../src/model/recurrent.js';
import { loadBackend } from '../src/backend/select.js';
import type { Backend } from '../src/backend/types.js';
import type { CellKind } from '../src/layout/cells.js';
import { Rng } from '../src/random.js';
import { WORKLOADS, type Workload } from './workloads.js';

export interface FacadeLevers {
  /** Sequences per second of each path, medians of interleaved repetitions. */
  inferSaving: number;
  inferNoGrad: number;
  trainFull: number;
  trainLastOnly: number;
  runs: number;
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Times A and B alternately for about `ms` milliseconds (at least `minRuns` each); medians in ms. */
function interleaved(a: () => void, b: () => void, ms: number, minRuns: number): [number, number, number] {
  a();
  b(); // warm-up
  const ta: number[] = [];
  const tb: number[] = [];
  const start = performance.now();
  while (ta.length < minRuns || performance.now() - start < ms) {
    let t0 = performance.now();
    a();
    ta.push(performance.now() - t0);
    t0 = performance.now();
    b();
    tb.push(performance.now() - t0);
  }
  return [median(ta), median(tb), ta.length];
}

export function measureFacadeLevers(cell: CellKind, w: Workload, backend: Backend, ms = 1500, minRuns = 5): FacadeLevers {
  const rng = new Rng(1);
  const { batchSize: B, seqLen: T, inputSize: I, hiddenSize: H } = w;
  const layer = new Recurrent({ cell, inputSize: I, hiddenSize: H, numLayers: w.numLayers, seed: 1 }, backend);
  try {
    const x = Float32Array.from({ length: B * T * I }, () => rng.uniform(-1, 1));
    const out = new Float32Array(B * T * H);
    const dOutput = new Float32Array(B * T * H);
    const dLast = Float32Array.from({ length: B * H }, () => rng.uniform(-1, 1));
    for (let b = 0; b < B; b++) dOutput.set(dLast.subarray(b * H, b * H + H), (b * T + T - 1) * H);
    const dxOut = new Float32Array(B * T * I);
    const lastOut = new Float32Array(B * H);
    const opts = { batchSize: B, seqLen: T };
    const [saving, noGrad, runs] = interleaved(
      () => layer.forward(x, { ...opts, out }),
      () => layer.forward(x, { ...opts, out, noGrad: true }),
      ms, minRuns,
    );
    const [full, lastOnly] = interleaved(
      () => {
        layer.forward(x, { ...opts, out, training: true });
        layer.backward({ dOutput, dxOut });
      },
      () => {
        layer.forward(x, { ...opts, out: lastOut, training: true, output: 'last' });
        layer.backward({ dOutput: dLast, inputGrad: false });
      },
      ms, minRuns,
    );
    const rate = (m: number): number => (B * 1000) / m;
    return { inferSaving: rate(saving), inferNoGrad: rate(noGrad), trainFull: rate(full), trainLastOnly: rate(lastOnly), runs };
  } finally {
    layer.dispose();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [cell = 'lstm', name = 'W2', threads = '2'] = process.argv.slice(2);
  const w = WORKLOADS.find((x) => x.name === name);
  if (!w) throw new RangeError(`unknown workload '${name}' (use ${WORKLOADS.map((x) => x.name).join(', ')})`);
  const backend = await loadBackend({ threads: Number(threads) });
  const r = measureFacadeLevers(cell as CellKind, w, backend);
  const f = (v: number): string => Math.round(v).toLocaleString('en-US');
  console.log(`${cell} ${name}, ${backend.info().name} ${backend.info().threads} thr, seq/s (medians of ${r.runs} interleaved runs):`);
  console.log(`  infer: saving for backward ${f(r.inferSaving)}, noGrad ${f(r.inferNoGrad)} (${(r.inferNoGrad / r.inferSaving).toFixed(2)}x)`);
  console.log(`  fwd+bwd: full output + dx ${f(r.trainFull)}, last step only, no dx ${f(r.trainLastOnly)} (${(r.trainLastOnly / r.trainFull).toFixed(2)}x)`);
}
