// Worker for model-file.fuzz.ts: runs one loader (parseModelFile, deserializeModel or loadModel) on
// each input it receives and classifies the outcome, so the main thread can wait on it with a
// deadline (Atomics.wait) and detect a hang without hanging. A file that loads is also used once
// (predict on zeros), so a "loaded" model that cannot run counts as a failure, not a success.
import { writeFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { loadBackend } from '../../src/backend/select.js';
import type { WasmBackend } from '../../src/backend/wasm.js';
import { ModelFileError } from '../../src/persist/errors.js';
import { loadModel } from '../../src/persist/files.js';
import { deserializeModel, parseModelFile, type LoadedModel } from '../../src/persist/load.js';

export type LoaderName = 'parse' | 'deserialize' | 'load';

export interface ModelFileCase {
  bytes: Uint8Array;
  loader: LoaderName;
  backend: 'native' | 'wasm';
}
export interface ModelFileOutcome {
  kind: 'result' | 'ModelFileError' | 'other';
  /** ModelFileError.problem, or the other error's name. */
  problem: string;
  message: string;
  stack?: string;
  ms: number;
  /** Process RSS before and after the call, bytes. */
  rssBefore: number;
  rss: number;
  /** WebAssembly memory after the call, bytes (0 on native). */
  wasmBytes: number;
}

/** `file`: where loadModel cases are written; the test thread owns (and removes) its folder. */
const { port, flag, file } = workerData as { port: MessagePort; flag: Int32Array; file: string };

/** The prefix each loader puts on its messages: a message must say where it comes from. */
const WHERE: Record<LoaderName, string> = { parse: 'parseModelFile: ', deserialize: 'deserializeModel: ', load: `loadModel: ${file}: ` };

/** Runs the loaded model once: every input width and head it claims must really work. */
function use(loaded: LoadedModel): void {
  const { model } = loaded;
  try {
    const T = 2;
    const out = model.predict(new Float32Array(T * model.options.inputSize), { batchSize: 1, seqLen: T });
    if (out.length !== model.heads.length) throw new Error(`predict returned ${out.length} arrays for ${model.heads.length} heads`);
    for (const y of out) if (!y.every(Number.isFinite)) throw new Error('a loaded model predicted NaN or Infinity on zeros');
  } finally {
    model.dispose();
  }
}

async function run(c: ModelFileCase): Promise<Omit<ModelFileOutcome, 'ms' | 'rssBefore' | 'rss' | 'wasmBytes'>> {
  try {
    if (c.loader === 'parse') {
      const parsed = parseModelFile(c.bytes);
      if (!parsed.weights || !parsed.header) throw new Error('parseModelFile returned without weights or header');
    } else if (c.loader === 'deserialize') {
      use(await deserializeModel(c.bytes, { backend: c.backend }));
    } else {
      writeFileSync(file, c.bytes);
      use(await loadModel(file, { backend: c.backend }));
    }
    return { kind: 'result', problem: 'loaded', message: '' };
  } catch (e) {
    const err = e as Error;
    if (e instanceof ModelFileError) {
      // A clear message: says which loader, is one short paragraph, never a dump of the file.
      const clear = err.message.startsWith(WHERE[c.loader]) && err.message.length < 1000 && !/undefined|\[object /.test(err.message);
      if (clear) return { kind: 'ModelFileError', problem: e.problem, message: err.message };
      const head = err.message.length > 300 ? `${err.message.slice(0, 300)}...` : err.message;
      return {
        kind: 'other', problem: 'unclear-message', stack: err.stack,
        message: `the message is not clear (${err.message.length} characters; it must start with "${WHERE[c.loader]}", stay under 1000 and name no undefined): ${head}`,
      };
    }
    return { kind: 'other', problem: err?.name ?? typeof e, message: String(err?.message ?? e), stack: err?.stack };
  }
}

const wasm = (await loadBackend({ backend: 'wasm' }).catch(() => null)) as WasmBackend | null;

port.on('message', async (c: ModelFileCase) => {
  const rssBefore = process.memoryUsage().rss;
  const t0 = performance.now();
  const out = await run(c);
  port.postMessage({
    ...out, ms: performance.now() - t0, rssBefore, rss: process.memoryUsage().rss, wasmBytes: wasm?.memoryBytes() ?? 0,
  } satisfies ModelFileOutcome);
  Atomics.add(flag, 0, 1);
  Atomics.notify(flag, 0);
});
Atomics.store(flag, 1, 1); // ready
Atomics.notify(flag, 1);
parentPort?.postMessage('ready');
