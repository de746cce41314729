// `npx tsx bench/interleaved.ts [cell] [workload] [threads]` (defaults lstm W3 2): the recurrent
// stack's forward+backward and a full training step (Linear head on the last step, MSE, Adam) timed
// alternately in one process, three rounds, so that machine noise hits both alike. Used to check
// whether a gap between the two columns of bench/RESULTS.md is real.
import { Recurrent } from '../src/model/recurrent.js';
import { SequenceModel } from '../src/model/sequence-model.js';
import { createOptimizer } from '../src/train/optimizers.js';
import { trainStep } from '../src/train/step.js';
import { loadBackend } from '../src/backend/select.js';
import { CELL_KINDS, type CellKind } from '../src/layout/cells.js';
import { Rng } from '../src/random.js';
import { timeIt } from './timer.js';
import { WORKLOADS } from './workloads.js';

const [cellArg = 'lstm', workloadArg = 'W3', threadsArg = '2'] = process.argv.slice(2);
const cell = cellArg as CellKind;
if (!CELL_KINDS.includes(cell)) throw new RangeError(`cell must be one of ${CELL_KINDS.join(', ')}, got '${cellArg}'`);
const w = WORKLOADS.find((x) => x.name === workloadArg);
if (!w) throw new RangeError(`workload must be one of ${WORKLOADS.map((x) => x.name).join(', ')}, got '${workloadArg}'`);
const backend = await loadBackend({ threads: Number(threadsArg) });
const rng = new Rng(1);
const x = Float32Array.from({ length: w.batchSize * w.seqLen * w.inputSize }, () => rng.uniform(-1, 1));
const dOutput = Float32Array.from({ length: w.batchSize * w.seqLen * w.hiddenSize }, () => rng.uniform(-1, 1));
const opts = { batchSize: w.batchSize, seqLen: w.seqLen };
const cfg = { cell, inputSize: w.inputSize, hiddenSize: w.hiddenSize, numLayers: w.numLayers, seed: 1 };
const layer = new Recurrent(cfg, backend);
const model = new SequenceModel(cfg, backend);
const adam = createOptimizer({ name: 'adam', lr: 1e-3 }, backend, model.params, model.grads);
const batch = { x, targets: [new Float32Array(w.batchSize)], batchSize: w.batchSize, seqLen: w.seqLen };
const info = backend.info();
console.log(`${cell} ${w.name}, ${info.name} ${info.variant}, ${info.threads} threads: ms per batch (seq/s)`);
for (let round = 1; round <= 3; round++) {
  const fb = timeIt(() => {
    layer.forward(x, opts);
    layer.backward({ dOutput });
  }).medianMs;
  const train = timeIt(() => trainStep(model, adam, [{ name: 'mse' }], batch)).medianMs;
  const rate = (ms: number): string => `${ms.toFixed(1)} (${Math.round((w.batchSize * 1000) / ms)})`;
  console.log(`round ${round}: fwd+bwd ${rate(fb)}, train step ${rate(train)}`);
}
adam.dispose();
model.dispose();
layer.dispose();
