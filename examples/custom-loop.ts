// The low-level layer with a training loop written out by hand: an LSTM learns to continue a noisy
// sine wave with plain SGD on the flat parameter buffer. examples/quickstart.ts does the same with
// SequenceModel.fit(); this shows what it stands on.
//
//   npx tsx examples/custom-loop.ts
import { Recurrent, backendInfo } from '../src/index.js';
import { Rng } from '../src/random.js';

const info = await backendInfo();
console.log(`backend: ${info.name} (${info.variant}, ${info.threads} thread${info.threads > 1 ? 's' : ''})`);

const rng = new Rng(42);
const seqLen = 24;
const batchSize = 32;
const hiddenSize = 16;
const lstm = await Recurrent.create({ cell: 'lstm', inputSize: 1, hiddenSize, seed: 7 });
// A linear head on the last hidden state: y = w·h_T + b.
const head = { w: new Float32Array(hiddenSize).map(() => rng.uniform(-0.25, 0.25)), b: 0 };

/** A batch of windows of sin(t) with a little noise; the target is the next value. */
function batch(): { x: Float32Array; y: Float32Array } {
  const x = new Float32Array(batchSize * seqLen);
  const y = new Float32Array(batchSize);
  for (let b = 0; b < batchSize; b++) {
    const start = rng.uniform(0, 2 * Math.PI);
    for (let t = 0; t < seqLen; t++) x[b * seqLen + t] = Math.sin(start + 0.3 * t) + rng.uniform(-0.02, 0.02);
    y[b] = Math.sin(start + 0.3 * seqLen);
  }
  return { x, y };
}

const lr = 0.1;
const started = performance.now();
for (let step = 0; step <= 400; step++) {
  const { x, y } = batch();
  const { output } = lstm.forward(x, { batchSize, seqLen });
  // Mean squared error on the head's prediction from the last step, and its gradient.
  const dOutput = new Float32Array(output.length);
  const dW = new Float32Array(hiddenSize);
  let dB = 0;
  let loss = 0;
  for (let b = 0; b < batchSize; b++) {
    const last = (b * seqLen + seqLen - 1) * hiddenSize;
    let pred = head.b;
    for (let k = 0; k < hiddenSize; k++) pred += head.w[k] * output[last + k];
    const err = pred - y[b];
    loss += (err * err) / batchSize;
    const g = (2 * err) / batchSize;
    dB += g;
    for (let k = 0; k < hiddenSize; k++) {
      dW[k] += g * output[last + k];
      dOutput[last + k] = g * head.w[k];
    }
  }
  lstm.zeroGrad();
  lstm.backward({ dOutput });
  // SGD over the flat parameter buffer: one loop, since parameters and gradients share one layout.
  const p = lstm.params.array;
  const g = lstm.grads.array;
  for (let i = 0; i < p.length; i++) p[i] -= lr * g[i];
  for (let k = 0; k < hiddenSize; k++) head.w[k] -= lr * dW[k];
  head.b -= lr * dB;
  if (step % 50 === 0) console.log(`step ${String(step).padStart(3)}  mse ${loss.toFixed(5)}`);
}
const seconds = (performance.now() - started) / 1000;
console.log(`trained 401 batches of ${batchSize} sequences in ${seconds.toFixed(2)} s`);
lstm.dispose();
