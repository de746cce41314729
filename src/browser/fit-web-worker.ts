// The Web Worker side of fit() in the browser: instantiates the WASM module the page sent, then runs
// the job exactly as the Node worker thread does (train/fit-job.ts), posting the same messages.
import { runFitJob } from '../train/fit-job.js';
import type { FitMessage } from '../train/fit.js';
import { loadBackend, setWasmSource } from './select.js';
import type { WebFitRequest } from './fit-thread.js';

// The worker's global scope, typed by hand: the project's lib is DOM, not WebWorker.
const scope = globalThis as unknown as {
  onmessage: ((e: MessageEvent<WebFitRequest>) => void) | null;
  postMessage(m: FitMessage): void;
};

scope.onmessage = async (e) => {
  const { job, module } = e.data;
  const post = (m: FitMessage): void => scope.postMessage(m);
  try {
    setWasmSource(module);
    runFitJob(job, await loadBackend({ backend: 'wasm' }), post);
  } catch (err) {
    const error = err as Error;
    post({ type: 'error', name: error.name, message: error.message, where: null, params: job.params });
  }
};
