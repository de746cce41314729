// `npm run test:fuzz`: the property/fuzz suites (test/fuzz/*.fuzz.ts). They are kept out of the
// default `npm test` (whose include is test/**/*.test.ts) because their length is a knob:
// SEQCAST_FUZZ_RUNS sets the cases per property (default in runs.ts).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/fuzz/**/*.fuzz.ts'],
    // A long run (SEQCAST_FUZZ_RUNS=100000) takes hours; each property bounds its own cases.
    testTimeout: 0,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
