// brain.js (recurrent.LSTMTimeStep) on the bench workloads: the closest it can express, and how it differs.
// - No batching: it trains and runs one sequence at a time, so seq/s is sequences through its own loop.
// - train: trainPattern(sequence) = forward over the sequence, next-step prediction loss at EVERY step
//   through its own output layer (outputSize = inputSize), BPTT, and its fixed update rule (RMSProp-like
//   with clipping; it has no Adam). The recurrent work per step is the same LSTM cell as ours.
// - infer: run(sequence), forward over all steps, last output.
// - stream: run([step]) from a zero state: it has no API to carry state between calls, so this is the
//   cost of one step, not a stateful stream.
// - One thread (plain JavaScript); hidden layers [H] or [H, H] for two layers.
import { readFileSync } from 'node:fs';
import { emit, readJob, timeWithin, uniform } from './timing.mjs';

const job = readJob();
const brain = (await import('brain.js')).default;
const version = JSON.parse(readFileSync(new URL('./node_modules/brain.js/package.json', import.meta.url), 'utf8')).version;

/** T steps of I values: numbers for I = 1 (its trainNumbers path), else arrays (its trainArrays path). */
function sequence(w, seed) {
  const flat = uniform(w.seqLen * w.inputSize, seed);
  const steps = [];
  for (let t = 0; t < w.seqLen; t++) {
    const v = Array.from(flat.subarray(t * w.inputSize, (t + 1) * w.inputSize));
    steps.push(w.inputSize === 1 ? v[0] : v);
  }
  return steps;
}

for (const w of job.workloads) {
  const net = new brain.recurrent.LSTMTimeStep({
    inputSize: w.inputSize,
    hiddenLayers: Array.from({ length: w.numLayers }, () => w.hiddenSize),
    outputSize: w.inputSize,
  });
  const seqs = Array.from({ length: 4 }, (_, i) => sequence(w, i + 1));
  // One iteration of train() builds the model, picks its input path and warms up; then trainPattern per sequence.
  net.train([seqs[0]], { iterations: 1, log: false, errorThresh: 0 });
  let i = 0;
  const train = await timeWithin(() => net.trainPattern(seqs[i++ % seqs.length]), { budgetMs: job.budgetMs.train, warmup: 0 });
  const infer = await timeWithin(() => net.run(seqs[i++ % seqs.length]), { budgetMs: job.budgetMs.infer });
  const step = [seqs[0][0]];
  const stream = await timeWithin(() => net.run(step), { budgetMs: job.budgetMs.stream, warmup: 3 });
  emit({
    system: 'brainjs',
    workload: w.name,
    threads: 1,
    train_seq_per_s: 1000 / train.medianMs,
    infer_seq_per_s: 1000 / infer.medianMs,
    stream_us_per_step: stream.medianMs * 1000,
    version,
    notes: [
      `one sequence per call (no batching); train = next-step loss at every step + RMSProp-like update, ${train.runs} sequences`,
      `infer ${infer.runs} sequences`,
      `stream = run() on one step from a zero state (no carried-state API), ${stream.runs} calls`,
    ],
  });
}
