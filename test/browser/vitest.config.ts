// `npm run test:browser`: the end-to-end test in headless Chromium, kept out of `npm test` (it builds
// the browser bundle and the demo, and needs a Chromium binary).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/browser/**/*.e2e.ts'],
    testTimeout: 180_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
