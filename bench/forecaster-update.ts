// Forecaster.update(): microseconds per observation for a live feed (issue #6: constant cost per
// observation). A default-sized forecaster (3 LSTM(32) networks, monthly season, horizon 12; few epochs,
// since speed does not depend on how well it learned) is timed early in a feed and again after
// thousands of updates: streaming: true steps each network's carried state once; windowed re-reads its
// last window. bench/run.ts calls measureForecasterUpdate(); `npx tsx bench/forecaster-update.ts` prints it.
import { pathToFileURL } from 'node:url';
import type { BackendName } from '../src/backend/types.js';
import { Forecaster } from '../src/forecast/forecaster.js';

export interface ForecasterUpdateTiming {
  streaming: boolean;
  /** Median µs per update over blocks of updates, early in the feed (after a warm-up) and after `laterAfter` more. */
  earlyUs: number;
  laterUs: number;
  laterAfter: number;
}

const series = (n: number): Float64Array =>
  Float64Array.from({ length: n }, (_, t) => 100 + 0.1 * t + 10 * Math.sin((2 * Math.PI * t) / 12) + 2 * Math.sin(7.3 * t));

function medianBlockUs(f: Forecaster, y: Float64Array, from: number, blocks: number, perBlock: number): number {
  const times: number[] = [];
  let t = from;
  for (let b = 0; b < blocks; b++) {
    const t0 = performance.now();
    for (let i = 0; i < perBlock; i++) f.update(y[t++ % y.length]);
    times.push(((performance.now() - t0) * 1000) / perBlock);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
}

export async function measureForecasterUpdate(backend: BackendName, streaming: boolean, laterAfter = 5000): Promise<ForecasterUpdateTiming> {
  const y = series(600);
  const f = new Forecaster({ horizon: 12, season: 12, streaming, epochs: 3, seed: 1 }, { backend });
  await f.fit(y.subarray(0, 400));
  for (let i = 0; i < 500; i++) f.update(y[400 + (i % 200)]); // JIT warm-up
  const earlyUs = medianBlockUs(f, y, 400, 11, 20);
  for (let i = 0; i < laterAfter; i++) f.update(y[(400 + i) % y.length]);
  const laterUs = medianBlockUs(f, y, 400 + laterAfter, 11, 20);
  f.dispose();
  return { streaming, earlyUs, laterUs, laterAfter };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const backend of ['native', 'wasm'] as const)
    for (const streaming of [true, false]) {
      const r = await measureForecasterUpdate(backend, streaming);
      console.log(`${backend} ${streaming ? 'streaming' : 'windowed '}: ${r.earlyUs.toFixed(1)} us per update early, ${r.laterUs.toFixed(1)} us after ${r.laterAfter} more`);
    }
}
