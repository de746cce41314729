// Fuzzing the native binding's argument checks (native/binding/args.h): real kernel calls are
// recorded (the positional arguments the adapter passes), then replayed straight into the addon with
// one to three arguments mutated: a buffer one element short or long, empty, null, a number, a
// string, the wrong typed-array kind, a bad dim (0, -1, 1.5, NaN, Infinity, 2^31, 2^53, 1e6),
// lengths out of [1, T]. Every call must return or throw TypeError / RangeError: never another
// error and never touch memory it does not own, which `npm run test:sanitize` (ASan) checks.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { testBackends } from '../helpers/backends.js';
import { randomCellCase } from '../helpers/random.js';
import { runKernels } from '../helpers/run-kernel.js';
import { NativeBackend } from '../../src/backend/native.js';
import type { CellKind } from '../../src/layout/cells.js';
import { fuzzRuns, fuzzSeed, report } from './runs.js';

const RUNS = fuzzRuns(10000);
const native = (await testBackends()).find((b): b is NativeBackend => b instanceof NativeBackend);

type Call = { name: string; args: unknown[] };

/** The kernel calls runKernels makes for one random case, recorded at the addon boundary. */
function recordCalls(backend: NativeBackend, cell: CellKind, seed: number): { raw: Record<string, (...a: unknown[]) => unknown>; calls: Call[] } {
  const holder = backend as unknown as { addon: Record<string, (...a: unknown[]) => unknown> };
  const raw = holder.addon;
  const calls: Call[] = [];
  const skip = new Set(['alloc', 'info', 'set_threads', 'get_threads', 'set_variant', '_set_parallel_threshold']);
  holder.addon = new Proxy(raw, {
    get(target, key: string) {
      const v = target[key];
      if (typeof v !== 'function' || skip.has(key)) return v;
      return (...args: unknown[]) => {
        calls.push({ name: key, args });
        return v.apply(target, args);
      };
    },
  });
  try {
    const dims = { T: 1 + (seed % 5), B: 1 + ((seed >> 3) % 4), I: 1 + ((seed >> 5) % 9), H: 1 + ((seed >> 9) % 17) };
    runKernels(backend, randomCellCase(cell, dims, seed, { variableLengths: (seed & 1) === 1 }, (seed & 2) ? 'relu' : 'tanh'));
  } finally {
    holder.addon = raw;
  }
  return { raw, calls };
}

const mutationArb = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom('shorter', 'longer', 'empty', 'null', 'undefined', 'number', 'string', 'f64', 'i32', 'dim'),
  dim: fc.constantFrom(0, -1, 1.5, Number.NaN, Infinity, 2 ** 31, 2 ** 31 - 1, 2 ** 53, 1e6),
  grow: fc.integer({ min: 1, max: 3 }),
  badLength: fc.constantFrom(0, -1, 2 ** 31 - 1, 1000),
});

type ArgMutation = typeof mutationArb extends fc.Arbitrary<infer M> ? M : never;

function mutate(args: unknown[], m: ArgMutation): unknown[] {
  const out = [...args];
  const i = m.at % out.length;
  const v = out[i];
  const len = v instanceof Float32Array || v instanceof Int32Array ? v.length : 4;
  switch (m.kind) {
    case 'shorter': out[i] = v instanceof Int32Array ? new Int32Array(Math.max(0, len - 1)).fill(1) : new Float32Array(Math.max(0, len - 1)); break;
    case 'longer': out[i] = v instanceof Int32Array ? new Int32Array(len + m.grow).fill(1) : new Float32Array(len + m.grow); break;
    case 'empty': out[i] = new Float32Array(0); break;
    case 'null': out[i] = null; break;
    case 'undefined': out[i] = undefined; break;
    case 'number': out[i] = m.dim; break;
    case 'string': out[i] = '3'; break;
    case 'f64': out[i] = new Float64Array(len); break;
    case 'i32':
      // a lengths array with a value out of [1, T], or an Int32Array where floats belong
      out[i] = v instanceof Int32Array ? Int32Array.from(v, (x, j) => (j === 0 ? m.badLength : x)) : new Int32Array(len);
      break;
    case 'dim': {
      // the last numeric argument(s) are dims: change one
      const nums = out.map((a, j) => (typeof a === 'number' ? j : -1)).filter((j) => j >= 0);
      if (nums.length) out[nums[m.at % nums.length]] = m.dim;
      break;
    }
  }
  return out;
}

describe.runIf(native)('native binding argument checks', () => {
  it(`mutated kernel arguments end in a result, TypeError or RangeError (${RUNS} calls)`, () => {
    const counts: Record<string, number> = { calls: 0, returned: 0, TypeError: 0, RangeError: 0 };
    fc.assert(
      fc.property(
        fc.constantFrom<CellKind>('lstm', 'gru', 'rnn'),
        fc.integer({ min: 0, max: 2 ** 20 }),
        fc.array(mutationArb, { minLength: 1, maxLength: 3 }),
        (cell, seed, muts) => {
          const { raw, calls } = recordCalls(native!, cell, seed);
          const call = calls[seed % calls.length];
          let args = call.args;
          for (const m of muts) args = mutate(args, m);
          counts.calls++;
          try {
            raw[call.name](...args);
            counts.returned++;
          } catch (e) {
            if (e instanceof TypeError || e instanceof RangeError) counts[e.name]++;
            else throw new Error(`${call.name}: ${(e as Error)?.name}: ${(e as Error)?.message}`);
          }
        },
      ),
      { numRuns: RUNS, seed: fuzzSeed() },
    );
    report('native binding', counts);
    expect(counts.calls).toBeGreaterThanOrEqual(RUNS);
  });
});
