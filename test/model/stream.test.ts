// Streaming inference (src/model/stream.ts): stepping a model one input at a time must end in the
// state and head output of one forward pass over the whole sequence (bit for bit on one backend),
// match a float64 stepping loop written from the equations, agree across backends, and reject bad
// input with errors that say what to do.
import { afterAll, describe, expect, it } from 'vitest';
import type { Backend, Nonlinearity } from '../../src/backend/types.js';
import { cellForward } from '../../src/backend/reference.js';
import type { CellKind } from '../../src/layout/cells.js';
import { SequenceModel, type SequenceModelOptions } from '../../src/model/sequence-model.js';
import { NonFiniteError, ShapeError } from '../../src/errors.js';
import { testBackends } from '../helpers/backends.js';
import { closeness } from '../helpers/close.js';

import { readFileSync } from 'node:fs';
import { instantiateWasm } from '../../src/backend/wasm.js';

const backends = await testBackends();
// A WASM module built from this checkout before build/wasm is rebuilt (asc ... --outFile <path>):
// SEQCAST_STREAM_WASM=<path> adds it, so its fused stream_step is tested too.
const extraWasm = process.env.SEQCAST_STREAM_WASM;
if (extraWasm) {
  const b = await instantiateWasm(readFileSync(extraWasm), extraWasm, []);
  if (!b) throw new Error(`SEQCAST_STREAM_WASM=${extraWasm} did not instantiate`);
  backends.push(b);
}
const models: SequenceModel[] = [];
afterAll(() => models.forEach((m) => m.dispose()));

const CASES: Array<{ cell: CellKind; nonlinearity?: Nonlinearity }> = [
  { cell: 'lstm' }, { cell: 'gru' }, { cell: 'rnn' }, { cell: 'rnn', nonlinearity: 'relu' },
];
const I = 3;
const T = 9;
const label = (c: { cell: CellKind; nonlinearity?: Nonlinearity }): string => c.cell + (c.nonlinearity ? `-${c.nonlinearity}` : '');

function model(backend: Backend, opts: Omit<SequenceModelOptions, 'inputSize'> & { inputSize?: number }): SequenceModel {
  const m = new SequenceModel({ inputSize: I, seed: 11, ...opts }, backend);
  models.push(m);
  return m;
}

/** A smooth input with both signs, (T, I) for one sequence. */
const inputs = (steps: number, width = I, phase = 0): Float32Array =>
  Float32Array.from({ length: steps * width }, (_, i) => Math.sin(0.9 * i + phase) * 1.5);

const row = (x: Float32Array, t: number, width = I): Float32Array => x.subarray(t * width, (t + 1) * width);

const labelOf = (b: Backend): string => b.name + (extraWasm && b === backends[backends.length - 1] ? ' (SEQCAST_STREAM_WASM)' : '');
/** The build exports the fused step (addons and modules built before streaming do not). */
const hasFusedStep = (b: Backend): boolean => {
  const internals = b as unknown as { addon?: { stream_bind?: unknown }; k?: { stream_step?: unknown } };
  return typeof (b.name === 'native' ? internals.addon?.stream_bind : internals.k?.stream_step) === 'function';
};

