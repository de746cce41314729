import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: the kernels use both, so test files run one at a time to keep timings sane.
    fileParallelism: false,
  },
});
