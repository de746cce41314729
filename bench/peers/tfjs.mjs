// TensorFlow.js (layers API) on the bench workloads, backend 'wasm' or 'cpu' (job.backend).
// train: tf.layers.lstm stack + dense(1) on the last step, MSE, Adam, model.trainOnBatch, the same
// step as PyTorch's and seqcast's. infer: model.predict + dataSync. stream: a stateful LSTM stack at
// batch 1 and one step per predict call, state carried by the layer, output read back.
// Threads: one. In Node, tfjs-backend-wasm reports no multithread support, and forcing the flag fails
// (its threaded build starts its workers from blob: URLs, which Node's Worker rejects); cpu is plain JS.
import { batchWithin, emit, readJob, timeWithin, uniform } from './timing.mjs';

const job = readJob();
const tf = await import('@tensorflow/tfjs');
if (job.backend === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
if (!(await tf.setBackend(job.backend))) throw new Error(`tfjs backend '${job.backend}' did not initialize`);
await tf.ready();
const system = `tfjs-${job.backend}`;
const threads = 1;
const simd = job.backend === 'wasm' ? tf.env().getBool('WASM_HAS_SIMD_SUPPORT') : false;

function buildModel(w, { stateful }) {
  const model = tf.sequential();
  for (let l = 0; l < w.numLayers; l++) {
    const last = l === w.numLayers - 1;
    const shape = stateful ? { batchInputShape: [1, 1, l === 0 ? w.inputSize : w.hiddenSize] } : l === 0 ? { inputShape: [w.seqLen, w.inputSize] } : {};
    // glorotUniform for the recurrent kernel: tfjs's default orthogonal init is slow to build and irrelevant to speed.
    model.add(tf.layers.lstm({ units: w.hiddenSize, returnSequences: !last, stateful, recurrentInitializer: 'glorotUniform', ...shape }));
  }
  if (!stateful) model.add(tf.layers.dense({ units: 1 }));
  return model;
}

for (const w of job.workloads) {
  const notes = [];
  if (job.backend === 'wasm') notes.push(`wasm${simd ? ' simd' : ''}, 1 thread (its threaded build cannot start workers in Node)`);
  const model = buildModel(w, { stateful: false });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'meanSquaredError' });
  const inputs = (b) => tf.tensor3d(uniform(b * w.seqLen * w.inputSize), [b, w.seqLen, w.inputSize]);

  const targets = (b) => tf.tensor2d(uniform(b, 2), [b, 1]);
  const trainAt = async (b) => {
    const [x, y] = [inputs(b), targets(b)];
    await model.trainOnBatch(x, y);
    tf.dispose([x, y]);
  };
  const trainBatch = await batchWithin(w.batchSize, job.budgetMs.train, trainAt);
  const [xb, yb] = [inputs(trainBatch), targets(trainBatch)];
  const train = await timeWithin(() => model.trainOnBatch(xb, yb), { budgetMs: job.budgetMs.train, warmup: 0 });
  notes.push(`train: batch ${trainBatch}${trainBatch < w.batchSize ? ` (time-boxed from ${w.batchSize})` : ''}, ${train.runs} runs`);

  const predict = (m, x) => {
    const y = m.predict(x);
    y.dataSync();
    y.dispose();
  };
  const inferBatch = await batchWithin(w.batchSize, job.budgetMs.infer, (b) => {
    const x = inputs(b);
    predict(model, x);
    x.dispose();
  });
  const xi = inputs(inferBatch);
  const infer = await timeWithin(() => predict(model, xi), { budgetMs: job.budgetMs.infer, warmup: 0 });
  notes.push(`infer: batch ${inferBatch}${inferBatch < w.batchSize ? ` (time-boxed from ${w.batchSize})` : ''}, ${infer.runs} runs`);
  tf.dispose([xb, yb, xi]);
  model.dispose();

  const streamModel = buildModel(w, { stateful: true });
  const step = tf.tensor3d(uniform(w.inputSize, 3), [1, 1, w.inputSize]);
  const stream = await timeWithin(() => predict(streamModel, step), { budgetMs: job.budgetMs.stream, warmup: 3 });
  notes.push(`stream: stateful layers, batch 1, ${stream.runs} steps`);
  step.dispose();
  streamModel.dispose();

  emit({
    system,
    workload: w.name,
    threads,
    train_seq_per_s: (trainBatch * 1000) / train.medianMs,
    infer_seq_per_s: (inferBatch * 1000) / infer.medianMs,
    stream_us_per_step: stream.medianMs * 1000,
    version: tf.version.tfjs,
    notes,
  });
}
