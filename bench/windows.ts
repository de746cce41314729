// Windowing throughput: a 1,000,000-point series into lookback-64, horizon-1 windows (stride 1), the
// median of a few runs. Wired into `npm run bench` by bench/run.ts; runs alone with `tsx bench/windows.ts`.
import { makeWindows } from '../src/data/windows.js';

/**
 * ms: median time of makeWindows writing into reused output buffers (the copy itself); freshMs: the
 * same call allocating its 256 MB output each time, which adds first-touch page faults (large in some
 * sandboxes and VMs, small on bare metal).
 */
export async function benchWindows(): Promise<{ points: number; lookback: number; ms: number; freshMs: number }> {
  const points = 1_000_000;
  const lookback = 64;
  const series = new Float32Array(points);
  for (let i = 0; i < points; i++) series[i] = Math.sin(i / 50) + (i % 7) * 0.01;
  // Check one result before timing: the last window starts at points - lookback - 1.
  const w = makeWindows(series, { lookback, horizon: 1 });
  const last = (w.count - 1) * lookback;
  if (w.count !== points - lookback || w.x[last] !== series[points - lookback - 1] || w.targets[w.count - 1] !== series[points - 1])
    throw new Error('benchWindows: windows do not match the series');
  const median = (fn: () => void, runs: number): number => {
    const times: number[] = [];
    for (let run = 0; run < runs; run++) {
      const t0 = performance.now();
      fn();
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    return times[times.length >> 1];
  };
  const out = { x: w.x, targets: w.targets };
  const ms = median(() => makeWindows(series, { lookback, horizon: 1, out }), 5);
  const freshMs = median(() => makeWindows(series, { lookback, horizon: 1 }), 3);
  return { points, lookback, ms, freshMs };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchWindows();
  console.log(`windows: ${r.points} points, lookback ${r.lookback}: ${r.ms.toFixed(1)} ms into reused buffers, ${r.freshMs.toFixed(1)} ms allocating (medians)`);
}
