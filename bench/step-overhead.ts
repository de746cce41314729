// `npx tsx bench/step-overhead.ts [--cells rnn,lstm,gru] [--rounds 41] [--steps 200] [--backend native|wasm] [--baseline <dir>]`:
// what one training step costs beyond its kernels (issue #8). At W1 (I=1 H=32 T=24 B=32) a step's
// arithmetic is tiny, so argument checks, layout copies and allocations around the kernels decide
// the bench's train seq/s. Prints, per cell, the median ms of
//   step      trainStep (forward + MSE on Linear(H,1) over the last step + backward + Adam), as bench/run.ts times it
//   kernels   the same backend kernel calls (with their argument checks) on buffers of the same shapes
//   raw       native only: the same calls straight into the addon, no checks
// and overhead = step - kernels. Every figure is a median over rounds of `steps` calls each after a
// long warm-up (V8 must have optimized the code), and the three are interleaved round by round so a
// noisy neighbour hits them alike. Native runs at 1 thread, as the bench's 1-thread row.
// --baseline <dir>: also time trainStep of another copy of the sources (for example the last commit:
// `git archive HEAD src | tar -x -C <dir>`) in the same process, interleaved round by round, and
// print both with their ratio: an A/B that a busy machine cannot skew towards one side.
import { SequenceModel } from '../src/model/sequence-model.js';
import { createOptimizer } from '../src/train/optimizers.js';
import { trainStep } from '../src/train/step.js';
import { loadBackend } from '../src/backend/select.js';
import type { Backend, CellDims, F32Buffer } from '../src/backend/types.js';
import { backwardChunkSteps, forwardScratch, GATES, type CellKind } from '../src/layout/cells.js';
import { paramLayout } from '../src/layout/params.js';
import { Rng } from '../src/random.js';
import { WORKLOADS } from './workloads.js';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const argv = process.argv.slice(2);
const opt = (name: string, fallback: string): string => (argv.includes(name) ? argv[argv.indexOf(name) + 1] ?? fallback : fallback);
const cells = opt('--cells', 'rnn,lstm,gru').split(',') as CellKind[];
const rounds = Number(opt('--rounds', '41'));
const steps = Number(opt('--steps', '200'));
const backendName = opt('--backend', 'native') as 'native' | 'wasm';
const w = WORKLOADS.find((x) => x.name === opt('--workload', 'W1'))!;
const baseline = argv.includes('--baseline') ? resolve(opt('--baseline', '')) : null;

function randomArray(n: number, rng: Rng): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.uniform(-1, 1);
  return a;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * The kernel calls of one training step of a 1-layer unidirectional model with one Linear(H,1) head
 * on the last step: cell forward, linear forward, linear backward, cell backward, grad norm, Adam.
 * `checked` goes through the Backend (size checks included); `raw` calls the native addon directly.
 */
