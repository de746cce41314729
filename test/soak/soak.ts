// `npm run test:soak`: memory soak on every backend (issue #10, part 3). Thousands of in-process
// training runs (fitLoop, 3 steps each) and predict calls on small models with changing batch shapes,
// real fit() calls (each in its own worker thread), and model create/dispose churn, sampling RSS, the
// JS heap, external memory (where V8 counts the native addon's buffers) and the WebAssembly memory
// size after a full GC. The first half is warm-up; over the second half memory must stop growing.
// Then large models' memory must come back when they are disposed and when they are merely dropped
// and garbage-collected (FinalizationRegistry confirms the collection).
//
//   npm run test:soak                      3000 iterations and 8 fit() calls per backend (the CI default)
//   npm run test:soak -- --long            20000 iterations and 400 fit() calls per backend
//   SEQCAST_SOAK_ITERATIONS=N SEQCAST_SOAK_FITS=M npm run test:soak     any length
//   SEQCAST_BACKEND=wasm npm run test:soak                               one backend only
//
// Needs `node --expose-gc` (the npm script passes it). Exits 1 with a message naming the backend,
// the measure and the growth when a check fails.
import { fileURLToPath } from 'node:url';
import { testBackends } from '../helpers/backends.js';
import type { Backend } from '../../src/backend/types.js';
import { SequenceModel, type SequenceModelOptions } from '../../src/model/sequence-model.js';
import { fitLoop, type LoopOptions } from '../../src/train/fit-loop.js';
import { checkData } from '../../src/train/dataset.js';
import { Rng } from '../../src/random.js';

const gcHook = (globalThis as { gc?: () => void }).gc;
if (!gcHook) {
  console.error('test/soak/soak.ts needs a garbage collector it can call: run it with node --expose-gc (npm run test:soak does)');
  process.exit(2);
}
const gc: () => void = gcHook;

function intEnv(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new RangeError(`${name} must be an integer >= ${min}, got "${raw}"`);
  return n;
}
const LONG = process.argv.includes('--long');
/** In-process iterations per backend: each one training steps, predicts, and every 10th a new model. */
const ITERATIONS = intEnv('SEQCAST_SOAK_ITERATIONS', LONG ? 20_000 : 3000, 2 * 20);
/** Real fit() calls per backend (each starts a worker thread, ~0.4 s under tsx). */
const FITS = intEnv('SEQCAST_SOAK_FITS', LONG ? 400 : 8, 0);
const SAMPLES = 20;
/**
 * Growth allowed over the second half of the run, after warm-up. RSS is the coarse catch-all and moves
 * by tens of MiB with the allocator and worker threads on a busy machine; the JS heap and the
 * external memory (where V8 counts the native addon's buffers) are measured after a full GC and are
 * steady to well under a MiB, so their bounds are tight. WebAssembly memory may not grow at all.
 */
const RSS_SECOND_HALF_MIB = Number(process.env.SEQCAST_SOAK_RSS_MIB ?? 32);
const HEAP_SECOND_HALF_MIB = 4;
const EXTERNAL_SECOND_HALF_MIB = 1;

const MiB = 2 ** 20;
const mib = (n: number): string => `${(n / MiB).toFixed(1)} MiB`;
const failures: string[] = [];
const fail = (msg: string): void => {
  failures.push(msg);
  console.log(`  FAIL ${msg}`);
};

/**
 * Full collections with turns of the event loop between them: the addon's frees are N-API finalizers,
 * which Node runs from an immediate after the collection that found the buffers dead.
 */
async function collect(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 5));
  }
}

const wasmBytes = (b: Backend): number => (b as { memoryBytes?: () => number }).memoryBytes?.() ?? 0;

interface Sample {
  iteration: number;
  rss: number;
  /** Memory V8 knows to be held by external buffers: the native addon's allocations are counted here. */
  external: number;
  /** The JavaScript heap after a full GC: a leak of JS objects shows here first. */
  heap: number;
  wasm: number;
}
async function sample(backend: Backend, iteration: number): Promise<Sample> {
  await collect();
  const m = process.memoryUsage();
  return { iteration, rss: m.rss, external: m.external, heap: m.heapUsed, wasm: wasmBytes(backend) };
}

function sineData(count: number, seqLen: number, inputSize: number, seed: number) {
  const rng = new Rng(seed);
  const x = new Float32Array(count * seqLen * inputSize);
  const y = new Float32Array(count);
  for (let n = 0; n < count; n++) {
    const start = rng.uniform(0, 2 * Math.PI);
    for (let t = 0; t < seqLen; t++) for (let i = 0; i < inputSize; i++) x[(n * seqLen + t) * inputSize + i] = Math.sin(start + 0.3 * t + i);
    y[n] = Math.sin(start + 0.3 * seqLen);
  }
  return { x, targets: y, count, seqLen };
}

