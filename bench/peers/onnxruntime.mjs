// onnxruntime-node on the bench workloads: inference only (the Node package has no training API).
// The models are torch.nn.LSTM exported by export_onnx.py (job.modelDir/<name>.onnx): one LSTM node
// per layer, ORT's own CPU kernel. infer: session.run on (B, T, I) with zero initial states.
// stream: the same graph at batch 1, one step per run, hn/cn fed back as the next h0/c0.
// Threads: intraOpNumThreads = job.threads (one process per thread count), sequential execution.
import { readFileSync } from 'node:fs';
import { batchWithin, emit, readJob, timeWithin, uniform } from './timing.mjs';

const job = readJob();
const ort = (await import('onnxruntime-node')).default;
const version = JSON.parse(readFileSync(new URL('./node_modules/onnxruntime-node/package.json', import.meta.url), 'utf8')).version;
const threads = job.threads;

for (const w of job.workloads) {
  const session = await ort.InferenceSession.create(`${job.modelDir}/${w.name}.onnx`, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const L = w.numLayers;
  const H = w.hiddenSize;
  const state = (b) => new ort.Tensor('float32', new Float32Array(L * b * H), [L, b, H]);
  const feeds = (b) => ({
    x: new ort.Tensor('float32', uniform(b * w.seqLen * w.inputSize), [b, w.seqLen, w.inputSize]),
    h0: state(b),
    c0: state(b),
  });
  const inferBatch = await batchWithin(w.batchSize, job.budgetMs.infer, (b) => session.run(feeds(b)));
  const full = feeds(inferBatch);
  const infer = await timeWithin(() => session.run(full), { budgetMs: job.budgetMs.infer, warmup: 0 });

  const step = new ort.Tensor('float32', uniform(w.inputSize, 3), [1, 1, w.inputSize]);
  let h = state(1);
  let c = state(1);
  const stream = await timeWithin(
    async () => {
      const out = await session.run({ x: step, h0: h, c0: c });
      h = out.hn;
      c = out.cn;
      out.y.data; // the step's output, read as a streaming caller would
    },
    { budgetMs: job.budgetMs.stream, warmup: 3 },
  );
  emit({
    system: 'onnxruntime',
    workload: w.name,
    threads,
    infer_seq_per_s: (inferBatch * 1000) / infer.medianMs,
    stream_us_per_step: stream.medianMs * 1000,
    version,
    notes: [
      `infer: batch ${inferBatch}${inferBatch < w.batchSize ? ` (time-boxed from ${w.batchSize})` : ''}, ${infer.runs} runs`,
      `stream: batch 1, state fed back, ${stream.runs} steps`,
      'no training API in onnxruntime-node',
    ],
  });
  await session.release();
}
