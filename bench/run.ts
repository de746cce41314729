// `npm run bench [-- --quick --no-torch --cells lstm,gru,rnn --peers --json --no-memory --ablation]`:
// forward, forward+backward and full-training-step throughput and the streaming step of each cell on
// the workloads of bench/workloads.ts, for native (1 thread and all threads), WASM, the float64 JS
// reference and tuned PyTorch when present, all in one run on one machine. --peers adds TensorFlow.js
// (wasm, cpu), brain.js and onnxruntime-node (LSTM; bench/peers/), --json writes bench/results.json,
// and the memory line compares training W3's peak RSS with what BPTT must keep (bench/memory.ts).
// --ablation times what single levers buy on native LSTM (SIMD variant, fused streaming step, noGrad
// inference, last-step training; bench/facade-levers.ts), for bench/NOTES.md.
// Prints seq/s, GFLOP/s, ratios and issue #8's targets, met or not. A benchmark, never a test.
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
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
import { measureStream } from './stream.js';
import { measureFacadeLevers } from './facade-levers.js';
import { measureForecasterUpdate, type ForecasterUpdateTiming } from './forecaster-update.js';
import { describeMemory, measureTrainingMemory, type MemoryReport } from './memory.js';
import { runPeers, type PeerResult } from './peers/run-peers.js';
import { forwardBackwardFlops, trainFlops, WORKLOADS, type Workload } from './workloads.js';

const argv = process.argv.slice(2);
const args = new Set(argv);
const quick = args.has('--quick');
const cellsArg = argv.includes('--cells') ? argv[argv.indexOf('--cells') + 1] ?? '' : CELL_KINDS.join(',');
const cells = cellsArg.split(',').map((c) => c.trim()) as CellKind[];
for (const c of cells) if (!CELL_KINDS.includes(c)) throw new RangeError(`--cells: unknown cell '${c}' (use ${CELL_KINDS.join(',')})`);
const known = new Set(['--quick', '--no-torch', '--cells', '--peers', '--json', '--no-memory', '--ablation', cellsArg]);
for (const a of argv) if (!known.has(a)) throw new RangeError(`unknown option '${a}' (use --quick, --no-torch, --cells, --peers, --json, --no-memory, --ablation)`);
// Full-run timings keep `--peers` near six minutes on a quiet 2-core machine; every figure is a median of >= 5 runs.
const timing = quick ? { minMs: 300, minRuns: 3 } : { minMs: 700, minRuns: 5 };
const streamTiming = quick ? { runs: 7, runMs: 10 } : { runs: 21, runMs: 20 };
const peerBudget = quick ? { train: 600, infer: 400, stream: 200 } : { train: 3000, infer: 1500, stream: 500 };
const started = performance.now();

interface Row {
  cell: CellKind;
  workload: string;
  system: string;
  /** native, wasm, pytorch or reference: the key in results.json. */
  kind: 'native' | 'wasm' | 'pytorch' | 'reference';
  threads: number;
  forwardSeqPerSec: number;
  forwardBackwardSeqPerSec: number;
  /** A full training step: forward, backward, MSE on a linear head over the last step, Adam. */
  trainSeqPerSec: number | null;
  /** One step at batch 1 with the state carried, microseconds. */
  streamUs: number | null;
  gflops: number; // of forward+backward
  note: string;
}

function randomArray(n: number, rng: Rng): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.uniform(-1, 1);
  return a;
}

