// Peak memory of training, against what BPTT must keep (issue #8: "training W3 needs no more than the
// activations BPTT must keep plus 10 %"). The training runs in a child process (bench/memory-child.ts)
// so its peak is its own: the child resets its peak RSS once the backend is loaded, then builds the
// model and trains a few steps; the growth of the peak is what training needed.
// `npx tsx bench/memory.ts [cell] [workload] [backend]` (defaults lstm W3 native) prints the report.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BACKWARD_CHUNK_ROWS, GATES, backwardChunkSteps, type CellKind } from '../src/layout/cells.js';
import { planStack } from '../src/layout/stack.js';
import { paramLayout } from '../src/layout/params.js';
import { WORKLOADS, type Workload } from './workloads.js';

const FLOAT = 4;

/** Per layer and step, the floats forward must save for backward, besides the layer's output h_t. */
function savedPerStep(cell: CellKind, H: number): number {
  // LSTM: post-activation gates i, f, g, o and the cell state c_t; GRU: gates r, z, n and W_hn h + b_hn.
  if (cell === 'lstm') return GATES.lstm * H + H;
  if (cell === 'gru') return GATES.gru * H + H;
  return 0; // plain RNN: h_t alone gives the derivative of tanh/relu
}

export interface BpttNeed {
  /** What backward reads: every layer's h_t and saved gates/states at every step, plus the input x. */
  activationsBytes: number;
  /** Parameters, their gradients and Adam's two moments (4 copies), the recurrent stack plus a Linear(H, 1) head. */
  parameterBytes: number;
  totalBytes: number;
  /** The same need broken down as the issue states it, for printing. */
  formula: string;
}

/** The memory BPTT must keep to train `cell` on workload w with Adam, from the shapes alone. */
export function bpttNeed(cell: CellKind, w: Workload): BpttNeed {
  const { seqLen: T, batchSize: B, inputSize: I, hiddenSize: H, numLayers: L } = w;
  const perStep = H + savedPerStep(cell, H);
  const activations = L * T * B * perStep + T * B * I;
  const params = paramLayout({ cell, inputSize: I, hiddenSize: H, numLayers: L, bidirectional: false }).total + H + 1;
  return {
    activationsBytes: activations * FLOAT,
    parameterBytes: 4 * params * FLOAT,
    totalBytes: (activations + 4 * params) * FLOAT,
    formula: `L*T*B*${perStep / H}H + T*B*I = ${activations.toLocaleString('en-US')} floats of activations, 4 x ${params.toLocaleString('en-US')} parameters`,
  };
}

/** What the recurrent stack's workspace plans (layout/stack.ts; not its on-demand slices), by slice kind, for explaining a measured peak. */
export function plannedWorkspaceBytes(cell: CellKind, w: Workload): { total: number; slices: Record<string, number> } {
  const { plan: p } = planStack(
    { cell, inputSize: w.inputSize, hiddenSize: w.hiddenSize, numLayers: w.numLayers, directions: 1, dropout: 0 },
    w.batchSize, w.seqLen,
  );
  const slices: Record<string, number> = {};
  for (const [name, { length }] of p.slices) {
    const kind = name.slice(name.indexOf('.') + 1); // l0d0.h -> h; x, h0 ... stay
    slices[kind] = (slices[kind] ?? 0) + length * FLOAT;
  }
  return { total: p.total * FLOAT, slices };
}

export interface MemoryReport {
  cell: CellKind;
  workload: string;
  backend: string;
  threads: number;
  steps: number;
  /** RSS once the backend is loaded, before the model exists. */
  baselineRssBytes: number;
  /** Peak RSS over building the model and training. */
  peakRssBytes: number;
  /** peak - baseline: what training needed. */
  trainingBytes: number;
  need: BpttNeed;
  /** trainingBytes / need.totalBytes; the target is <= 1.10. */
  ratio: number;
  /** How the peak was isolated: 'clear_refs' (peak reset after loading) or 'maxrss' (whole-process peak). */
  method: string;
}

const CHILD = fileURLToPath(new URL('./memory-child.ts', import.meta.url));

/** Trains `steps` steps in a child process and reports its peak RSS against bpttNeed. */
export function measureTrainingMemory(cell: CellKind = 'lstm', w: Workload = WORKLOADS[2], backend = 'native', steps = 3): MemoryReport {
  const r = spawnSync(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify({ cell, workload: w, backend, steps })], {
    encoding: 'utf8',
    cwd: fileURLToPath(new URL('..', import.meta.url)),
  });
  if (r.status !== 0) throw new Error(`memory child failed (exit ${r.status}): ${r.stderr.trim().split('\n').pop()}`);
  const child = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
    baselineRssBytes: number;
    peakRssBytes: number;
    threads: number;
    backend: string;
    method: string;
  };
  const need = bpttNeed(cell, w);
  const trainingBytes = child.peakRssBytes - child.baselineRssBytes;
  return { cell, workload: w.name, steps, ...child, trainingBytes, need, ratio: trainingBytes / need.totalBytes };
}

const MB = (b: number): string => `${(b / 2 ** 20).toFixed(1)} MiB`;

export function describeMemory(m: MemoryReport): string[] {
  const w = WORKLOADS.find((x) => x.name === m.workload)!;
  const ws = plannedWorkspaceBytes(m.cell, w);
  const Tc = backwardChunkSteps(w.seqLen, w.batchSize);
  const slices = Object.entries(ws.slices)
    .filter(([, b]) => b >= 2 ** 20)
    .map(([name, b]) => `${name} ${MB(b)}`)
    .join(', ');
  return [
    `memory: training ${m.cell} ${m.workload} on ${m.backend} (${m.threads} thr, ${m.steps} steps, ${m.method}): peak RSS ${MB(m.peakRssBytes)}, ` +
      `${MB(m.trainingBytes)} above the loaded baseline (${MB(m.baselineRssBytes)})`,
    `memory: BPTT must keep ${MB(m.need.totalBytes)} (${MB(m.need.activationsBytes)} activations + ${MB(m.need.parameterBytes)} params/grads/Adam; ` +
      `${m.need.formula}); measured/needed = ${m.ratio.toFixed(2)} (target <= 1.10: ${m.ratio <= 1.1 ? 'met' : 'NOT met'})`,
    `memory: the recurrent workspace plans ${MB(ws.total)}: ${slices}`,
    `memory: backward keeps the gate gradients (dgates) of ${Tc} of the ${w.seqLen} steps at a time: the weight gradients ` +
      `are products per chunk of ${Tc * w.batchSize} rows (layout/cells.ts backwardChunkSteps: about ${BACKWARD_CHUNK_ROWS})`,
  ];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [cell = 'lstm', name = 'W3', backend = 'native'] = process.argv.slice(2);
  const w = WORKLOADS.find((x) => x.name === name);
  if (!w) throw new RangeError(`workload must be one of ${WORKLOADS.map((x) => x.name).join(', ')}, got '${name}'`);
  for (const line of describeMemory(measureTrainingMemory(cell as CellKind, w, backend))) console.log(line);
}