describe.each(backends.map((b) => [labelOf(b), b] as const))('ModelStream on %s', (_name, backend) => {
  it('steps with one fused call exactly when the build has one', () => {
    const m = model(backend, { cell: 'lstm', hiddenSize: 5 });
    const s = m.stream();
    expect(s.fused).toBe(hasFusedStep(backend));
    s.dispose();
    const k = m.stream({ fused: false });
    expect(k.fused).toBe(false);
    k.dispose();
  });

  // H = 37: not a multiple of any SIMD panel width, so the masked tail panels run too.
  describe.each(CASES.map((c) => [label(c), c] as const))('%s', (_l, c) => {
    const m = model(backend, { ...c, hiddenSize: 37, numLayers: 2, heads: [{ outputs: 2 }, { outputs: 1, on: 'all' }] });

    it('ends in forward()’s final state and predict()’s first-head output, bit for bit', () => {
      const x = inputs(T);
      const [want] = m.predict(x, { batchSize: 1, seqLen: T });
      const state = m.finalState();
      for (const fused of [true, false]) {
        const s = m.stream({ fused });
        let y: Float32Array = new Float32Array(0);
        for (let t = 0; t < T; t++) y = s.step(row(x, t));
        expect(Array.from(y), `fused=${fused}`).toEqual(Array.from(want));
        expect(Array.from(s.state.hN)).toEqual(Array.from(state.hN));
        if (c.cell === 'lstm') expect(Array.from(s.state.cN!)).toEqual(Array.from(state.cN!));
        else expect(s.state.cN).toBeNull();
        s.dispose();
      }
    });

    it('gives predict()’s output after every prefix, and continues from a given state', () => {
      const x = inputs(T, I, 0.3);
      const s = m.stream();
      for (let t = 0; t < T; t++) {
        const y = s.step(row(x, t)).slice();
        const [want] = m.predict(x.subarray(0, (t + 1) * I), { batchSize: 1, seqLen: t + 1 });
        expect(Array.from(y), `step ${t}`).toEqual(Array.from(want));
      }
      // resume: the state after the first 4 steps, then the rest, equals predict with h0 (c0)
      m.predict(x.subarray(0, 4 * I), { batchSize: 1, seqLen: 4 });
      const mid = m.finalState();
      s.reset(mid);
      let y: Float32Array = new Float32Array(0);
      for (let t = 4; t < T; t++) y = s.step(row(x, t));
      const [want] = m.predict(x.subarray(4 * I), {
        batchSize: 1, seqLen: T - 4, h0: mid.hN, ...(mid.cN ? { c0: mid.cN } : {}),
      });
      expect(Array.from(y)).toEqual(Array.from(want));
      // reset() without a state restarts from zeros
      s.reset();
      expect(s.state.hN.every((v) => v === 0)).toBe(true);
      const first = s.step(row(x, 0)).slice();
      const [want0] = m.predict(row(x, 0), { batchSize: 1, seqLen: 1 });
      expect(Array.from(first)).toEqual(Array.from(want0));
      s.dispose();
    });

    it('matches a float64 stepping loop written from the equations', () => {
      const x = inputs(T, I, 1.1);
      const s = m.stream();
      const dict = m.stateDict();
      const f64 = (k: string): Float64Array => Float64Array.from(dict[k].data);
      const H = 37;
      const hs: Float64Array[] = [new Float64Array(H), new Float64Array(H)];
      const cs: Float64Array[] = [new Float64Array(H), new Float64Array(H)];
      const hw = f64('head.weight');
      const hb = f64('head.bias');
      for (let t = 0; t < T; t++) {
        let v: Float64Array = Float64Array.from(row(x, t));
        for (let l = 0; l < 2; l++) {
          const p = { w_ih: f64(`rnn.weight_ih_l${l}`), w_hh: f64(`rnn.weight_hh_l${l}`), b_ih: f64(`rnn.bias_ih_l${l}`), b_hh: f64(`rnn.bias_hh_l${l}`) };
          const out = cellForward(c, { x: v, h0: hs[l], c0: c.cell === 'lstm' ? cs[l] : null, lengths: null }, p, { T: 1, B: 1, I: l === 0 ? I : H, H });
          hs[l] = out.h;
          if (out.c) cs[l] = out.c;
          v = out.h;
        }
        const want = [0, 1].map((o) => hb[o] + hs[1].reduce((sum, h, k) => sum + hw[o * H + k] * h, 0));
        const got = s.step(row(x, t));
        const close = closeness(got, want, { atol: 2e-6, rtol: 2e-5 }, `y at step ${t}`);
        expect(close.ok, close.message).toBe(true);
      }
      const close = closeness(s.state.hN, [...hs[0], ...hs[1]], { atol: 2e-6, rtol: 2e-5 }, 'hN');
      expect(close.ok, close.message).toBe(true);
      s.dispose();
    });
  });

  it('steps a first head on: "all" as its output at the current step', () => {
    const m = model(backend, { cell: 'lstm', hiddenSize: 9, heads: [{ outputs: 2, on: 'all' }] });
    const x = inputs(5);
    const [all] = m.predict(x, { batchSize: 1, seqLen: 5 }); // (1, 5, 2)
    const s = m.stream();
    for (let t = 0; t < 5; t++) expect(Array.from(s.step(row(x, t))), `step ${t}`).toEqual(Array.from(all.subarray(2 * t, 2 * t + 2)));
    s.dispose();
  });

  it('stays bit-identical past the products\' K blocking (hiddenSize 264 > 256)', () => {
    const m = model(backend, { cell: 'gru', hiddenSize: 264, numLayers: 2, heads: [{ outputs: 1 }] });
    const x = inputs(3);
    const [want] = m.predict(x, { batchSize: 1, seqLen: 3 });
    const s = m.stream();
    for (let t = 0; t < 2; t++) s.step(row(x, t));
    expect(Array.from(s.step(row(x, 2)))).toEqual(Array.from(want));
    s.dispose();
  });

  it('returns its own output buffer, reused by every step', () => {
    const m = model(backend, { cell: 'gru', hiddenSize: 8 });
    const s = m.stream();
    const a = s.step([0.5, -1, 2]);
    const kept = a.slice();
    const b = s.step([1, 1, 1]);
    expect(b).toBe(a);
    expect(Array.from(b)).not.toEqual(Array.from(kept));
    s.dispose();
  });

  it('snapshots the weights: loadStateDict() affects new streams only', () => {
    const m = model(backend, { cell: 'lstm', hiddenSize: 6, heads: [{ outputs: 1 }] });
    const old = m.stream();
    const dict = m.stateDict();
    for (const v of Object.values(dict)) v.data.forEach((w, i) => (v.data[i] = w * 0.5 + 0.01));
    const x = [0.3, -0.2, 0.9];
    const before = old.step(x)[0];
    m.loadStateDict(dict);
    old.reset();
    expect(old.step(x)[0]).toBe(before);
    const fresh = m.stream();
    const [want] = m.predict(Float32Array.from(x), { batchSize: 1, seqLen: 1 });
    expect(fresh.step(x)[0]).toBe(want[0]);
    expect(fresh.step(x)[0]).not.toBe(before);
    old.dispose();
    fresh.dispose();
  });

  it('rejects bad input, bad states and use after dispose with errors that say what to do', () => {
    const lstm = model(backend, { cell: 'lstm', hiddenSize: 4, numLayers: 2 });
    const s = lstm.stream();
    expect(() => s.step([1, 2])).toThrow(ShapeError);
    expect(() => s.step([1, 2])).toThrow('x must have inputSize = 3 values, got 2');
    expect(() => s.step(0.5 as unknown as number[])).toThrow('got the number 0.5 (pass [0.5])');
    expect(() => s.step([1, NaN, 2])).toThrow(NonFiniteError);
    expect(() => s.step([1, NaN, 2])).toThrow('x[1] is NaN');
    expect(() => s.reset({ hN: new Float32Array(4), cN: new Float32Array(8) })).toThrow(
      'state.hN must have numLayers * hiddenSize = 8 values',
    );
    expect(() => s.reset({ hN: new Float32Array(8), cN: null })).toThrow('state.cN must be a Float32Array');
    expect(() => s.reset({ hN: new Float32Array(8).fill(Infinity), cN: new Float32Array(8) })).toThrow(NonFiniteError);
    // a failed reset or step leaves the state as it was
    s.step([1, 2, 3]);
    const kept = s.state;
    expect(() => s.reset({ hN: new Float32Array(8), cN: new Float32Array(7) })).toThrow(ShapeError);
    expect(() => s.step([1, Infinity, 3])).toThrow(NonFiniteError);
    expect(s.state).toEqual(kept);
    s.dispose();
    s.dispose(); // idempotent
    expect(() => s.step([1, 2, 3])).toThrow('this stream was disposed; call model.stream() for a new one');
    expect(() => s.reset()).toThrow('disposed');

    const gru = model(backend, { cell: 'gru', hiddenSize: 4 });
    expect(() => gru.stream().reset({ hN: new Float32Array(4), cN: new Float32Array(4) })).toThrow('cN is for LSTM cells only');

    const bi = model(backend, { cell: 'gru', hiddenSize: 4, bidirectional: true });
    expect(() => bi.stream()).toThrow(/bidirectional model cannot be streamed.*use predict\(\) on whole windows/);
  });

  it.runIf(hasFusedStep(backend))('checks every buffer once, when binding', () => {
    const H = 4, L = 2, O = 1;
    const buf = (n: number) => backend.alloc(n);
    const params = buf(4 * H * (I + H + 2) + 4 * H * (2 * H + 2));
    const args = { y: buf(O), h: buf(L * H), c: buf(L * H), x: buf(I), params, head_w: buf(O * H), head_b: buf(O) };
    const dims = { cell: 'lstm' as const, L, I, H, O };
    const ok = backend.stream_bind!(args, dims);
    expect(ok).not.toBeNull();
    ok!.step();
    ok!.release();
    expect(() => backend.stream_bind!({ ...args, params: params.sub(0, params.length - 1) }, dims)).toThrow(
      "stream_bind: params must have the layers' weights and biases = 304 elements, got 303",
    );
    expect(() => backend.stream_bind!({ ...args, c: null }, dims)).toThrow('stream_bind: c is required');
    expect(() => backend.stream_bind!(args, { ...dims, cell: 'gru' })).toThrow('c must be null for a GRU or RNN');
    expect(() => backend.stream_bind!(args, { ...dims, H: 0 })).toThrow('H must be a positive integer, got 0');
    expect(() => backend.stream_bind!({ ...args, y: buf(2) }, dims)).toThrow('y must have O = 1 elements, got 2');
  });
});