async function benchBackend(cell: CellKind, w: Workload, backend: Backend, label: string, threads: number): Promise<Row> {
  const rng = new Rng(1);
  const layer = new Recurrent({ cell, inputSize: w.inputSize, hiddenSize: w.hiddenSize, numLayers: w.numLayers, seed: 1 }, backend);
  const x = randomArray(w.batchSize * w.seqLen * w.inputSize, rng);
  const dOutput = randomArray(w.batchSize * w.seqLen * w.hiddenSize, rng);
  // Output and dx arrays reused across calls (the `out` / `dxOut` options), as a serving loop would.
  const opts = { batchSize: w.batchSize, seqLen: w.seqLen, out: new Float32Array(w.batchSize * w.seqLen * w.hiddenSize) };
  const dxOut = new Float32Array(w.batchSize * w.seqLen * w.inputSize);
  // Inference runs as predict() does: noGrad, nothing saved for a backward pass.
  const fwd = timeIt(() => layer.forward(x, { ...opts, noGrad: true }), timing);
  const fb = timeIt(() => {
    layer.forward(x, opts);
    layer.backward({ dOutput, dxOut });
  }, timing);
  layer.dispose();
  const model = new SequenceModel({ cell, inputSize: w.inputSize, hiddenSize: w.hiddenSize, numLayers: w.numLayers, seed: 1 }, backend);
  const adam = createOptimizer({ name: 'adam', lr: 1e-3 }, backend, model.params, model.grads);
  const batch = { x, targets: [randomArray(w.batchSize, rng)], batchSize: w.batchSize, seqLen: w.seqLen };
  const train = timeIt(() => trainStep(model, adam, [{ name: 'mse' }], batch), timing);
  adam.dispose();
  model.dispose();
  // measureStream loads the same backend instance, so it runs at the thread count set for this row.
  const stream = await measureStream(backend.name, { cell, inputSize: w.inputSize, hiddenSize: w.hiddenSize, numLayers: w.numLayers }, streamTiming);
  return {
    cell,
    workload: w.name,
    system: label,
    kind: backend.name,
    threads,
    forwardSeqPerSec: (w.batchSize * 1000) / fwd.medianMs,
    forwardBackwardSeqPerSec: (w.batchSize * 1000) / fb.medianMs,
    trainSeqPerSec: (w.batchSize * 1000) / train.medianMs,
    streamUs: stream.usPerStep,
    gflops: forwardBackwardFlops(cell, w) / (fb.medianMs * 1e6),
    note: `${fwd.runs}+${fb.runs}+${train.runs} runs; stream ${stream.fused ? 'fused' : 'per-layer kernels'}`,
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
    kind: 'reference',
    threads: 1,
    forwardSeqPerSec: (B * 1000) / fwd.medianMs,
    forwardBackwardSeqPerSec: (B * 1000) / fb.medianMs,
    trainSeqPerSec: null,
    streamUs: null,
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
      kind: 'pytorch',
      threads: r.threads,
      forwardSeqPerSec: (w.batchSize * 1000) / r.forwardMs,
      forwardBackwardSeqPerSec: (w.batchSize * 1000) / r.forwardBackwardMs,
      trainSeqPerSec: (w.batchSize * 1000) / r.trainMs,
      streamUs: r.streamUs ?? null,
      gflops: forwardBackwardFlops(r.cell, w) / (r.forwardBackwardMs * 1e6),
      note: 'tuned',
    };
  });
}

const fmt = (v: number | null | undefined): string =>
  v === null || v === undefined ? 'n/a' : v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toPrecision(3);

const rows: Row[] = [];
const backends = await availableBackends();
const allThreads = cpus().length;
const threadCounts = [...new Set([1, allThreads])];
const infos: string[] = [];
for (const backend of backends) {
  const info = backend.info();
  infos.push(`${info.name}: ${info.variant}, ${info.threads} threads`);
}
const nativeVariant = backends.find((b) => b.name === 'native')?.info().variant ?? null;
// The reference benchmark borrows a layer only to get PyTorch-style initial weights by name.
const REFERENCE_SHAPES = backends.find((b) => b.name === 'wasm') ?? backends[0];
for (const cell of cells)
  for (const w of WORKLOADS) {
    for (const backend of backends) {
      if (backend.name === 'native') {
        for (const t of threadCounts) {
          backend.setThreads(t);
          rows.push(await benchBackend(cell, w, backend, `native ${nativeVariant} (${t} thr)`, t));
        }
        backend.setThreads(allThreads);
      } else rows.push(await benchBackend(cell, w, backend, 'wasm simd128', 1));
      console.error(`done ${cell} ${w.name} ${backend.name}`);
    }
    rows.push(benchReference(cell, w));
    console.error(`done ${cell} ${w.name} reference`);
  }
