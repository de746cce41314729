// `node bench/fresh-arrays.mjs`: what a fresh 2 MiB Float32Array costs (allocated and touched once per
// 4 KiB page, as an output array is filled) against refilling one reused array: the first-touch page
// faults that make seqcast plan its buffers once and reuse them (bench/NOTES.md).
const n = 64 * 64 * 128; // LSTM W2's batch-first output: B * T * H floats
const reps = 40;
const keep = [];
const fresh = [];
for (let r = 0; r < reps; r++) {
  const t0 = performance.now();
  const a = new Float32Array(n);
  for (let i = 0; i < n; i += 1024) a[i] = 1;
  keep.push(a);
  if (keep.length > 3) keep.shift(); // a few live at once, as between collections
  fresh.push(performance.now() - t0);
}
const reused = new Float32Array(n);
const refill = [];
for (let r = 0; r < reps; r++) {
  const t0 = performance.now();
  reused.fill(r);
  refill.push(performance.now() - t0);
}
const median = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
console.log(`fresh 2 MiB Float32Array + first touch: median ${median(fresh).toFixed(3)} ms, min ${Math.min(...fresh).toFixed(3)} ms`);
console.log(`refilling one reused array:            median ${median(refill).toFixed(3)} ms`);
