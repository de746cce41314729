// Streaming inference: microseconds per step of model.stream().step(x) at batch 1, state carried
// (issue #8's target: <= 2 us at H=32, <= 5 us at H=128). bench/run.ts calls measureStream();
// `npx tsx bench/stream.ts [--backend native|wasm] [--cell lstm|gru|rnn] [--wasm <module.wasm>]` prints
// the W1-W3 shapes (--wasm: time that module instead of build/wasm/seqcast.wasm).
//
// Each run times a block of steps (so the timer's own cost is amortized) and the median over runs
// is quoted: the machine is shared, so single runs are noisy.
import { pathToFileURL } from 'node:url';
import { readFileSync } from 'node:fs';
import type { Backend, BackendName } from '../src/backend/types.js';
import { instantiateWasm } from '../src/backend/wasm.js';
import type { CellKind } from '../src/layout/cells.js';
import { SequenceModel } from '../src/model/sequence-model.js';
import { WORKLOADS } from './workloads.js';

export interface StreamShape {
  cell: CellKind;
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  /** First head's outputs; default 1. */
  outputs?: number;
}

export interface StreamTiming {
  /** Median over runs: what we quote. */
  usPerStep: number;
  /** Fastest run: the cost with the least interference from other processes on a shared machine. */
  minUsPerStep: number;
  /** Whether the backend ran the fused one-call step (false: per-layer kernels at T = 1). */
  fused: boolean;
  runs: number;
  stepsPerRun: number;
}

/** Median microseconds per step over `runs` blocks of steps, each about `runMs` long. */
export async function measureStream(
  backend: BackendName | Backend,
  shape: StreamShape,
  { runs = 31, runMs = 20, fused = true }: { runs?: number; runMs?: number; fused?: boolean } = {},
): Promise<StreamTiming> {
  const opts = {
    cell: shape.cell, inputSize: shape.inputSize, hiddenSize: shape.hiddenSize, numLayers: shape.numLayers,
    heads: [{ outputs: shape.outputs ?? 1 }], seed: 1,
  };
  const model = typeof backend === 'string' ? await SequenceModel.create({ ...opts, backend }) : new SequenceModel(opts, backend);
  const s = model.stream({ fused });
  // A fixed set of inputs cycled through (a step's cost does not depend on the values).
  const inputs = Array.from({ length: 64 }, (_, k) =>
    Float32Array.from({ length: shape.inputSize }, (_, i) => Math.sin(0.37 * k + i)),
  );
  let sink = 0;
  const block = (n: number): number => {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) sink += s.step(inputs[i & 63])[0];
    return performance.now() - t0;
  };
  // warm up (JIT, caches), then size a block to ~runMs
  let n = 64;
  while (block(n) < runMs / 4 && n < 1 << 22) n *= 2;
  const stepsPerRun = Math.max(64, Math.round((n * runMs) / Math.max(block(n), 1e-3)));
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    times.push((block(stepsPerRun) * 1000) / stepsPerRun);
    if (r % 8 === 7) s.reset(); // keep the state in a typical range
  }
  times.sort((a, b) => a - b);
  if (!Number.isFinite(sink)) throw new Error('measureStream: the outputs went non-finite');
  const timing = { usPerStep: times[times.length >> 1], minUsPerStep: times[0], fused: s.fused, runs, stepsPerRun };
  s.dispose();
  model.dispose();
  return timing;
}

async function main(): Promise<void> {
  const arg = (name: string): string | undefined => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const names = (arg('--backend') ? [arg('--backend')] : ['native', 'wasm']) as BackendName[];
  const wasmFile = arg('--wasm');
  const custom = wasmFile ? await instantiateWasm(readFileSync(wasmFile), wasmFile, []) : null;
  if (wasmFile && !custom) throw new Error(`--wasm ${wasmFile}: the module did not instantiate`);
  const backends = names.map((n) => (n === 'wasm' && custom ? custom : n));
  const cells = (arg('--cell') ? [arg('--cell')] : ['lstm', 'gru', 'rnn']) as CellKind[];
  console.log('backend  cell  workload            us/step (median, min)  path');
  for (const backend of backends)
    for (const cell of cells)
      for (const w of WORKLOADS) {
        const t = await measureStream(backend, { cell, inputSize: w.inputSize, hiddenSize: w.hiddenSize, numLayers: w.numLayers });
        const shape = `${w.name} I=${w.inputSize} H=${w.hiddenSize} L=${w.numLayers}`;
        const name = typeof backend === 'string' ? backend : backend.name;
        console.log(`${name.padEnd(8)} ${cell.padEnd(5)} ${shape.padEnd(20)} ${t.usPerStep.toFixed(2).padStart(8)} ${t.minUsPerStep.toFixed(2).padStart(8)}     ${t.fused ? 'fused' : 'per-layer kernels'}`);
      }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