const messages: string[] = [];
const torchPython = args.has('--no-torch') && !args.has('--peers') ? null : findTorchPython();
if (!args.has('--no-torch')) {
  if (!torchPython) messages.push('PyTorch: skipped (no python3 with torch found; set SEQCAST_BENCH_PYTHON)');
  else {
    try {
      rows.push(...torchRows(runPytorch(torchPython, cells, WORKLOADS, threadCounts, quick ? { minSeconds: 0.3, minRuns: 3 } : { minSeconds: 0.7 })));
      console.error('done PyTorch');
    } catch (e) {
      messages.push(`PyTorch: skipped (${(e as Error).message})`);
    }
  }
}

let peers: PeerResult[] = [];
if (args.has('--peers')) {
  const r = runPeers(WORKLOADS, peerBudget, torchPython);
  peers = r.results;
  messages.push(...r.messages);
}

let memory: MemoryReport | null = null;
if (!args.has('--no-memory') && backends.some((b) => b.name === 'native')) {
  try {
    memory = measureTrainingMemory('lstm', WORKLOADS[2], 'native');
  } catch (e) {
    messages.push(`memory: not measured (${(e as Error).message})`);
  }
}

// Forecaster.update() per observation (issue #6), on every backend, both modes.
const forecasterUpdates: Array<ForecasterUpdateTiming & { backend: string }> = [];
for (const b of backends)
  for (const streaming of [true, false]) forecasterUpdates.push({ backend: b.name, ...(await measureForecasterUpdate(b.name, streaming)) });

/** Lever by lever on native LSTM, one thread: each SIMD variant's training step and inference, and the streaming step fused vs per-layer kernels. */
async function ablation(): Promise<string[]> {
  const native = backends.find((b) => b.name === 'native');
  if (!native || !('setVariant' in native) || !('variants' in native)) return ['ablation: skipped (no native backend)'];
  const nb = native as Backend & { setVariant(v: string): void; variants(): string[] };
  const best = nb.info().variant;
  const lines = ['| workload | lever | train seq/s | infer seq/s | stream us/step |', '|---|---|---:|---:|---:|'];
  native.setThreads(1);
  for (const w of WORKLOADS) {
    for (const v of nb.variants()) {
      nb.setVariant(v);
      const r = await benchBackend('lstm', w, native, v, 1);
      lines.push(`| ${w.name} | SIMD ${v}${v === best ? ' (dispatched)' : ''} | ${fmt(r.trainSeqPerSec)} | ${fmt(r.forwardSeqPerSec)} | ${fmt(r.streamUs)} |`);
    }
    nb.setVariant(best);
    const f = measureFacadeLevers('lstm', w, native, quick ? 300 : 1500, quick ? 3 : 5);
    lines.push(`| ${w.name} | forward saving for backward | | ${fmt(f.inferSaving)} | |`);
    lines.push(`| ${w.name} | forward noGrad (inference only) | | ${fmt(f.inferNoGrad)} | |`);
    lines.push(`| ${w.name} | fwd+bwd, full output and dx (train column: fwd+bwd) | ${fmt(f.trainFull)} | | |`);
    lines.push(`| ${w.name} | fwd+bwd, last step only, no dx | ${fmt(f.trainLastOnly)} | | |`);
    const shape = { cell: 'lstm' as const, inputSize: w.inputSize, hiddenSize: w.hiddenSize, numLayers: w.numLayers };
    for (const fused of [true, false]) {
      const s = await measureStream('native', shape, { ...streamTiming, fused });
      const ran = s.fused ? 'fused one-call step' : 'per-layer kernels at T=1';
      const label = fused && !s.fused ? `${ran} (fused asked for: this addon has no fused step)` : ran;
      lines.push(`| ${w.name} | stream ${label} | | | ${fmt(s.usPerStep)} |`);
    }
    console.error(`done ablation ${w.name}`);
  }
  native.setThreads(allThreads);
  return lines;
}
const ablationLines = args.has('--ablation') ? await ablation() : [];

