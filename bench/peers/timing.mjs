// Shared by the peer runners (plain ESM JavaScript, so the type check never needs the peer packages):
// read the job from argv, time within a wall-clock budget, print one JSON line per result.

/** The job bench/peers/run-peers.ts passes as JSON in argv[2]: workloads, budgets (ms), thread counts. */
export function readJob() {
  const raw = process.argv[2];
  if (!raw) throw new Error('usage: node <runner>.mjs \'{"workloads":[...],"budgetMs":{...},"threads":[1,2]}\'');
  return JSON.parse(raw);
}

/**
 * Median milliseconds of `fn` (sync or async) after `warmup` calls, repeated until `budgetMs` has passed
 * and at least `minRuns` ran. Slow peers get few runs: the count is reported so a reader can tell.
 */
export async function timeWithin(fn, { budgetMs, minRuns = 2, warmup = 1, maxRuns = 500 }) {
  for (let i = 0; i < warmup; i++) await fn();
  const times = [];
  const start = performance.now();
  while (times.length < minRuns || (performance.now() - start < budgetMs && times.length < maxRuns)) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const mid = times.length >> 1;
  return { medianMs: times.length % 2 ? times[mid] : (times[mid - 1] + times[mid]) / 2, runs: times.length };
}

/**
 * The batch to time so that one call fits the budget: doubling from 1 up to the workload's batch while
 * a call at twice the batch (about twice the time, at most) would still fit. Timing then takes at least
 * two calls, so a time-boxed measure costs about 2-3 budgets in all. `callAt(b)` runs one call at batch b; the
 * first call at each size also warms that size up; batch 1 gets a warm-up call of its own, since a
 * library's first call (tracing, compiling kernels) would otherwise make every batch look too slow.
 */
export async function batchWithin(fullBatch, budgetMs, callAt) {
  await callAt(1);
  let b = 1;
  for (;;) {
    const t0 = performance.now();
    await callAt(b);
    const ms = performance.now() - t0;
    if (b * 2 > fullBatch || ms * 2 > budgetMs) return b;
    b *= 2;
  }
}

export function uniform(n, seed = 1) {
  // A small LCG: the same inputs on every run, no dependency.
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = (s / 2 ** 32) * 2 - 1;
  }
  return a;
}

export function emit(result) {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
