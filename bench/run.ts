// `npm run bench [-- --quick] [-- --no-torch]`: LSTM forward and forward+backward throughput on the
// workloads of bench/workloads.ts, for native (1 thread and all threads), WASM, the float64 JS
// reference and tuned PyTorch when present, all in one run on one machine. Prints sequences per
// second, GFLOP/s and the ratio to PyTorch's best. A benchmark, never a test: it gates nothing.
import { cpus } from 'node:os';
import { Lstm } from '../src/model/lstm.js';
import { availableBackends } from '../src/backend/select.js';
import type { Backend } from '../src/backend/types.js';
import { lstmStack } from '../src/backend/reference.js';
import { Rng } from '../src/random.js';
import { timeIt } from './timer.js';
import { findTorchPython, runPytorch, type TorchTiming } from './pytorch.js';
import { forwardBackwardFlops, forwardFlops, WORKLOADS, type Workload } from './workloads.js';

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const timing = quick ? { minMs: 300, minRuns: 3 } : { minMs: 1500, minRuns: 5 };

interface Row {
  workload: string;
  system: string;
  forwardSeqPerSec: number;
  forwardBackwardSeqPerSec: number;
  gflops: number; // of forward+backward
  note: string;
}

function randomArray(n: number, rng: Rng): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.uniform(-1, 1);
  return a;
}

function benchBackend(w: Workload, backend: Backend, label: string): Row {
  const rng = new Rng(1);
  const lstm = new Lstm({ inputSize: w.inputSize, hiddenSize: w.hiddenSize, numLayers: w.numLayers, seed: 1 }, backend);
  const x = randomArray(w.batchSize * w.seqLen * w.inputSize, rng);
  const dOutput = randomArray(w.batchSize * w.seqLen * w.hiddenSize, rng);
  const opts = { batchSize: w.batchSize, seqLen: w.seqLen };
  const fwd = timeIt(() => lstm.forward(x, opts), timing);
  const fb = timeIt(() => {
    lstm.forward(x, opts);
    lstm.backward({ dOutput });
  }, timing);
  lstm.dispose();
  return {
    workload: w.name,
    system: label,
    forwardSeqPerSec: (w.batchSize * 1000) / fwd.medianMs,
    forwardBackwardSeqPerSec: (w.batchSize * 1000) / fb.medianMs,
    gflops: forwardBackwardFlops(w) / (fb.medianMs * 1e6),
    note: `${fwd.runs}+${fb.runs} runs`,
  };
}

/** The float64 reference is slow; a smaller batch keeps a run near a second, and seq/s is per sequence. */
function benchReference(w: Workload): Row {
  const rng = new Rng(1);
  const B = Math.max(1, Math.min(w.batchSize, Math.floor(2e8 / forwardBackwardFlops({ ...w, batchSize: 1 }))));
  const small = { ...w, batchSize: B };
  const cfg = { inputSize: w.inputSize, hiddenSize: w.hiddenSize, numLayers: w.numLayers, bidirectional: false };
  const params: Record<string, Float64Array> = {};
  for (let l = 0; l < w.numLayers; l++) {
    const I = l === 0 ? w.inputSize : w.hiddenSize;
    params[`weight_ih_l${l}`] = Float64Array.from(randomArray(4 * w.hiddenSize * I, rng));
    params[`weight_hh_l${l}`] = Float64Array.from(randomArray(4 * w.hiddenSize * w.hiddenSize, rng));
    params[`bias_ih_l${l}`] = Float64Array.from(randomArray(4 * w.hiddenSize, rng));
    params[`bias_hh_l${l}`] = Float64Array.from(randomArray(4 * w.hiddenSize, rng));
  }
  const x = Float64Array.from(randomArray(B * w.seqLen * w.inputSize, rng));
  const up = { output: Float64Array.from(randomArray(B * w.seqLen * w.hiddenSize, rng)), hN: null, cN: null };
  const t = { minMs: 0, minRuns: quick ? 1 : 3, warmup: 0 };
  const fwd = timeIt(() => lstmStack(cfg, x, B, w.seqLen, params, null, null), t);
  const fb = timeIt(() => lstmStack(cfg, x, B, w.seqLen, params, null, null, up), t);
  return {
    workload: w.name,
    system: 'JS reference (f64)',
    forwardSeqPerSec: (B * 1000) / fwd.medianMs,
    forwardBackwardSeqPerSec: (B * 1000) / fb.medianMs,
    gflops: forwardBackwardFlops(small) / (fb.medianMs * 1e6),
    note: `batch ${B}`,
  };
}

function torchRows(results: TorchTiming[]): Row[] {
  return results.map((r) => {
    const w = WORKLOADS.find((x) => x.name === r.name)!;
    return {
      workload: r.name,
      system: `PyTorch ${r.torch} (${r.threads} thr)`,
      forwardSeqPerSec: (w.batchSize * 1000) / r.forwardMs,
      forwardBackwardSeqPerSec: (w.batchSize * 1000) / r.forwardBackwardMs,
      gflops: forwardBackwardFlops(w) / (r.forwardBackwardMs * 1e6),
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
for (const w of WORKLOADS) {
  for (const backend of backends) {
    if (backend.name === 'native') {
      const variant = backend.info().variant;
      for (const t of [1, allThreads]) {
        backend.setThreads(t);
        rows.push(benchBackend(w, backend, `native ${variant} (${t} thr)`));
      }
    } else rows.push(benchBackend(w, backend, 'wasm simd128'));
    console.error(`done ${w.name} ${backend.name}`);
  }
  rows.push(benchReference(w));
  console.error(`done ${w.name} reference`);
}
let torchNote = '';
if (!args.has('--no-torch')) {
  const py = findTorchPython();
  if (!py) torchNote = 'PyTorch: skipped (no python3 with torch found; set SEQCAST_BENCH_PYTHON)';
  else {
    try {
      rows.push(...torchRows(runPytorch(py, WORKLOADS, [1, allThreads])));
    } catch (e) {
      torchNote = `PyTorch: skipped (${(e as Error).message})`;
    }
  }
}

console.log(`seqcast bench, ${new Date().toISOString().slice(0, 10)}, ${cpus()[0]?.model ?? 'unknown CPU'} x${allThreads}, Node ${process.versions.node}`);
console.log(`backends: ${infos.join('; ')}`);
if (torchNote) console.log(torchNote);
console.log('');
console.log('| workload | system | forward seq/s | fwd+bwd seq/s | fwd+bwd GFLOP/s | fwd+bwd vs best PyTorch | note |');
console.log('|---|---|---:|---:|---:|---:|---|');
for (const w of WORKLOADS) {
  const torchBest = Math.max(0, ...rows.filter((r) => r.workload === w.name && r.system.startsWith('PyTorch')).map((r) => r.forwardBackwardSeqPerSec));
  for (const r of rows.filter((x) => x.workload === w.name)) {
    const ratio = torchBest > 0 ? `${(r.forwardBackwardSeqPerSec / torchBest).toFixed(2)}x` : 'n/a';
    console.log(`| ${r.workload} | ${r.system} | ${fmt(r.forwardSeqPerSec)} | ${fmt(r.forwardBackwardSeqPerSec)} | ${fmt(r.gflops)} | ${ratio} | ${r.note} |`);
  }
}