const windows = await benchWindows();
const elapsedS = (performance.now() - started) / 1000;

const machine = `${cpus()[0]?.model ?? 'unknown CPU'} x${allThreads}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}`;
const date = new Date().toISOString();
const command = `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`;
console.log(`seqcast bench, ${date.slice(0, 10)}, ${machine}`);
console.log(`command: ${command} (${elapsedS.toFixed(0)} s)`);
console.log(`backends: ${infos.join('; ')}`);
for (const m of messages) console.log(m);
console.log(
  `data: windowing ${windows.points.toLocaleString('en-US')} points into lookback-${windows.lookback} windows: ` +
    `${windows.ms.toFixed(0)} ms into reused buffers, ${windows.freshMs.toFixed(0)} ms allocating a fresh output (medians)`,
);
console.log('');
console.log('| cell | workload | system | infer seq/s | fwd+bwd seq/s | train step seq/s | stream us/step | fwd+bwd GFLOP/s | train vs best PyTorch | note |');
console.log('|---|---|---|---:|---:|---:|---:|---:|---:|---|');
for (const cell of cells)
  for (const w of WORKLOADS) {
    const mine = rows.filter((r) => r.cell === cell && r.workload === w.name);
    const torchBest = Math.max(0, ...mine.filter((r) => r.kind === 'pytorch').map((r) => r.trainSeqPerSec ?? 0));
    for (const r of mine) {
      const ratio = torchBest > 0 && r.trainSeqPerSec !== null ? `${(r.trainSeqPerSec / torchBest).toFixed(2)}x` : 'n/a';
      console.log(
        `| ${cell} | ${r.workload} | ${r.system} | ${fmt(r.forwardSeqPerSec)} | ${fmt(r.forwardBackwardSeqPerSec)} | ${fmt(r.trainSeqPerSec)} | ` +
          `${fmt(r.streamUs)} | ${fmt(r.gflops)} | ${ratio} | ${r.note} |`,
      );
    }
  }

// ---- One object per workload and system: each system at its best thread count per measure.
interface SystemResult {
  train_seq_per_s?: number;
  infer_seq_per_s?: number;
  stream_us_per_step?: number;
  /** The thread count of the best training figure (inference only: of the best inference). */
  threads: number;
  /** When the best of each measure came at different thread counts. */
  threads_by_measure?: { train?: number; infer?: number; stream?: number };
  train_gflop_per_s?: number;
  notes?: string[];
}

function bestOf(
  cands: Array<{ threads: number; train?: number | null; infer?: number | null; stream?: number | null; notes?: string[] }>,
  cell: CellKind,
  w: Workload,
): SystemResult | null {
  if (cands.length === 0) return null;
  const pick = (key: 'train' | 'infer' | 'stream', better: (a: number, b: number) => boolean) =>
    cands.reduce<(typeof cands)[number] | null>((best, c) => {
      const v = c[key];
      if (v === null || v === undefined || !Number.isFinite(v)) return best;
      return best === null || better(v, best[key]!) ? c : best;
    }, null);
  const train = pick('train', (a, b) => a > b);
  const infer = pick('infer', (a, b) => a > b);
  const stream = pick('stream', (a, b) => a < b);
  const out: SystemResult = { threads: (train ?? infer ?? stream ?? cands[0]).threads };
  if (train) {
    out.train_seq_per_s = train.train!;
    out.train_gflop_per_s = (trainFlops(cell, w) / w.batchSize) * train.train! * 1e-9;
  }
  if (infer) out.infer_seq_per_s = infer.infer!;
  if (stream) out.stream_us_per_step = stream.stream!;
  const byMeasure = { train: train?.threads, infer: infer?.threads, stream: stream?.threads };
  if (new Set(Object.values(byMeasure).filter((v) => v !== undefined)).size > 1) out.threads_by_measure = byMeasure;
  // The notes of the runs quoted, each tagged with its thread count when the runs had different ones.
  const quoted = [...new Set([train, infer, stream].filter((c) => c !== null))];
  const tag = quoted.length > 1 && out.threads_by_measure !== undefined;
  const notes = [...new Set(quoted.flatMap((c) => (c.notes ?? []).map((n) => (tag ? `${c.threads} thr: ${n}` : n))))];
  if (notes.length) out.notes = notes;
  return out;
}

