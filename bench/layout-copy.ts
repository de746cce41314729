// The batch-first <-> time-major copy around every forward and backward call: the JavaScript
// convertLayout (model/time-layout.ts) against the native backend's convert_layout, on W2's output
// (64 x 64 rows of 128 floats) and input (rows of 8). `npx tsx bench/layout-copy.ts`; medians of 51.
import { convertLayout } from '../src/model/time-layout.js';
import { loadBackend } from '../src/backend/select.js';

const backend = await loadBackend({ backend: 'native' });
if (!backend.convertLayout) throw new Error('this native addon has no convert_layout; rebuild it (npm run build:native)');

function median(fn: () => void): number {
  for (let i = 0; i < 20; i++) fn();
  const ts: number[] = [];
  for (let r = 0; r < 51; r++) {
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
  }
  return ts.sort((a, b) => a - b)[25];
}

const [T, B] = [64, 64];
for (const [W, toBatch, what] of [[128, true, 'output, time-major -> batch-first'], [8, false, 'input, batch-first -> time-major']] as const) {
  const tm = backend.alloc(T * B * W).array;
  const bf = Float32Array.from({ length: T * B * W }, (_, i) => Math.sin(i));
  const js = median(() => convertLayout(tm, bf, B, T, W, toBatch));
  const native = median(() => backend.convertLayout!(tm, bf, B, T, W, toBatch, null));
  console.log(`W2 ${what} (rows of ${W}): JavaScript ${js.toFixed(3)} ms, native ${native.toFixed(3)} ms`);
}
