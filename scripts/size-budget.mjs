// `npm run size`: what a page downloads to use seqcast in the browser (seqcast.js, its training worker
// and seqcast.wasm from dist/browser, built fresh), raw and gzip -9, against a budget. Exits 1 when
// over budget, so CI catches growth; raise the budget in the same change that justifies it.
//   node scripts/size-budget.mjs [--json]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { buildBrowserBundle, BUNDLE_FILES } from '../src/browser/build.mjs';

/**
 * Bytes after gzip -9 of the three files together. Measured at 87.0 KB (seqcast 0.1.0, 2026-11-27):
 * seqcast.js 57.9, seqcast-worker.js 18.1 (fetched only when fit() runs), seqcast.wasm 11.0.
 */
export const BUDGET_GZIP_BYTES = 100 * 1024;

const dir = await buildBrowserBundle(fileURLToPath(new URL('../dist/browser', import.meta.url)));
const rows = BUNDLE_FILES.map((file) => {
  const bytes = readFileSync(join(dir, file));
  return { file, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
});
const total = { file: 'total', raw: rows.reduce((s, r) => s + r.raw, 0), gzip: rows.reduce((s, r) => s + r.gzip, 0) };
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
if (process.argv.includes('--json')) console.log(JSON.stringify({ rows, total, budget: BUDGET_GZIP_BYTES }));
else {
  for (const r of [...rows, total]) console.log(`${r.file.padEnd(18)} ${kb(r.raw).padStart(10)} raw ${kb(r.gzip).padStart(10)} gzip`);
  console.log(`budget             ${kb(BUDGET_GZIP_BYTES).padStart(25)} gzip`);
}
if (total.gzip > BUDGET_GZIP_BYTES) {
  console.error(`size: the browser bundle is ${kb(total.gzip)} gzip, over the budget of ${kb(BUDGET_GZIP_BYTES)} (scripts/size-budget.mjs)`);
  process.exit(1);
}