const native = backends.find((b) => b.name === 'native') as (Backend & { variants(): string[]; setVariant(v: string): void }) | undefined;

describe.runIf(native !== undefined)('ModelStream on every native SIMD variant', () => {
  it.each(CASES.map((c) => [label(c), c] as const))('%s: equals predict() bit for bit, even after setVariant()', (_l, c) => {
    const b = native!;
    const m = model(b, { ...c, hiddenSize: 21, numLayers: 2, heads: [{ outputs: 2 }] });
    const x = inputs(T, I, 2.2);
    try {
      for (const v of b.variants()) {
        b.setVariant(v);
        const [want] = m.predict(x, { batchSize: 1, seqLen: T });
        const s = m.stream();
        // a fused stream keeps the kernels that packed its weights: switching now changes nothing
        // (the per-layer fallback runs whichever variant is active)
        if (s.fused) b.setVariant(v === 'scalar' ? 'best' : 'scalar');
        let y: Float32Array = new Float32Array(0);
        for (let t = 0; t < T; t++) y = s.step(row(x, t));
        expect(Array.from(y), v).toEqual(Array.from(want));
        s.dispose();
      }
    } finally {
      b.setVariant('best');
    }
  });
});

describe.runIf(backends.length >= 2)('ModelStream across backends', () => {
  it.each(CASES.map((c) => [label(c), c] as const))('%s: every backend gives the same outputs', (_l, c) => {
    const x = inputs(24, 8, 0.7);
    const ys = backends.map((b) => {
      const s = model(b, { ...c, inputSize: 8, hiddenSize: 40, numLayers: 2, heads: [{ outputs: 3 }] }).stream();
      const out: number[] = [];
      for (let t = 0; t < 24; t++) out.push(...s.step(row(x, t, 8)));
      s.dispose();
      return out;
    });
    for (let i = 1; i < ys.length; i++) {
      const close = closeness(ys[i], ys[0], { atol: 2e-6, rtol: 2e-5 }, `${backends[i].name} vs ${backends[0].name}`);
      expect(close.ok, close.message).toBe(true);
    }
  });
});
