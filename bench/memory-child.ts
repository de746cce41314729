// The child process of bench/memory.ts: loads a backend, resets the process's peak RSS (Linux:
// writing 5 to /proc/self/clear_refs), then builds a SequenceModel with a Linear(H, 1) head and Adam
// and trains a few full steps on one workload. Prints one JSON line: the RSS before the model and the
// peak after training, in bytes.
import { readFileSync, writeFileSync } from 'node:fs';
import { SequenceModel } from '../src/model/sequence-model.js';
import { createOptimizer } from '../src/train/optimizers.js';
import { trainStep } from '../src/train/step.js';
import { loadBackend } from '../src/backend/select.js';
import type { CellKind } from '../src/layout/cells.js';
import { Rng } from '../src/random.js';
import type { Workload } from './workloads.js';

const job = JSON.parse(process.argv[2] ?? '') as { cell: CellKind; workload: Workload; backend: 'native' | 'wasm'; steps: number };
const w = job.workload;

/** A field of /proc/self/status in bytes (VmRSS: now; VmHWM: peak since start or the last reset). */
function status(field: 'VmRSS' | 'VmHWM'): number {
  const m = readFileSync('/proc/self/status', 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
  if (!m) throw new Error(`/proc/self/status has no ${field}`);
  return Number(m[1]) * 1024;
}

const backend = await loadBackend({ backend: job.backend });
const rng = new Rng(1);
const x = Float32Array.from({ length: w.batchSize * w.seqLen * w.inputSize }, () => rng.uniform(-1, 1));
const targets = [Float32Array.from({ length: w.batchSize }, () => rng.uniform(-1, 1))];
let method = 'clear_refs';
try {
  writeFileSync('/proc/self/clear_refs', '5');
} catch {
  method = 'maxrss (could not reset the peak: it includes start-up)';
}
const baselineRssBytes = status('VmRSS');
const model = new SequenceModel({ cell: job.cell, inputSize: w.inputSize, hiddenSize: w.hiddenSize, numLayers: w.numLayers, seed: 1 }, backend);
const adam = createOptimizer({ name: 'adam', lr: 1e-3 }, backend, model.params, model.grads);
const batch = { x, targets, batchSize: w.batchSize, seqLen: w.seqLen };
for (let i = 0; i < job.steps; i++) trainStep(model, adam, [{ name: 'mse' }], batch);
const peakRssBytes = method === 'clear_refs' ? status('VmHWM') : process.resourceUsage().maxRSS * 1024;
console.log(JSON.stringify({ baselineRssBytes, peakRssBytes, threads: backend.info().threads, backend: backend.info().name, method }));
adam.dispose();
model.dispose();