const CELLS: SequenceModelOptions[] = [
  { cell: 'lstm', inputSize: 2, hiddenSize: 12, seed: 1 },
  { cell: 'gru', inputSize: 2, hiddenSize: 9, numLayers: 2, seed: 2 },
  { cell: 'rnn', inputSize: 2, hiddenSize: 7, bidirectional: true, seed: 3 },
  { cell: 'lstm', inputSize: 2, hiddenSize: 5, numLayers: 2, bidirectional: true, dropout: 0.2, seed: 4, heads: [{ outputs: 1 }, { outputs: 2, on: 'all' }] },
];

/** Thousands of training steps and predicts, model churn and real fit() calls; memory must level off. */
async function churn(backend: Backend): Promise<void> {
  const name = backend.info().name;
  const data = sineData(48, 10, 2, 7);
  const train = checkData('soak', data, 2, [1]);
  const loop: LoopOptions = { epochs: 1, batchSize: 16, loss: [{ name: 'mse' }], optimizer: { name: 'adam', lr: 1e-3 }, shuffle: true, seed: 1 };
  const model = new SequenceModel(CELLS[0], backend);
  const every = Math.max(1, Math.floor(ITERATIONS / SAMPLES));
  const fitEvery = Math.max(1, Math.floor(ITERATIONS / FITS));
  const samples: Sample[] = [];
  let fits = 0;
  let predicts = 0;
  let steps = 0;
  let models = 1;
  const t0 = performance.now();
  for (let it = 0; it < ITERATIONS; it++) {
    loop.seed = it;
    fitLoop(model, train, null, loop); // 3 training steps, optimizer state allocated and freed
    steps += 3;
    // Batch sizes and lengths change, so workspaces are re-planned (freed and allocated) all the time.
    const B = 1 + (it % 7);
    const T = 3 + (it % 5);
    model.predict(data.x.subarray(0, B * T * 2), { batchSize: B, seqLen: T });
    predicts++;
    if (it % 10 === 0) {
      const m = new SequenceModel(CELLS[(it / 10) % CELLS.length], backend);
      m.predict(data.x.subarray(0, 2 * 4 * 2), { batchSize: 2, seqLen: 4, lengths: [4, 2] });
      m.dispose();
      models++;
      predicts++;
    }
    if (it % fitEvery === 0 && fits < FITS) {
      // The single-head cells: the data has one target per sample.
      const m = new SequenceModel(CELLS[fits % 3], backend);
      await m.fit(data, { epochs: 1, batchSize: 16, seed: fits, threads: 1 });
      m.predict(data.x.subarray(0, 10 * 2), { batchSize: 1, seqLen: 10 });
      m.dispose();
      fits++;
      predicts++;
      models++;
    }
    if (it % every === 0 || it === ITERATIONS - 1) samples.push(await sample(backend, it + 1));
  }
  model.dispose();
  const secs = (performance.now() - t0) / 1000;
  console.log(
    `  ${name}: ${ITERATIONS} iterations in ${secs.toFixed(1)} s: ${steps} training steps, ${fits} fit() calls (worker threads), ` +
      `${predicts} predicts, ${models} models created and disposed`,
  );
  console.log(`  ${name}: RSS   ${samples.map((s) => (s.rss / MiB).toFixed(0)).join(' ')} MiB`);
  if (name === 'wasm') console.log(`  ${name}: WASM  ${samples.map((s) => (s.wasm / MiB).toFixed(2)).join(' ')} MiB`);

  // Warm-up is the first half: JIT, allocator arenas, workspaces for every shape. The second half
  // does the same work again, so whatever it adds is a leak.
  const mid = samples.find((s) => s.iteration >= ITERATIONS / 2)!;
  const end = samples[samples.length - 1];
  const secondHalf = samples.filter((s) => s.iteration >= mid.iteration);
  const growth = (key: 'rss' | 'heap' | 'external'): number => Math.max(...secondHalf.map((s) => s[key])) - mid[key];
  console.log(`  ${name}: heap  ${samples.map((s) => (s.heap / MiB).toFixed(1)).join(' ')} MiB`);
  console.log(`  ${name}: external ${samples.map((s) => (s.external / MiB).toFixed(1)).join(' ')} MiB`);
  console.log(
    `  ${name}: second half growth: RSS ${mib(growth('rss'))} (end - mid ${mib(end.rss - mid.rss)}), JS heap ${mib(growth('heap'))}, ` +
      `external ${mib(growth('external'))}`,
  );
  const bounds = [['rss', 'RSS', RSS_SECOND_HALF_MIB], ['heap', 'the JS heap', HEAP_SECOND_HALF_MIB], ['external', 'external memory (native buffers, WASM memory)', EXTERNAL_SECOND_HALF_MIB]] as const;
  for (const [key, label, limit] of bounds)
    if (growth(key) > limit * MiB)
      fail(
        `${name}: ${label} grew by ${mib(growth(key))} over the second half of the soak (iterations ${mid.iteration}-${end.iteration}), ` +
          `more than the ${limit} MiB allowed after warm-up: something leaks per fit/predict call`,
      );
  if (name === 'wasm' && end.wasm > mid.wasm)
    fail(`${name}: WebAssembly memory grew from ${mib(mid.wasm)} to ${mib(end.wasm)} after warm-up: buffers are not freed or not reused`);
}

