// The demo is built the way an application would build against the published package: it imports
// 'seqcast/browser', here resolved to the built bundle (dist/browser/seqcast.js, from
// `node src/browser/build.mjs`), whose seqcast.wasm and training worker Vite emits with the page.
//   node src/browser/build.mjs && npx vite build --config examples/browser/vite.config.mjs
//   npx vite preview --config examples/browser/vite.config.mjs
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

// SharedArrayBuffer (so Stop ends training after the current batch, as in Node) needs cross-origin isolation.
const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default defineConfig({
  root: here('.'),
  base: './',
  resolve: { alias: [{ find: /^seqcast\/browser$/, replacement: here('../../dist/browser/seqcast.js') }] },
  build: { outDir: here('dist'), emptyOutDir: true, target: 'es2022' },
  worker: { format: 'es' },
  server: { headers: isolation },
  preview: { headers: isolation },
  logLevel: 'warn',
});
