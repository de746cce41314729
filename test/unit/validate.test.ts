// The kernel checks remember each shape's size list after its first call: a remembered shape must
// still have every buffer checked on every call, a bad shape must never be remembered, and more
// shapes than are kept must not mix their lists up.
import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../src/errors.js';
import type { Backend, CellDims } from '../../src/backend/types.js';
import { forwardScratch } from '../../src/layout/cells.js';
import { testBackends } from '../helpers/backends.js';

const backends = await testBackends();

function rnnArgs(backend: Backend, d: CellDims) {
  const { T, B, I, H } = d;
  const a = (n: number) => backend.alloc(n);
  return {
    h: a(T * B * H), x: a(T * B * I), lengths: null, h0: null, w_ih: a(H * I), w_hh: a(H * H), b_ih: a(H), b_hh: a(H),
    w_t: a(forwardScratch('rnn', d)),
  };
}

describe.each(backends.map((b) => ({ name: b.info().name, backend: b })))('kernel checks on $name', ({ backend }) => {
  it('a shape already run still has every buffer checked', () => {
    const d = { T: 3, B: 2, I: 5, H: 4 };
    const args = rnnArgs(backend, d);
    backend.rnn_forward(args, d, 'tanh');
    backend.rnn_forward(args, d, 'tanh');
    expect(() => backend.rnn_forward({ ...args, w_hh: backend.alloc(15) }, d, 'tanh')).toThrow(
      new ShapeError('rnn_forward: w_hh must have 1*H*H = 16 elements, got 15'),
    );
    expect(() => backend.rnn_forward({ ...args, x: null as never }, d, 'tanh')).toThrow('rnn_forward: x is required, got null');
    expect(() => backend.rnn_forward({ ...args, lengths: Int32Array.from([3, 4]) }, d, 'tanh')).toThrow(
      'rnn_forward: lengths[1] must be in [1, T=3], got 4',
    );
  });

  it('a bad shape is refused every time, never remembered', () => {
    const d = { T: 2, B: 1, I: 1, H: 2 };
    const args = rnnArgs(backend, d);
    for (let i = 0; i < 2; i++)
      expect(() => backend.rnn_forward(args, { ...d, B: 1.5 }, 'tanh')).toThrow('rnn_forward: B must be a positive integer, got 1.5');
    const y = backend.alloc(2);
    const lin = { y, x: backend.alloc(4), w: backend.alloc(2), b: null };
    backend.linear_forward(lin, { N: 2, In: 2, O: 1 });
    expect(() => backend.linear_forward(lin, { N: 2, In: 2, O: 0 })).toThrow('linear_forward: O must be a positive integer, got 0');
    expect(() => backend.linear_forward(lin, { N: 2, In: NaN, O: 1 })).toThrow('linear_forward: In must be a positive integer, got NaN');
  });

  it('more shapes than are kept: each call is checked against its own shape', () => {
    const shapes = Array.from({ length: 12 }, (_, i) => ({ T: 1 + (i % 3), B: 1 + i, I: 2, H: 3 }));
    const args = shapes.map((d) => rnnArgs(backend, d));
    for (let round = 0; round < 2; round++) {
      shapes.forEach((d, i) => {
        backend.rnn_forward(args[i], d, 'tanh');
        // another shape's (valid) buffers must fail this shape's check
        const other = args[(i + 1) % shapes.length];
        expect(() => backend.rnn_forward({ ...args[i], h: other.h }, d, 'tanh')).toThrow(
          `rnn_forward: h must have T*B*H = ${d.T * d.B * d.H} elements, got ${other.h.length}`,
        );
      });
    }
  });

  it('optimizer steps check their buffers and hyper-parameters on every call', () => {
    const p = backend.alloc(8);
    const args = {
      p, g: backend.alloc(8), m: backend.alloc(8), v: backend.alloc(8), vmax: null, lr: 1e-3, beta1: 0.9, beta2: 0.999,
      eps: 1e-8, weightDecay: 0, stepSize: 1e-3, bc2Sqrt: 0.03, amsgrad: false, decoupled: false,
    };
    backend.adam_step(args);
    expect(() => backend.adam_step({ ...args, amsgrad: true })).toThrow('adam_step: vmax is required, got null');
    expect(() => backend.adam_step({ ...args, v: backend.alloc(7) })).toThrow(new ShapeError('adam_step: v must have p.length = 8 elements, got 7'));
    expect(() => backend.adam_step({ ...args, bc2Sqrt: NaN })).toThrow('adam_step: bc2Sqrt must be a finite number, got NaN');
    const sgd = { p, g: args.g, buf: null, lr: 0.1, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false, firstStep: true };
    expect(() => backend.sgd_step(sgd)).toThrow('sgd_step: buf is required, got null');
    expect(() => backend.sgd_step({ ...sgd, momentum: 0, lr: Infinity })).toThrow('sgd_step: lr must be a finite number, got Infinity');
    const rms = { p, g: args.g, sq: args.m, ga: null, buf: null, lr: 0.01, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: true };
    expect(() => backend.rmsprop_step(rms)).toThrow('rmsprop_step: ga is required, got null');
    backend.rmsprop_step({ ...rms, centered: false });
  });
});
