// Quick start: a GRU with a linear head learns to predict the next value of a noisy sine wave.
// Training runs in a worker thread (the event loop stays free) with progress events, a chronological
// validation split and early stopping.
//
//   npm run example                      # native backend when built, else WebAssembly
//   SEQCAST_BACKEND=wasm npm run example
import { SequenceModel, backendInfo } from '../src/index.js';
import { Rng } from '../src/random.js';

const info = await backendInfo();
console.log(`backend: ${info.name} (${info.variant}, ${info.threads} thread${info.threads > 1 ? 's' : ''})`);

// 2,000 windows of 24 steps; the target is the value after each window.
const count = 2000;
const seqLen = 24;
const rng = new Rng(42);
const x = new Float32Array(count * seqLen);
const y = new Float32Array(count);
for (let n = 0; n < count; n++) {
  const start = rng.uniform(0, 2 * Math.PI);
  for (let t = 0; t < seqLen; t++) x[n * seqLen + t] = Math.sin(start + 0.3 * t) + rng.uniform(-0.05, 0.05);
  y[n] = Math.sin(start + 0.3 * seqLen);
}

const model = await SequenceModel.create({ cell: 'gru', inputSize: 1, hiddenSize: 32, seed: 7 });
const started = performance.now();
const result = await model.fit(
  { x, targets: y, count, seqLen },
  {
    epochs: 30,
    batchSize: 32,
    optimizer: { name: 'adam', lr: 0.005 },
    validationSplit: 0.2,
    earlyStopping: { patience: 5 },
    onProgress: (e) => {
      if (e.batch === e.batches && e.epoch % 5 === 0)
        console.log(`epoch ${String(e.epoch).padStart(2)}  loss ${e.loss.toFixed(5)}  val ${e.valLoss?.toFixed(5)}  ${Math.round(e.seqPerSec)} seq/s`);
    },
  },
);
const seconds = (performance.now() - started) / 1000;
console.log(`trained ${result.epochs} epochs in ${seconds.toFixed(2)} s; best validation MSE ${Math.min(...result.history.valLoss).toFixed(5)} at epoch ${result.bestEpoch}`);
const [prediction] = model.predict(x.subarray(0, seqLen), { batchSize: 1, seqLen });
console.log(`next value: predicted ${prediction[0].toFixed(3)}, actual ${y[0].toFixed(3)}`);
model.dispose();
