// Repeated timing with a warm-up; the median is what we quote (the machine is shared and noisy).
export interface Timing {
  medianMs: number;
  runs: number;
}

export function timeIt(fn: () => void, { minMs = 1500, minRuns = 5, maxRuns = 200, warmup = 2 } = {}): Timing {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < minRuns || (performance.now() - start < minMs && times.length < maxRuns)) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const mid = times.length >> 1;
  const medianMs = times.length % 2 ? times[mid] : (times[mid - 1] + times[mid]) / 2;
  return { medianMs, runs: times.length };
}