const SYSTEMS = ['native', 'wasm', 'pytorch', 'tfjs-wasm', 'tfjs-cpu', 'brainjs', 'onnxruntime'] as const;
type SystemName = (typeof SYSTEMS)[number];

function resultsFor(cell: CellKind): Record<string, Partial<Record<SystemName, SystemResult>>> {
  const out: Record<string, Partial<Record<SystemName, SystemResult>>> = {};
  for (const w of WORKLOADS) {
    const bySystem: Partial<Record<SystemName, SystemResult>> = {};
    for (const system of SYSTEMS) {
      const cands =
        system === 'native' || system === 'wasm' || system === 'pytorch'
          ? rows
              .filter((r) => r.cell === cell && r.workload === w.name && r.kind === system)
              .map((r) => ({ threads: r.threads, train: r.trainSeqPerSec, infer: r.forwardSeqPerSec, stream: r.streamUs }))
          : cell === 'lstm'
            ? peers
                .filter((p) => p.system === system && p.workload === w.name)
                .map((p) => ({ threads: p.threads, train: p.train_seq_per_s, infer: p.infer_seq_per_s, stream: p.stream_us_per_step, notes: p.notes }))
            : [];
      const best = bestOf(cands, cell, w);
      if (best) bySystem[system] = best;
    }
    out[w.name] = bySystem;
  }
  return out;
}

const results = Object.fromEntries(cells.map((c) => [c, resultsFor(c)]));

if (peers.length > 0 && results.lstm) {
  console.log('');
  console.log('LSTM against every peer, each at its best thread count per measure (ratios: native best / peer; stream: peer us / native us)');
  console.log('');
  console.log('| workload | system | threads | train seq/s | infer seq/s | stream us/step | native train / this | native infer / this | this stream / native | notes |');
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const w of WORKLOADS) {
    const r = results.lstm[w.name];
    const nat = r.native;
    const ratio = (a?: number, b?: number): string => (a && b ? `${(a / b).toFixed(2)}x` : 'n/a');
    for (const system of SYSTEMS) {
      const s = r[system];
      if (!s) continue;
      console.log(
        `| ${w.name} | ${system} | ${s.threads_by_measure ? JSON.stringify(s.threads_by_measure).replace(/"/g, '') : s.threads} | ` +
          `${fmt(s.train_seq_per_s)} | ${fmt(s.infer_seq_per_s)} | ${fmt(s.stream_us_per_step)} | ${ratio(nat?.train_seq_per_s, s.train_seq_per_s)} | ` +
          `${ratio(nat?.infer_seq_per_s, s.infer_seq_per_s)} | ${ratio(s.stream_us_per_step, nat?.stream_us_per_step)} | ${(s.notes ?? []).join('; ')} |`,
      );
    }
  }
}

