// Worker-thread side of fit() in Node: loads the same backend by name and runs the job (fit-job.ts).
// The caller's event loop never waits on a kernel.
import { parentPort, workerData } from 'node:worker_threads';
import { loadBackend } from '../backend/select.js';
import { runFitJob } from './fit-job.js';
import type { FitJob, FitMessage } from './fit.js';

const job = workerData as FitJob;
runFitJob(job, await loadBackend({ backend: job.backend, threads: job.threads }), (m: FitMessage) => parentPort!.postMessage(m));
