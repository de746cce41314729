// The worker side of fit(), shared by the Node worker thread (fit-worker.ts) and the browser's Web
// Worker (browser/fit-web-worker.ts): rebuild the model from its options and current weights on the
// given backend, run the synchronous loop, post progress, then the trained (or last good) weights.
import type { Backend } from '../backend/types.js';
import { SequenceModel } from '../model/sequence-model.js';
import { DivergenceError, fitLoop } from './fit-loop.js';
import type { FitJob, FitMessage } from './fit.js';

export function runFitJob(job: FitJob, backend: Backend, post: (m: FitMessage) => void): void {
  const model = new SequenceModel(job.modelOptions, backend);
  model.params.array.set(job.params);
  const stop = job.stop ? new Int32Array(job.stop) : null;
  try {
    const result = fitLoop(model, job.train, job.validation, job.loop, {
      progress: (event) => post({ type: 'progress', event }),
      cancelled: () => stop !== null && Atomics.load(stop, 0) === 1,
    });
    post({ type: 'done', result, params: model.params.array.slice() });
  } catch (e) {
    const err = e as Error;
    post({
      type: 'error',
      name: err.name,
      message: err.message,
      where: e instanceof DivergenceError ? { epoch: e.epoch, batch: e.batch } : null,
      params: model.params.array.slice(),
    });
  } finally {
    model.dispose();
  }
}