// ---- Issue #8's targets, each checked where both sides were measured in this run.
const targets: Array<{ target: string; measured: string; met: boolean }> = [];
const check = (target: string, value: number | undefined, bound: number | undefined, atLeast: boolean, unit = 'x'): void => {
  if (value === undefined || bound === undefined) return;
  const met = atLeast ? value >= bound : value <= bound;
  targets.push({ target, measured: `${value.toPrecision(3)}${unit}`, met });
};
for (const cell of cells) {
  const r = results[cell];
  const nativeOneThread = (w: string): number | undefined =>
    rows.find((x) => x.cell === cell && x.workload === w && x.kind === 'native' && x.threads === 1)?.trainSeqPerSec ?? undefined;
  const div = (a?: number, b?: number): number | undefined => (a !== undefined && b ? a / b : undefined);
  for (const [w, need] of [['W1', 5], ['W2', 2], ['W3', 2]] as const)
    check(`${cell} ${w}: native train >= ${need}x PyTorch`, div(r[w].native?.train_seq_per_s, r[w].pytorch?.train_seq_per_s), need, true);
  for (const w of ['W1', 'W2', 'W3'])
    check(`${cell} ${w}: native infer >= onnxruntime`, div(r[w].native?.infer_seq_per_s, r[w].onnxruntime?.infer_seq_per_s), 1, true);
  check(`${cell} W1 (H=32): stream <= 2 us`, r.W1.native?.stream_us_per_step, 2, false, ' us');
  check(`${cell} W2 (H=128): stream <= 5 us`, r.W2.native?.stream_us_per_step, 5, false, ' us');
  for (const w of ['W1', 'W2'])
    check(`${cell} ${w}: wasm train >= 10x tfjs-wasm`, div(r[w].wasm?.train_seq_per_s, r[w]['tfjs-wasm']?.train_seq_per_s), 10, true);
  check(`${cell} W1: wasm train >= 10x brain.js`, div(r.W1.wasm?.train_seq_per_s, r.W1.brainjs?.train_seq_per_s), 10, true);
  for (const w of ['W1', 'W2', 'W3'])
    check(`${cell} ${w}: wasm train >= 25% of native 1 thread`, div(r[w].wasm?.train_seq_per_s, nativeOneThread(w)), 0.25, true);
}
if (memory) check(`lstm W3: training memory <= 1.10x what BPTT must keep`, memory.ratio, 1.1, false);
console.log('');
console.log(`issue #8 targets measured in this run: ${targets.filter((t) => t.met).length} of ${targets.length} met${quick ? ' (--quick: short timings, indicative only)' : ''}`);
console.log('');
console.log('| target | measured | met |');
console.log('|---|---:|---|');
for (const t of targets) console.log(`| ${t.target} | ${t.measured} | ${t.met ? 'yes' : 'NO'} |`);
if (memory) {
  console.log('');
  for (const line of describeMemory(memory)) console.log(line);
}
console.log('');
console.log('Forecaster.update(): microseconds per observation (3 LSTM(32) networks, horizon 12), early in a feed and after thousands more');
console.log('');
console.log('| backend | mode | early us/update | later us/update | updates between |');
console.log('|---|---|---:|---:|---:|');
for (const u of forecasterUpdates)
  console.log(`| ${u.backend} | ${u.streaming ? 'streaming: true' : 'windowed'} | ${u.earlyUs.toFixed(1)} | ${u.laterUs.toFixed(1)} | ${u.laterAfter} |`);
if (ablationLines.length) {
  console.log('');
  console.log('ablation: native LSTM, 1 thread, one lever changed at a time');
  console.log('');
  for (const line of ablationLines) console.log(line);
}

if (args.has('--json')) {
  const path = fileURLToPath(new URL('./results.json', import.meta.url));
  const { lstm: lstmResults, ...otherCells } = results;
  const json = {
    machine,
    date,
    command,
    quick,
    seconds: Math.round(elapsedS),
    native_variant: nativeVariant,
    workloads: Object.fromEntries(WORKLOADS.map((w) => [w.name, w])),
    // The systems on LSTM, the one cell every peer has; GRU and RNN (native, wasm, pytorch) below.
    results: lstmResults ?? {},
    other_cells: otherCells,
    memory,
    forecaster_update: forecasterUpdates,
    targets,
    messages,
  };
  writeFileSync(path, `${JSON.stringify(json, null, 2)}\n`);
  console.log(`\nwrote ${path}`);
}
