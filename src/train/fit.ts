// fit(): training that never blocks the caller. The loop (fit-loop.ts) runs in a worker on the
// model's own backend (native kernels or WASM), posting progress events; cancellation crosses by a
// shared flag checked between batches (the worker's loop is synchronous, so messages could not reach
// it). The trained weights come back at the end, or the last good ones on an error.
// Portable: the worker itself is started by fit-thread.ts (Node worker_threads), which the browser
// build replaces with browser/fit-thread.ts (a Web Worker); the job and its messages are the same.
import { BusyError } from '../errors.js';
import type { BackendName } from '../backend/types.js';
import type { SequenceModel, SequenceModelOptions } from '../model/sequence-model.js';
import { checkData, splitTail, type Checked, type TrainingData } from './dataset.js';
import { checkLoopOptions, DivergenceError, type FitResult, type LoopOptions, type ProgressEvent } from './fit-loop.js';
import type { LossSpec } from './losses.js';
import type { OptimizerSpec } from './optimizers.js';
import type { ScheduleSpec } from './schedules.js';
import { startFitThread } from './fit-thread.js';

export interface FitOptions {
  epochs: number;
  batchSize?: number;
  /** One loss for every head, or one per head; default MSE. */
  loss?: LossSpec | LossSpec[];
  /** Default Adam with lr 1e-3. */
  optimizer?: OptimizerSpec;
  /** Shuffle samples every epoch (seeded); default true. */
  shuffle?: boolean;
  seed?: number;
  /** clip_grad_norm_ (L2) before every update. */
  clipNorm?: number;
  schedule?: ScheduleSpec;
  /** Stop when the validation loss (training loss without validation) has not improved for `patience` epochs. */
  earlyStopping?: { patience: number; minDelta?: number; restoreBest?: boolean };
  validation?: TrainingData;
  /** Hold out this fraction of the samples, from the end (chronological), for validation. */
  validationSplit?: number;
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
  /** Native kernel threads in the worker; default all cores. */
  threads?: number;
  /** Truncated BPTT: backpropagate through chunks of this many steps, carrying state between them. */
  tbptt?: number;
  /** Carry the recurrent state from each batch to the next (needs shuffle: false); reset every epoch. */
  stateful?: boolean;
}

/** What the worker receives (structured clone). */
export interface FitJob {
  modelOptions: SequenceModelOptions;
  backend: BackendName;
  threads?: number;
  params: Float32Array;
  train: Checked;
  validation: Checked | null;
  loop: LoopOptions;
  /** Set to 1 to stop between batches; null where SharedArrayBuffer is unavailable (a browser page
   * without cross-origin isolation), and then the thread cancels by ending the worker instead. */
  stop: SharedArrayBuffer | null;
}

export type FitMessage =
  | { type: 'progress'; event: ProgressEvent }
  | { type: 'done'; result: FitResult; params: Float32Array }
  | { type: 'error'; name: string; message: string; where: { epoch: number; batch: number } | null; params: Float32Array };

/** What fit() hears from the worker (started by fit-thread.ts, or browser/fit-thread.ts). */
export interface FitListeners {
  message(m: FitMessage): void;
  /** The worker failed outside the loop (it could not start, or threw while loading). */
  failed(e: Error): void;
  /** The worker ended; after a 'done' or 'error' message this is expected. */
  exited(code: number): void;
}

/** A running training worker. */
export interface FitThread {
  /** Asks the loop to stop after the current batch; a 'done' message with cancelled: true follows. */
  cancel(): void;
  terminate(): Promise<void>;
}

const busy = new WeakSet<SequenceModel>();

/** Whether a fit() of this model is under way; its other methods must wait for it. */
export function isFitting(model: SequenceModel): boolean {
  return busy.has(model);
}

export async function fit(model: SequenceModel, data: TrainingData, opts: FitOptions): Promise<FitResult> {
  if (busy.has(model)) throw new BusyError('Model is busy: await the previous fit() before calling fit() again');
  const where = 'fit';
  if (!Number.isInteger(opts?.epochs) || opts.epochs <= 0) throw new RangeError(`${where}: epochs must be a positive integer, got ${opts?.epochs}`);
  const batchSize = opts.batchSize ?? 32;
  if (!Number.isInteger(batchSize) || batchSize <= 0) throw new RangeError(`${where}: batchSize must be a positive integer, got ${batchSize}`);
  const losses = Array.isArray(opts.loss) ? opts.loss : model.heads.map(() => (opts.loss as LossSpec | undefined) ?? { name: 'mse' as const });
  if (losses.length !== model.heads.length)
    throw new RangeError(`${where}: the model has ${model.heads.length} head(s); give one loss or one per head, got ${losses.length}`);
  if (opts.validation && opts.validationSplit !== undefined) throw new RangeError(`${where}: give validation or validationSplit, not both`);
  if (opts.signal?.aborted) throw opts.signal.reason;

  const inputSize = model.options.inputSize;
  let train = checkData(`${where}: data`, data, inputSize, model.targetWidths(data.seqLen));
  let validation: Checked | null = null;
  if (opts.validation) validation = checkData(`${where}: validation`, opts.validation, inputSize, model.targetWidths(opts.validation.seqLen));
  else if (opts.validationSplit !== undefined) ({ train, validation } = splitTail(train, opts.validationSplit));

  const job: FitJob = {
    modelOptions: model.options,
    backend: model.backend.name,
    threads: opts.threads,
    params: model.params.array.slice(),
    train,
    validation,
    loop: {
      epochs: opts.epochs,
      batchSize,
      loss: losses,
      optimizer: opts.optimizer ?? { name: 'adam', lr: 1e-3 },
      shuffle: opts.shuffle ?? !opts.stateful,
      seed: opts.seed ?? 0,
      clipNorm: opts.clipNorm,
      schedule: opts.schedule,
      earlyStopping: opts.earlyStopping,
      tbptt: opts.tbptt,
      stateful: opts.stateful,
    },
    stop: typeof SharedArrayBuffer === 'function' ? new SharedArrayBuffer(4) : null,
  };
  checkLoopOptions(job.loop, train);
  busy.add(model);
  let thread: FitThread | null = null;
  const onAbort = (): void => thread?.cancel();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await new Promise<FitResult>((resolve, reject) => {
      let settled = false;
      thread = startFitThread(job, model.backend, {
        message: (m: FitMessage) => {
          if (m.type === 'progress') {
            opts.onProgress?.(m.event);
            return;
          }
          settled = true;
          model.params.array.set(m.params); // trained, or the last good weights
          if (m.type === 'done') {
            if (m.result.cancelled) reject(opts.signal?.reason ?? new Error('fit was cancelled'));
            else resolve(m.result);
          } else if (m.where) reject(Object.assign(new DivergenceError(m.where.epoch, m.where.batch, ''), { message: m.message }));
          else reject(Object.assign(new Error(m.message), { name: m.name }));
        },
        failed: (e: Error) => {
          settled = true;
          reject(e);
        },
        exited: (code: number) => {
          if (!settled) reject(new Error(`fit: the training worker exited with code ${code} before finishing`));
        },
      });
    });
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    busy.delete(model);
    await (thread as FitThread | null)?.terminate();
  }
}