function kernelStep(backend: Backend, cell: CellKind, model: SequenceModel) {
  const { inputSize: I, hiddenSize: H } = w;
  const { seqLen: T, batchSize: B } = w;
  const d: CellDims = { T, B, I, H };
  const G = GATES[cell];
  const buf = (n: number): F32Buffer => backend.alloc(n);
  const layout = paramLayout({ cell, inputSize: I, hiddenSize: H, numLayers: 1, bidirectional: false });
  const part = (b: F32Buffer, name: string): F32Buffer => {
    const e = layout.byName.get(name)!;
    return b.sub(e.offset, e.length);
  };
  const p = { w_ih: part(model.params, 'weight_ih_l0'), w_hh: part(model.params, 'weight_hh_l0'), b_ih: part(model.params, 'bias_ih_l0'), b_hh: part(model.params, 'bias_hh_l0') };
  const g = { dw_ih: part(model.grads, 'weight_ih_l0'), dw_hh: part(model.grads, 'weight_hh_l0'), db_ih: part(model.grads, 'bias_ih_l0'), db_hh: part(model.grads, 'bias_hh_l0') };
  const x = buf(T * B * I);
  x.array.set(randomArray(T * B * I, new Rng(3)));
  const h = buf(T * B * H);
  const saved = cell === 'lstm' ? { c: buf(T * B * H), gates: buf(T * B * 4 * H) } : cell === 'gru' ? { gates: buf(T * B * 3 * H), hn: buf(T * B * H) } : {};
  const w_t = buf(forwardScratch(cell, d));
  const Tc = backwardChunkSteps(T, B); // backward keeps gate gradients for Tc steps at a time
  const scratch = { dgates: buf(Tc * B * G * H), dh_next: buf(B * H), dc_next: buf(B * H), dgates_hn: buf(Tc * B * H) };
  const dh = buf(T * B * H);
  const dx = buf(T * B * I);
  const last = buf(B * H);
  const dlast = buf(B * H);
  const y = buf(B);
  const dy = buf(B);
  const hw = model.params.sub(model.params.length - 32, H); // a head-sized window: only the shape matters here
  const hb = model.params.sub(model.params.length - 16, 1);
  const hdw = buf(H);
  const hdb = buf(1);
  const m = buf(model.params.length);
  const v = buf(model.params.length);
  const adam = { p: model.params, g: model.grads, m, v, vmax: null, lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, stepSize: 1e-3, bc2Sqrt: 0.03, amsgrad: false, decoupled: false };
  const fwd = { ...p, x, lengths: null, h0: null, w_t, h, ...saved };
  const bwd = { ...g, dx, dh0: null, dh, dhT: null, x, lengths: null, h0: null, h, w_ih: p.w_ih, w_hh: p.w_hh, ...saved, ...scratch, c0: null, dc0: null, dcT: null };
  const lin = { N: B, In: H, O: 1 };

  const checked = (): void => {
    if (cell === 'lstm') backend.lstm_forward({ ...fwd, c0: null } as never, d);
    else if (cell === 'gru') backend.gru_forward(fwd as never, d);
    else backend.rnn_forward(fwd, d, 'tanh');
    backend.linear_forward({ y, x: last, w: hw, b: hb }, lin);
    backend.linear_backward({ dx: dlast, dw: hdw, db: hdb, dy, x: last, w: hw }, lin);
    if (cell === 'lstm') backend.lstm_backward(bwd as never, d);
    else if (cell === 'gru') backend.gru_backward(bwd as never, d);
    else backend.rnn_backward(bwd, d, 'tanh');
    backend.grad_norm(model.grads, Infinity);
    backend.adam_step(adam);
  };

  // The addon's positional calls (native/binding/addon.cpp), for the cost without the adapter's checks.
  const addon = (backend as unknown as { addon?: Record<string, (...a: unknown[]) => unknown> }).addon;
  const A = (b: F32Buffer | null | undefined): Float32Array | null => (b ? b.array : null);
  const s = saved as Record<string, F32Buffer>;
  const raw = addon
    ? (): void => {
        if (cell === 'lstm') addon.lstm_forward(A(h), A(s.c), A(s.gates), A(x), null, null, null, A(p.w_ih), A(p.w_hh), A(p.b_ih), A(p.b_hh), A(w_t), T, B, I, H);
        else if (cell === 'gru') addon.gru_forward(A(h), A(s.gates), A(s.hn), A(x), null, null, A(p.w_ih), A(p.w_hh), A(p.b_ih), A(p.b_hh), A(w_t), T, B, I, H);
        else addon.rnn_forward(A(h), A(x), null, null, A(p.w_ih), A(p.w_hh), A(p.b_ih), A(p.b_hh), A(w_t), T, B, I, H, 0);
        addon.linear_forward(A(y), A(last), A(hw), A(hb), B, H, 1);
        addon.linear_backward(A(dlast), A(hdw), A(hdb), A(dy), A(last), A(hw), B, H, 1);
        if (cell === 'lstm')
          addon.lstm_backward(A(dx), null, null, A(g.dw_ih), A(g.dw_hh), A(g.db_ih), A(g.db_hh), A(dh), null, null, A(x), null, null, null, A(h), A(s.c), A(s.gates), A(p.w_ih), A(p.w_hh), A(scratch.dgates), A(scratch.dh_next), A(scratch.dc_next), T, B, I, H);
        else if (cell === 'gru')
          addon.gru_backward(A(dx), null, A(g.dw_ih), A(g.dw_hh), A(g.db_ih), A(g.db_hh), A(dh), null, A(x), null, null, A(h), A(s.gates), A(s.hn), A(p.w_ih), A(p.w_hh), A(scratch.dgates), A(scratch.dgates_hn), A(scratch.dh_next), T, B, I, H);
        else
          addon.rnn_backward(A(dx), null, A(g.dw_ih), A(g.dw_hh), A(g.db_ih), A(g.db_hh), A(dh), null, A(x), null, null, A(h), A(p.w_ih), A(p.w_hh), A(scratch.dgates), A(scratch.dh_next), T, B, I, H, 0);
        addon.grad_norm(A(model.grads), 0);
        addon.adam_step(A(model.params), A(m), A(v), null, A(model.grads), 1e-3, 0.9, 0.999, 1e-8, 0, 1e-3, 0.03, 0);
      }
    : null;
  return { checked, raw };
}

