// Browser twin of train/fit-thread.ts (the browser build puts it in that file's place): fit() runs
// the same job in a Web Worker (fit-web-worker.ts), which instantiates the page's compiled WASM module
// again, so the page never waits on a kernel. The worker is created by a factory the browser entry
// sets, because the bundler finds a worker only in a literal `new Worker(new URL(...))`, and the
// worker's own module graph, which contains this file, must not start workers itself.
import type { Backend } from '../backend/types.js';
import type { WasmBackend } from '../backend/wasm.js';
import type { FitJob, FitListeners, FitMessage, FitThread } from '../train/fit.js';
import type { FitResult } from '../train/fit-loop.js';

/** What the page sends the training worker. */
export interface WebFitRequest {
  job: FitJob;
  module: WebAssembly.Module;
}

let createWorker: (() => Worker) | null = null;

/** How training workers are made: the browser entry sets this, pages served from elsewhere may replace it. */
export function setFitWorkerFactory(factory: () => Worker): void {
  if (typeof factory !== 'function') throw new TypeError(`setFitWorkerFactory: expected a function returning a Worker, got ${typeof factory}`);
  createWorker = factory;
}

const CANCELLED: FitResult = { epochs: 0, history: { loss: [], valLoss: [] }, bestEpoch: null, stoppedEarly: false, cancelled: true };

export function startFitThread(job: FitJob, backend: Backend, on: FitListeners): FitThread {
  const module = (backend as WasmBackend).module;
  if (backend.name !== 'wasm' || !module) throw new Error('fit: in the browser a model trains on the WebAssembly backend loaded by seqcast/browser');
  if (!createWorker) throw new Error('fit: no training worker; import seqcast from its browser entry (seqcast/browser), which sets one up');
  const worker = createWorker();
  let finished = false;
  worker.onmessage = (e: MessageEvent<FitMessage>) => {
    if (e.data.type !== 'progress') finished = true;
    on.message(e.data);
  };
  worker.onerror = (e: ErrorEvent) => {
    e.preventDefault();
    finished = true;
    on.failed(new Error(`fit: the training worker failed: ${e.message || 'it could not be loaded (check that its script is served)'}`));
  };
  worker.onmessageerror = () => {
    finished = true;
    on.failed(new Error('fit: a message from the training worker could not be read'));
  };
  worker.postMessage({ job, module } satisfies WebFitRequest);
  return {
    cancel: () => {
      if (job.stop) {
        Atomics.store(new Int32Array(job.stop), 0, 1);
        return;
      }
      // No SharedArrayBuffer (the page is not cross-origin isolated): the synchronous loop cannot be
      // asked to stop, so the worker ends now and the model keeps the weights it had before fit().
      worker.terminate();
      if (!finished) {
        finished = true;
        on.message({ type: 'done', result: CANCELLED, params: job.params });
      }
    },
    terminate: async () => {
      worker.terminate();
    },
  };
}
