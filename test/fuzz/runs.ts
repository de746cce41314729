// How many cases each fuzz property tries: SEQCAST_FUZZ_RUNS, else a default that keeps
// `npm run test:fuzz` near 30-60 s on two cores. SEQCAST_FUZZ_SEED replays a reported failure.
export function fuzzRuns(fallback: number): number {
  const raw = process.env.SEQCAST_FUZZ_RUNS;
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`SEQCAST_FUZZ_RUNS must be a positive integer, got "${raw}"`);
  return n;
}

export function fuzzSeed(): number | undefined {
  const raw = process.env.SEQCAST_FUZZ_SEED;
  return raw ? Number(raw) : undefined;
}

/** Printed after each property so RELIABILITY.md's counts can be checked against a run. */
export function report(name: string, counts: Record<string, number>): void {
  const parts = Object.entries(counts).map(([k, v]) => `${k}=${v}`);
  console.log(`[fuzz] ${name}: ${parts.join(' ')}`);
}
