// Runs one `rnn` PyTorch fixture (format in ../shared/fixtures/README.md) through the layer on a
// backend, or through the float64 reference, and compares every output and gradient.
import { Recurrent } from '../../src/model/recurrent.js';
import type { Backend, Nonlinearity } from '../../src/backend/types.js';
import { refStack } from '../../src/backend/reference.js';
import type { CellKind } from '../../src/layout/cells.js';
import { closeness, type Closeness, type Tolerance } from './close.js';
import { f32, f64, type Fixture } from './fixtures.js';

/** The fixture README's float32 tolerances, and the float64 one for the reference. */
export const FLOAT32_FORWARD: Tolerance = { atol: 1e-5, rtol: 1e-4 };
export const FLOAT32_GRADS: Tolerance = { atol: 1e-4, rtol: 1e-3 };
export const FLOAT64_ALL: Tolerance = { atol: 1e-9, rtol: 1e-9 };

/** Fixture cell names and what they mean here; other fixtures are reported as not implemented. */
const CELLS: Record<string, { cell: CellKind; nonlinearity?: Nonlinearity }> = {
  lstm: { cell: 'lstm' },
  gru: { cell: 'gru' },
  rnn_tanh: { cell: 'rnn', nonlinearity: 'tanh' },
  rnn_relu: { cell: 'rnn', nonlinearity: 'relu' },
};

export function isImplementedRnn(fx: Fixture): boolean {
  return fx.kind === 'rnn' && fx.body.config.cell in CELLS;
}

interface Produced {
  output: ArrayLike<number>;
  hN: ArrayLike<number>;
  cN: ArrayLike<number> | null;
  dx: ArrayLike<number>;
  dh0: ArrayLike<number> | null;
  dc0: ArrayLike<number> | null;
  params: Record<string, ArrayLike<number>>;
}

function compare(fx: Fixture, got: Produced, fwd: Tolerance, grad: Tolerance): Closeness[] {
  const b = fx.body;
  const checks = [
    closeness(got.output, b.outputs.output.data, fwd, 'output', b.outputs.output.shape),
    closeness(got.hN, b.outputs.h_n.data, fwd, 'h_n', b.outputs.h_n.shape),
    closeness(got.dx, b.grads.x.data, grad, 'grad x', b.grads.x.shape),
  ];
  if (b.outputs.c_n) checks.push(closeness(got.cN ?? [], b.outputs.c_n.data, fwd, 'c_n', b.outputs.c_n.shape));
  if (b.grads.h0) checks.push(closeness(got.dh0 ?? [], b.grads.h0.data, grad, 'grad h0', b.grads.h0.shape));
  if (b.grads.c0) checks.push(closeness(got.dc0 ?? [], b.grads.c0.data, grad, 'grad c0', b.grads.c0.shape));
  for (const [name, want] of Object.entries<any>(b.grads.params))
    checks.push(closeness(got.params[name] ?? [], want.data, grad, `grad ${name}`, want.shape));
  return checks;
}

function config(fx: Fixture) {
  const c = fx.body.config;
  return {
    ...CELLS[c.cell],
    inputSize: c.input_size as number,
    hiddenSize: c.hidden_size as number,
    numLayers: c.num_layers as number,
    bidirectional: c.bidirectional as boolean,
    B: c.batch as number,
    T: c.seq_len as number,
    /** Packed-sequence fixtures (test/fixtures/packed) give each sequence's length. */
    lengths: (fx.body.inputs.lengths as number[] | undefined) ?? null,
  };
}

export function runRnnFixtureOnBackend(fx: Fixture, backend: Backend): Closeness[] {
  const b = fx.body;
  const { B, T, lengths, ...cfg } = config(fx);
  const layer = new Recurrent(cfg, backend);
  try {
    const params: Record<string, Float32Array> = {};
    for (const [k, v] of Object.entries<any>(b.params)) params[k] = f32(v)!;
    layer.loadStateDict(params);
    const init = b.inputs.h0 ? { h0: f32(b.inputs.h0)!, c0: f32(b.inputs.c0) ?? undefined } : {};
    const out = layer.forward(f32(b.inputs.x)!, { batchSize: B, seqLen: T, ...init, ...(lengths ? { lengths } : {}) });
    layer.zeroGrad();
    const g = layer.backward({
      dOutput: f32(b.upstream.output)!,
      dhN: f32(b.upstream.h_n) ?? undefined,
      dcN: f32(b.upstream.c_n) ?? undefined,
    });
    const gp: Record<string, Float32Array> = {};
    for (const [k, v] of Object.entries(layer.gradDict())) gp[k] = v.data;
    return compare(fx, { ...out, dx: g.dx, dh0: g.dh0, dc0: g.dc0, params: gp }, FLOAT32_FORWARD, FLOAT32_GRADS);
  } finally {
    layer.dispose();
  }
}

export function runRnnFixtureOnReference(fx: Fixture): Closeness[] {
  const b = fx.body;
  const { B, T, lengths, ...cfg } = config(fx);
  const params: Record<string, Float64Array> = {};
  for (const [k, v] of Object.entries<any>(b.params)) params[k] = f64(v)!;
  const inputs = { x: f64(b.inputs.x)!, B, T, h0: f64(b.inputs.h0), c0: f64(b.inputs.c0), lengths: lengths && Int32Array.from(lengths) };
  const r = refStack(cfg, inputs, params, {
    output: f64(b.upstream.output)!,
    hN: f64(b.upstream.h_n),
    cN: f64(b.upstream.c_n),
  });
  const g = r.grads!;
  return compare(fx, { ...r, dx: g.x, dh0: g.h0, dc0: g.c0, params: g.params }, FLOAT64_ALL, FLOAT64_ALL);
}
