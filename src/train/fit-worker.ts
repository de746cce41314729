// Worker-thread side of fit(): rebuilds the model on the same backend from its options and current
// weights, runs the synchronous loop, and posts progress, then the trained weights. The caller's
// event loop never waits on a kernel.
import { parentPort, workerData } from 'node:worker_threads';
import { loadBackend } from '../backend/select.js';
import { SequenceModel } from '../model/sequence-model.js';
import { DivergenceError, fitLoop } from './fit-loop.js';
import type { FitJob, FitMessage } from './fit.js';

const job = workerData as FitJob;
const post = (m: FitMessage): void => parentPort!.postMessage(m);
const model = new SequenceModel(job.modelOptions, await loadBackend({ backend: job.backend, threads: job.threads }));
model.params.array.set(job.params);
const stop = new Int32Array(job.stop);
try {
  const result = fitLoop(model, job.train, job.validation, job.loop, {
    progress: (event) => post({ type: 'progress', event }),
    cancelled: () => Atomics.load(stop, 0) === 1,
  });
  post({ type: 'done', result, params: model.params.array });
} catch (e) {
  const err = e as Error;
  post({
    type: 'error',
    name: err.name,
    message: err.message,
    where: e instanceof DivergenceError ? { epoch: e.epoch, batch: e.batch } : null,
    params: model.params.array,
  });
} finally {
  model.dispose();
}