/** ms per call of fn, over one block of `steps` calls. */
function block(fn: () => void): number {
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) fn();
  return (performance.now() - t0) / steps;
}

interface Sources {
  SequenceModel: typeof SequenceModel;
  createOptimizer: typeof createOptimizer;
  trainStep: typeof trainStep;
  loadBackend: typeof loadBackend;
}

async function importSources(root: string): Promise<Sources> {
  const load = (file: string) => import(pathToFileURL(`${root}/src/${file}`).href);
  const [m, o, s, b] = await Promise.all([load('model/sequence-model.ts'), load('train/optimizers.ts'), load('train/step.ts'), load('backend/select.ts')]);
  return { SequenceModel: m.SequenceModel, createOptimizer: o.createOptimizer, trainStep: s.trainStep, loadBackend: b.loadBackend };
}

/** The same model, data and optimizer as bench/run.ts benchBackend's training row; returns one step. */
function trainingStep(src: Sources, backend: Backend, cell: CellKind): { step: () => void; dispose: () => void } {
  const rng = new Rng(1);
  const model = new src.SequenceModel({ cell, inputSize: w.inputSize, hiddenSize: w.hiddenSize, numLayers: w.numLayers, seed: 1 }, backend);
  const adam = src.createOptimizer({ name: 'adam', lr: 1e-3 }, backend, model.params, model.grads);
  const x = randomArray(w.batchSize * w.seqLen * w.inputSize, rng);
  const batch = { x, targets: [randomArray(w.batchSize, rng)], batchSize: w.batchSize, seqLen: w.seqLen };
  return {
    step: () => void src.trainStep(model, adam, [{ name: 'mse' }], batch),
    dispose: () => {
      adam.dispose();
      model.dispose();
    },
  };
}

const here: Sources = { SequenceModel, createOptimizer, trainStep, loadBackend };
const base = baseline ? await importSources(baseline) : null;
const backend = await loadBackend({ backend: backendName });
backend.setThreads(1);
const baseBackend = base ? await base.loadBackend({ backend: backendName }) : null;
baseBackend?.setThreads(1);
console.log(`${backend.info().name} ${backend.info().variant}, 1 thread, ${w.name} (I=${w.inputSize} H=${w.hiddenSize} T=${w.seqLen} B=${w.batchSize}); median of ${rounds} rounds x ${steps} steps`);
if (baseline) console.log(`baseline: ${baseline}`);
console.log(
  '| cell | step ms | kernels ms | raw addon ms | overhead ms (step - kernels) | overhead % | step seq/s |' + (base ? ' baseline step ms | baseline overhead ms | baseline / step |' : ''),
);
console.log('|---|---:|---:|---:|---:|---:|---:|' + (base ? '---:|---:|---:|' : ''));
for (const cell of cells) {
  const mine = trainingStep(here, backend, cell);
  const theirs = base && baseBackend ? trainingStep(base, baseBackend, cell) : null;
  // A second model for the kernel-only calls: they write its parameters, not the timed one's.
  const shadow = new SequenceModel({ cell, inputSize: w.inputSize, hiddenSize: w.hiddenSize, numLayers: w.numLayers, seed: 1 }, backend);
  const k = kernelStep(backend, cell, shadow);
  for (let i = 0; i < 3000; i++) {
    mine.step();
    theirs?.step();
    k.checked();
    k.raw?.();
  }
  const t = { step: [] as number[], base: [] as number[], checked: [] as number[], raw: [] as number[] };
  for (let r = 0; r < rounds; r++) {
    t.step.push(block(mine.step));
    if (theirs) t.base.push(block(theirs.step));
    t.checked.push(block(k.checked));
    if (k.raw) t.raw.push(block(k.raw));
  }
  const s = median(t.step);
  const c = median(t.checked);
  const raw = k.raw ? median(t.raw).toFixed(4) : '-';
  const b = theirs ? median(t.base) : 0;
  const vs = theirs ? ` ${b.toFixed(4)} | ${(b - c).toFixed(4)} | ${(b / s).toFixed(2)}x |` : '';
  console.log(`| ${cell} | ${s.toFixed(4)} | ${c.toFixed(4)} | ${raw} | ${(s - c).toFixed(4)} | ${(((s - c) / s) * 100).toFixed(0)} % | ${Math.round((w.batchSize * 1000) / s)} |${vs}`);
  mine.dispose();
  theirs?.dispose();
  shadow.dispose();
}