/** ~10 MB of parameters and gradients per model, in blocks big enough to go back to the OS when freed. */
const BIG: SequenceModelOptions = { cell: 'lstm', inputSize: 256, hiddenSize: 384, seed: 9 };
const BIG_MODELS = 4;

/** Builds BIG_MODELS large models and runs each once; `drop` then disposes them or just forgets them. */
async function bigRound(
  backend: Backend, dispose: boolean, collected: FinalizationRegistry<string>, tag: string,
): Promise<{ bytes: number; liveExternal: number }> {
  let bytes = 0;
  let models: SequenceModel[] | null = [];
  for (let i = 0; i < BIG_MODELS; i++) {
    const m = new SequenceModel(BIG, backend);
    m.predict(new Float32Array(2 * 4 * BIG.inputSize), { batchSize: 2, seqLen: 4 });
    bytes += 2 * 4 * m.params.length;
    collected.register(m, `${tag}#${i}`);
    models.push(m);
  }
  const liveExternal = process.memoryUsage().external;
  if (dispose) for (const m of models) m.dispose();
  models = null;
  return { bytes, liveExternal };
}

/** Native memory of disposed and of garbage-collected models is released; WASM memory is reused. */
async function release(backend: Backend): Promise<void> {
  const name = backend.info().name;
  const ROUNDS = 4;
  const finalized = new Set<string>();
  const collected = new FinalizationRegistry<string>((tag) => finalized.add(tag));
  for (const mode of ['dispose', 'gc'] as const) {
    const how = mode === 'dispose' ? 'disposed' : 'garbage-collected without dispose()';
    const before = await sample(backend, 0);
    const rounds: Sample[] = [];
    let bytes = 0;
    let liveExternal = 0;
    for (let round = 0; round < ROUNDS; round++) {
      ({ bytes, liveExternal } = await bigRound(backend, mode === 'dispose', collected, `${mode}${round}`));
      rounds.push(await sample(backend, round + 1));
    }
    const gone = [...finalized].filter((t) => t.startsWith(mode)).length;
    const last = rounds[ROUNDS - 1];
    console.log(
      `  ${name}: ${how}: ${ROUNDS} rounds of ${BIG_MODELS} models (${mib(bytes)} of parameters and gradients each); ` +
        `${gone}/${ROUNDS * BIG_MODELS} models finalized\n` +
        `    RSS ${[before, ...rounds].map((r) => mib(r.rss)).join(' -> ')}\n` +
        (name === 'wasm'
          ? `    WASM memory ${[before, ...rounds].map((r) => mib(r.wasm)).join(' -> ')}`
          : `    native (external) ${[before, ...rounds].map((r) => mib(r.external)).join(' -> ')}, ${mib(liveExternal)} while the last round's models lived`),
    );
    // The models of the last round may still be pending; every earlier one must have been collected.
    if (gone < (ROUNDS - 1) * BIG_MODELS)
      fail(`${name}: only ${gone} of ${ROUNDS * BIG_MODELS} dropped models were garbage-collected: something still references them`);
    if (name === 'wasm') {
      // WebAssembly memory never shrinks; released blocks must be reused by the next round instead.
      if (last.wasm > rounds[0].wasm)
        fail(
          `${name}: models ${how} are not released: WebAssembly memory grew from ${mib(rounds[0].wasm)} after round 1 ` +
            `to ${mib(last.wasm)} after round ${ROUNDS} (${mib(bytes)} of models per round)`,
        );
    } else {
      // The addon's blocks are external memory to V8 (seen while the models live); after a collection they must be gone.
      if (liveExternal - before.external < bytes * 0.9)
        fail(`${name}: the models' ${mib(bytes)} did not show in process.memoryUsage().external (${mib(liveExternal - before.external)}), so release cannot be checked`);
      const held = last.external - before.external;
      if (held > bytes / 4)
        fail(`${name}: models ${how} are not released: ${mib(held)} of native memory still held after ${ROUNDS} rounds of ${mib(bytes)}`);
    }
  }
}

async function main(): Promise<void> {
  const backends = await testBackends();
  console.log(
    `soak: ${ITERATIONS} iterations and ${FITS} fit() calls per backend (${LONG ? 'long' : 'short'} run), ` +
      `backends ${backends.map((b) => b.info().name).join(', ')}, node ${process.version}`,
  );
  const t0 = performance.now();
  for (const backend of backends) {
    console.log(`== ${backend.info().name}: churn`);
    await churn(backend);
    console.log(`== ${backend.info().name}: release of large models`);
    await release(backend);
  }
  console.log(`soak: ${((performance.now() - t0) / 1000).toFixed(1)} s, ${failures.length} failure(s)`);
  if (failures.length) {
    console.error(`\nsoak FAILED:\n${failures.map((f) => `- ${f}`).join('\n')}`);
    process.exit(1);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
