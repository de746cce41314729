// `npm run bench [-- --quick] [-- --no-torch] [-- --cells lstm,gru,rnn]`: forward and
// forward+backward throughput of each cell on the workloads of bench/workloads.ts, for native (1
// thread and all threads), WASM, the float64 JS reference and tuned PyTorch when present, all in one
// run on one machine. Prints sequences per second, GFLOP/s and the ratio to PyTorch's best.
// A benchmark, never a test: it gates nothing.
import { cpus } from 'node:os';
import { Recurrent } from '../src/model/recurrent.js';
import { SequenceModel } from '../src/model/sequence-model.js';
import { createOptimizer } from '../src/train/optimizers.js';
import { trainStep } from '../src/train/step.js';
import { availableBackends } from '../src/backend/select.js';
import type { Backend } from '../src/backend/types.js';
import { refStack } from '../src/backend/reference.js';
import { CELL_KINDS, type CellKind } from '../src/layout/cells.js';
import { Rng } from '../src/random.js';
import { timeIt } from './timer.js';
import { findTorchPython, runPytorch, type TorchTiming } from './pytorch.js';
import { benchWindows } from './windows.js';
import { forwardBackwardFlops, forwardFlops, WORKLOADS, type Workload } from './workloads.js';

const argv = process.argv.slice(2);
const args = new Set(argv);
const quick = args.has('--quick');
const cellsArg = argv.includes('--cells') ? argv[argv.indexOf('--cells') + 1] ?? '' : CELL_KINDS.join(',');
const cells = cellsArg.split(',').map((c) => c.trim()) as CellKind[];
for (const c of cells) if (!CELL_KINDS.includes(c)) throw new RangeError(`--cells: unknown cell '${c}' (use ${CELL_KINDS.join(',')})`);
const timing = quick ? { minMs: 300, minRuns: 3 } : { minMs: 1500, minRuns: 5 };

interface Row {
  cell: CellKind;
  workload: string;
  system: string;
  forwardSeqPerSec: number;
  forwardBackwardSeqPerSec: number;
  /** A full training step: forward, backward, MSE on a linear head over the last step, Adam. */
  trainSeqPerSec: number | null;
  gflops: number; // of forward+backward
  note: string;
}

function randomArray(n: number, rng: Rng): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.uniform(-1, 1);
  return a;
}

function benchBackend(cell: CellKind, w: Workload, backend: Backend, label: string): Row {
  const rng = new Rng(1);
  const layer = new Recurrent({ cell, inputSize: w.inputSize, hiddenSize: w.hiddenSize, numLayers: w.numLayers, seed: 1 }, backend);
  const x = randomArray(w.batchSize * w.seqLen * w.inputSize, rng);
  const dOutput = randomArray(w.batchSize * w.seqLen * w.hiddenSize, rng);
  const opts = { batchSize: w.batchSize, seqLen: w.seqLen };
  const fwd = timeIt(() => layer.forward(x, opts), timing);
  const fb = timeIt(() => {
    layer.forward(x, opts);
    layer.backward({ dOutput });
  }, timing);
  layer.dispose();
  const model = new SequenceModel({ cell, inputSize: w.inputSize, hiddenSize: w.hiddenSize, numLayers: w.numLayers, seed: 1 }, backend);
  const adam = createOptimizer({ name: 'adam', lr: 1e-3 }, backend, model.params, model.grads);
  const batch = { x, targets: [randomArray(w.batchSize, rng)], batchSize: w.batchSize, seqLen: w.seqLen };
  const train = timeIt(() => trainStep(model, adam, [{ name: 'mse' }], batch), timing);
  adam.dispose();
  model.dispose();
  return {
    cell,
    workload: w.name,
    system: label,
    forwardSeqPerSec: (w.batchSize * 1000) / fwd.medianMs,
    forwardBackwardSeqPerSec: (w.batchSize * 1000) / fb.medianMs,
    trainSeqPerSec: (w.batchSize * 1000) / train.medianMs,
    gflops: forwardBackwardFlops(cell, w) / (fb.medianMs * 1e6),
    note: `${fwd.runs}+${fb.runs}+${train.runs} runs`,
  };
}

