// Node side of fit(): starts the training worker thread (fit-worker.ts) and relays its messages.
// The browser build replaces this file with browser/fit-thread.ts, which starts a Web Worker instead.
import { Worker } from 'node:worker_threads';
import type { Backend } from '../backend/types.js';
import type { FitJob, FitListeners, FitThread } from './fit.js';

/** The worker: the compiled fit-worker.js, or, when running from TypeScript sources (tests and
 * examples through tsx), a bootstrap that registers tsx in the worker and imports fit-worker.ts. */
function startWorker(job: FitJob): Worker {
  // The worker inherits the process's flags; --input-type (set by `node -e` scripts) is not valid for a file.
  const execArgv = process.execArgv.filter((a) => !a.startsWith('--input-type'));
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./fit-worker.js', import.meta.url), { workerData: job, execArgv });
  const entry = new URL('./fit-worker.ts', import.meta.url).href;
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: job });
}

/** The worker thread loads the backend by name (job.backend), so the Backend object is not needed here. */
export function startFitThread(job: FitJob, _backend: Backend, on: FitListeners): FitThread {
  const worker = startWorker(job);
  worker.on('message', on.message);
  worker.on('error', on.failed);
  worker.on('exit', on.exited);
  const stop = job.stop ? new Int32Array(job.stop) : null;
  return {
    cancel: () => {
      if (stop) Atomics.store(stop, 0, 1);
    },
    terminate: async () => {
      await worker.terminate();
    },
  };
}
