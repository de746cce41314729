// A/B of two builds of the native addon on the forward kernels, for changes that have no runtime
// switch (bench/NOTES.md): the same inputs through each build's lstm_forward / gru_forward, saving
// (gates given) and inference-only (gates null), alternating A and B so machine noise hits both.
// Prints the median and the minimum (the least disturbed run) per build, in ms per call.
//
//   node bench/addon-ab.mjs <addon A.node> <addon B.node> [threads=2] [cell:T,B,I,H ...]
//   e.g. build B from an earlier commit: git worktree add /tmp/b <rev> && (cd /tmp/b &&
//        ln -s "$PWD/node_modules" . && npx cmake-js compile --out build), then pass
//        build/Release/seqcast.node and /tmp/b/build/Release/seqcast.node.
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

const require = createRequire(import.meta.url);
const [pathA, pathB, threadsArg = '2', ...shapeArgs] = process.argv.slice(2);
if (!pathA || !pathB) throw new Error('usage: node bench/addon-ab.mjs <addon A.node> <addon B.node> [threads] [cell:T,B,I,H ...]');
const shapes = (shapeArgs.length ? shapeArgs : ['lstm:64,64,8,128', 'gru:64,64,8,128', 'lstm:128,64,32,256', 'lstm:24,32,1,32']).map((s) => {
  const [cell, dims] = s.split(':');
  const [T, B, I, H] = dims.split(',').map(Number);
  if (!['lstm', 'gru'].includes(cell) || ![T, B, I, H].every((v) => Number.isInteger(v) && v > 0))
    throw new Error(`shape '${s}': expected lstm|gru:T,B,I,H`);
  return { cell, T, B, I, H };
});
const addons = [pathA, pathB].map((p) => require(resolve(p)));
for (const a of addons) a.set_threads(Number(threadsArg));

function setup(a, { cell, T, B, I, H }) {
  const G = cell === 'lstm' ? 4 : 3;
  let seed = 1;
  const rnd = (n) => {
    const x = a.alloc(n);
    for (let i = 0; i < n; i++) x[i] = (((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) - 0.5) * 0.4;
    return x;
  };
  const b = {
    x: rnd(T * B * I), h: a.alloc(T * B * H), c: a.alloc(T * B * H), gates: a.alloc(T * B * G * H), hn: a.alloc(T * B * H),
    wih: rnd(G * H * I), whh: rnd(G * H * H), bih: rnd(G * H), bhh: rnd(G * H), wt: a.alloc(G * H * (I + H) + 6 * B * H),
  };
  return (saving) =>
    cell === 'lstm'
      ? a.lstm_forward(b.h, b.c, saving ? b.gates : null, b.x, null, null, null, b.wih, b.whh, b.bih, b.bhh, b.wt, T, B, I, H)
      : a.gru_forward(b.h, saving ? b.gates : null, saving ? b.hn : null, b.x, null, null, b.wih, b.whh, b.bih, b.bhh, b.wt, T, B, I, H);
}

const stats = (v) => {
  const s = [...v].sort((x, y) => x - y);
  return `median ${s[s.length >> 1].toFixed(3)} min ${s[0].toFixed(3)}`;
};
console.log(`A = ${pathA}\nB = ${pathB}\n${threadsArg} threads; ms per forward call (median / min of interleaved repeats)`);
for (const shape of shapes) {
  const runs = addons.map((a) => setup(a, shape));
  for (const saving of [true, false]) {
    const times = [[], []];
    for (const r of runs) for (let i = 0; i < 5; i++) r(saving);
    for (let rep = 0; rep < 21; rep++)
      runs.forEach((r, k) => {
        const t0 = process.hrtime.bigint();
        for (let i = 0; i < 5; i++) r(saving);
        times[k].push(Number(process.hrtime.bigint() - t0) / 5e6);
      });
    const { cell, T, B, I, H } = shape;
    console.log(`${cell} T${T} B${B} I${I} H${H} ${saving ? 'saving   ' : 'inference'}: A ${stats(times[0])} | B ${stats(times[1])}`);
  }
}