/** The float64 reference is slow; a smaller batch keeps a run near a second, and seq/s is per sequence. */
function benchReference(cell: CellKind, w: Workload): Row {
  const rng = new Rng(1);
  const B = Math.max(1, Math.min(w.batchSize, Math.floor(2e8 / forwardBackwardFlops(cell, { ...w, batchSize: 1 }))));
  const small = { ...w, batchSize: B };
  const cfg = { cell, inputSize: w.inputSize, hiddenSize: w.hiddenSize, numLayers: w.numLayers, bidirectional: false };
  const params: Record<string, Float64Array> = {};
  const layer = new Recurrent({ ...cfg, seed: 1 }, REFERENCE_SHAPES);
  for (const [name, t] of Object.entries(layer.stateDict())) params[name] = Float64Array.from(t.data);
  layer.dispose();
  const x = Float64Array.from(randomArray(B * w.seqLen * w.inputSize, rng));
  const up = { output: Float64Array.from(randomArray(B * w.seqLen * w.hiddenSize, rng)), hN: null, cN: null };
  const t = { minMs: 0, minRuns: quick ? 1 : 3, warmup: 0 };
  const inputs = { x, B, T: w.seqLen, h0: null, c0: null };
  const fwd = timeIt(() => refStack(cfg, inputs, params), t);
  const fb = timeIt(() => refStack(cfg, inputs, params, up), t);
  return {
    cell,
    workload: w.name,
    system: 'JS reference (f64)',
    forwardSeqPerSec: (B * 1000) / fwd.medianMs,
    forwardBackwardSeqPerSec: (B * 1000) / fb.medianMs,
    trainSeqPerSec: null,
    gflops: forwardBackwardFlops(cell, small) / (fb.medianMs * 1e6),
    note: `batch ${B}`,
  };
}

function torchRows(results: TorchTiming[]): Row[] {
  return results.map((r) => {
    const w = WORKLOADS.find((x) => x.name === r.name)!;
    return {
      cell: r.cell,
      workload: r.name,
      system: `PyTorch ${r.torch} (${r.threads} thr)`,
      forwardSeqPerSec: (w.batchSize * 1000) / r.forwardMs,
      forwardBackwardSeqPerSec: (w.batchSize * 1000) / r.forwardBackwardMs,
      trainSeqPerSec: (w.batchSize * 1000) / r.trainMs,
      gflops: forwardBackwardFlops(r.cell, w) / (r.forwardBackwardMs * 1e6),
      note: 'tuned',
    };
  });
}

const fmt = (v: number): string => (v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toPrecision(3));

const rows: Row[] = [];
const backends = await availableBackends();
const allThreads = cpus().length;
const infos: string[] = [];
for (const backend of backends) {
  const info = backend.info();
  infos.push(`${info.name}: ${info.variant}, ${info.threads} threads`);
}
// The reference benchmark borrows a layer only to get PyTorch-style initial weights by name.
const REFERENCE_SHAPES = backends.find((b) => b.name === 'wasm') ?? backends[0];
for (const cell of cells)
  for (const w of WORKLOADS) {
    for (const backend of backends) {
      if (backend.name === 'native') {
        const variant = backend.info().variant;
        for (const t of [1, allThreads]) {
          backend.setThreads(t);
          rows.push(benchBackend(cell, w, backend, `native ${variant} (${t} thr)`));
        }
      } else rows.push(benchBackend(cell, w, backend, 'wasm simd128'));
      console.error(`done ${cell} ${w.name} ${backend.name}`);
    }
    rows.push(benchReference(cell, w));
    console.error(`done ${cell} ${w.name} reference`);
  }
let torchNote = '';
if (!args.has('--no-torch')) {
  const py = findTorchPython();
  if (!py) torchNote = 'PyTorch: skipped (no python3 with torch found; set SEQCAST_BENCH_PYTHON)';
  else {
    try {
      rows.push(...torchRows(runPytorch(py, cells, WORKLOADS, [1, allThreads])));
    } catch (e) {
      torchNote = `PyTorch: skipped (${(e as Error).message})`;
    }
  }
}

const windows = await benchWindows();

console.log(`seqcast bench, ${new Date().toISOString().slice(0, 10)}, ${cpus()[0]?.model ?? 'unknown CPU'} x${allThreads}, Node ${process.versions.node}`);
console.log(`backends: ${infos.join('; ')}`);
if (torchNote) console.log(torchNote);
console.log(
  `data: windowing ${windows.points.toLocaleString('en-US')} points into lookback-${windows.lookback} windows: ` +
    `${windows.ms.toFixed(0)} ms into reused buffers, ${windows.freshMs.toFixed(0)} ms allocating a fresh output (medians)`,
);
console.log('');
console.log('| cell | workload | system | infer seq/s | fwd+bwd seq/s | train step seq/s | fwd+bwd GFLOP/s | train vs best PyTorch | note |');
console.log('|---|---|---|---:|---:|---:|---:|---:|---|');
for (const cell of cells)
  for (const w of WORKLOADS) {
    const mine = rows.filter((r) => r.cell === cell && r.workload === w.name);
    const torchBest = Math.max(0, ...mine.filter((r) => r.system.startsWith('PyTorch')).map((r) => r.trainSeqPerSec ?? 0));
    for (const r of mine) {
      const ratio = torchBest > 0 && r.trainSeqPerSec !== null ? `${(r.trainSeqPerSec / torchBest).toFixed(2)}x` : 'n/a';
      const train = r.trainSeqPerSec === null ? 'n/a' : fmt(r.trainSeqPerSec);
      console.log(
        `| ${cell} | ${r.workload} | ${r.system} | ${fmt(r.forwardSeqPerSec)} | ${fmt(r.forwardBackwardSeqPerSec)} | ${train} | ${fmt(r.gflops)} | ${ratio} | ${r.note} |`,
      );
    }
  }
