// Worker for csv.fuzz.ts: runs readCsv on each input it receives and classifies the outcome, so the
// main thread can wait on it with a deadline (Atomics.wait) and detect a hang without hanging.
import { parentPort, workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { readCsv, type CsvOptions } from '../../src/data/csv.js';
import { DataError } from '../../src/data/errors.js';

export interface CsvCase {
  text: string;
  options: CsvOptions;
}
export interface CsvOutcome {
  kind: 'result' | 'DataError' | 'TypeError' | 'RangeError' | 'other';
  name: string;
  message: string;
  stack?: string;
  ms: number;
}

const { port, flag } = workerData as { port: MessagePort; flag: Int32Array };

function classify(e: unknown): Omit<CsvOutcome, 'ms'> {
  const err = e as Error;
  const base = { name: err?.name ?? typeof e, message: String(err?.message ?? e), stack: err?.stack };
  // DataError first: it must be the domain class, not just any error named so.
  if (e instanceof DataError) return { kind: 'DataError', ...base };
  if (e instanceof TypeError) return { kind: 'TypeError', ...base };
  if (e instanceof RangeError) return { kind: 'RangeError', ...base };
  return { kind: 'other', ...base };
}

port.on('message', (c: CsvCase) => {
  const t0 = performance.now();
  let out: Omit<CsvOutcome, 'ms'>;
  try {
    const s = readCsv(c.text, c.options);
    out = { kind: 'result', name: 'Series', message: `${s.length ?? '?'} rows` };
  } catch (e) {
    out = classify(e);
  }
  port.postMessage({ ...out, ms: performance.now() - t0 } satisfies CsvOutcome);
  Atomics.add(flag, 0, 1);
  Atomics.notify(flag, 0);
});
Atomics.store(flag, 1, 1); // ready
Atomics.notify(flag, 1);
parentPort?.postMessage('ready');
