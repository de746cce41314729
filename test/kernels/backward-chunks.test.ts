// Backward keeps the gate gradients of a chunk of Tc steps (kernels.h backward_chunk_steps) and
// computes each chunk's weight gradients and dx when the chunk is complete. These shapes have
// several chunks and a ragged one (T not a multiple of Tc), so every chunk boundary, the t = 0
// chunk (h0) and the short chunk are exercised, on every cell and backend, against the float64
// reference; and native results do not depend on the thread count.
import { describe, expect, it } from 'vitest';
import { closeness } from '../helpers/close.js';
import { testBackends } from '../helpers/backends.js';
import { randomCellCase, type CaseFlags } from '../helpers/random.js';
import { FORWARD_KEYS, resultKeys, runKernels, runReference } from '../helpers/run-kernel.js';
import { FLOAT32_FORWARD, FLOAT32_GRADS } from '../helpers/rnn-fixture.js';
import { expectVariantsMatchReferenceOnAnyThreads } from '../helpers/native-variants.js';
import { NativeBackend } from '../../src/backend/native.js';
import { BACKWARD_CHUNK_ROWS, GATES, backwardChunkSteps, planDirection, type CellKind } from '../../src/layout/cells.js';
import type { CellDims, Nonlinearity } from '../../src/backend/types.js';

// Tc = ceil(256 / B), at least 2: B = 64 gives 4 (nine chunks of 4 and one of 1 in T = 37, D4 and row-major
// WASM layouts by H), B = 200 gives 2 (a last chunk of one step), B = 600 the minimum 2.
const SHAPES: CellDims[] = [
  { T: 37, B: 64, I: 5, H: 9 },
  { T: 37, B: 64, I: 3, H: 12 },
  { T: 13, B: 200, I: 4, H: 5 },
  { T: 5, B: 600, I: 2, H: 4 },
];
const FLAGS: CaseFlags[] = [
  { initial: true, finalGrads: true, stepGrads: true },
  { initial: false, finalGrads: false, stepGrads: true },
  { initial: true, finalGrads: true, stepGrads: false },
  { initial: true, finalGrads: true, stepGrads: true, variableLengths: true },
];
const CELLS: Array<{ cell: CellKind; nonlinearity: Nonlinearity }> = [
  { cell: 'lstm', nonlinearity: 'tanh' },
  { cell: 'gru', nonlinearity: 'tanh' },
  { cell: 'rnn', nonlinearity: 'tanh' },
  { cell: 'rnn', nonlinearity: 'relu' },
];
const label = (c: (typeof CELLS)[number]): string => (c.cell === 'rnn' ? `rnn_${c.nonlinearity}` : c.cell);

describe('the chunk plan', () => {
  it.each(SHAPES)('%o has several chunks, the first processed one shorter', ({ T, B }) => {
    const Tc = backwardChunkSteps(T, B);
    expect(Tc).toBeGreaterThanOrEqual(2);
    expect(Math.ceil(T / Tc)).toBeGreaterThanOrEqual(3);
    expect(T % Tc).not.toBe(0);
  });

  it('chunks hold about BACKWARD_CHUNK_ROWS rows, at least 2 and at most T steps', () => {
    expect(backwardChunkSteps(128, 64)).toBe(BACKWARD_CHUNK_ROWS / 64);
    expect(backwardChunkSteps(128, 100) * 100).toBeGreaterThanOrEqual(BACKWARD_CHUNK_ROWS);
    expect(backwardChunkSteps(128, 4096)).toBe(2);
    expect(backwardChunkSteps(10, 1)).toBe(10);
    expect(backwardChunkSteps(1, 1)).toBe(1);
  });

  it('the workspace plans dgates (and GRU dgates_hn) for one chunk, not all T steps', () => {
    const dims = { T: 128, B: 64, I: 32, H: 256 };
    const Tc = backwardChunkSteps(dims.T, dims.B);
    for (const cell of ['lstm', 'gru', 'rnn'] as const) {
      const slices = planDirection(cell, dims, false).slices;
      expect(slices.get('dgates')!.length).toBe(Tc * dims.B * GATES[cell] * dims.H);
      if (cell === 'gru') expect(slices.get('dgates_hn')!.length).toBe(Tc * dims.B * dims.H);
    }
  });
});

const backends = await testBackends();

describe.each(backends.map((b) => ({ name: b.info().name, backend: b })))('chunked backward on $name', ({ backend }) => {
  it('refuses a dgates scratch sized for all T steps, naming the chunk size', () => {
    const d = { T: 37, B: 64, I: 3, H: 4 };
    const { T, B, I, H } = d;
    const bufs: Array<ReturnType<typeof backend.alloc>> = [];
    const buf = (n: number) => {
      const b = backend.alloc(n);
      bufs.push(b);
      return b;
    };
    try {
      const args = {
        dx: null, dh0: null, dw_ih: buf(H * I), dw_hh: buf(H * H), db_ih: buf(H), db_hh: buf(H), dh: null, dhT: buf(B * H),
        x: buf(T * B * I), lengths: null, h0: null, h: buf(T * B * H), w_ih: buf(H * I), w_hh: buf(H * H),
        dgates: buf(T * B * H), dh_next: buf(B * H),
      };
      expect(() => backend.rnn_backward(args, d, 'tanh')).toThrow(
        `rnn_backward: dgates must have Tc*B*H (Tc = backwardChunkSteps(T, B) = 4) = ${4 * B * H} elements, got ${T * B * H}`,
      );
      args.dgates = buf(backwardChunkSteps(T, B) * B * H);
      expect(() => backend.rnn_backward(args, d, 'tanh')).not.toThrow();
    } finally {
      for (const b of bufs) backend.free(b);
    }
  });

  for (const c of CELLS) {
    it.each(SHAPES)(`${label(c)} matches the float64 reference for %o`, (dims) => {
      for (const [i, flags] of FLAGS.entries()) {
        const k = randomCellCase(c.cell, dims, 300 + i, flags, c.nonlinearity);
        const want = runReference(k);
        const got = runKernels(backend, k);
        for (const key of resultKeys(c.cell)) {
          const r = closeness(got[key], want[key], FORWARD_KEYS.has(key) ? FLOAT32_FORWARD : FLOAT32_GRADS, `${key} (flags ${i})`);
          expect(r.ok, r.message).toBe(true);
        }
      }
    });
  }
});

const native = backends.find((b): b is NativeBackend => b instanceof NativeBackend);
describe.runIf(native)('chunked backward on native threads', () => {
  it.each(CELLS.map((c) => ({ ...c, name: label(c) })))(
    '$name: every SIMD variant matches the reference, and 1 and 2 threads give bit-identical results over several chunks',
    (c) => {
      // H >= 2 column panels of the widest variant (32 units), so the team has 2 threads.
      for (const dims of [{ T: 37, B: 64, I: 7, H: 40 }, { T: 13, B: 200, I: 4, H: 36 }])
        expectVariantsMatchReferenceOnAnyThreads(native!, randomCellCase(c.cell, dims, 17, { variableLengths: true }, c.nonlinearity), JSON.stringify(dims));
    },
  );
});
