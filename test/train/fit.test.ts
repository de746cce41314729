// fit(): learns a noisy sine wave to a stated validation error, reproducibly; keeps the event loop
// responsive while training; can be cancelled; stops on divergence with the last good weights; early
// stopping restores the best weights; the model refuses use while a fit is under way.
import { describe, expect, it } from 'vitest';
import { SequenceModel } from '../../src/model/sequence-model.js';
import { DivergenceError } from '../../src/train/fit-loop.js';
import { BusyError } from '../../src/errors.js';
import { Rng } from '../../src/random.js';
import { testBackends } from '../helpers/backends.js';
import { sineData } from '../helpers/sine-data.js';


const backends = await testBackends();

describe.each(backends.map((b) => ({ name: b.info().name, backend: b })))('fit on $name', ({ backend }) => {
  const make = (seed = 1) => new SequenceModel({ cell: 'gru', inputSize: 1, hiddenSize: 16, seed }, backend);

  it('learns a noisy sine wave to validation MSE < 0.003, and a seeded rerun gives identical weights', async () => {
    const data = sineData(512, 16, 3);
    const opts = { epochs: 25, batchSize: 32, optimizer: { name: 'adam', lr: 0.01 } as const, validationSplit: 0.2, seed: 5 };
    const a = make();
    const ra = await a.fit(data, opts);
    expect(ra.epochs).toBe(25);
    const finalVal = ra.history.valLoss[ra.history.valLoss.length - 1];
    expect(finalVal).toBeLessThan(0.003);
    expect(finalVal).toBeLessThan(ra.history.valLoss[0] / 10);
    const b = make();
    await b.fit(data, opts);
    expect(Buffer.from(b.params.array.buffer, b.params.array.byteOffset, b.params.array.byteLength).equals(
      Buffer.from(a.params.array.buffer, a.params.array.byteOffset, a.params.array.byteLength))).toBe(true);
    a.dispose();
    b.dispose();
  });

  it('ignores padded steps of variable-length data, NaN included, as predict() does; refuses NaN at a valid step', async () => {
    const data = sineData(96, 12, 7);
    const T = data.seqLen;
    const lengths = Array.from({ length: data.count }, (_, s) => 4 + (s % (T - 3)));
    const withPadding = (fill: number) => {
      const x = data.x.slice();
      for (let s = 0; s < data.count; s++) x.fill(fill, s * T + lengths[s], (s + 1) * T);
      return { ...data, x, lengths };
    };
    const opts = { epochs: 2, batchSize: 16, seed: 3 };
    const [a, b] = [make(), make()];
    await a.fit(withPadding(0), opts);
    await b.fit(withPadding(NaN), opts);
    expect(b.params.array.every(Number.isFinite)).toBe(true);
    expect(Buffer.from(b.params.array.slice().buffer).equals(Buffer.from(a.params.array.slice().buffer))).toBe(true);
    const bad = withPadding(0);
    bad.x[5 * T + 2] = NaN; // row 5's step 2 < lengths[5]: a real input
    await expect(b.fit(bad, opts)).rejects.toThrow(`fit: data: x[${5 * T + 2}] is NaN`);
    await expect(b.fit({ ...bad, lengths: lengths.map((l, s) => (s === 3 ? T + 1 : l)) }, opts)).rejects.toThrow(/lengths\[3\] must be an integer in \[1, seqLen=12\], got 13/);
    a.dispose();
    b.dispose();
  });

  it('keeps the event loop responsive: a 10 ms timer keeps firing during training', async () => {
    const model = new SequenceModel({ cell: 'lstm', inputSize: 4, hiddenSize: 96, seed: 2 }, backend);
    const rng = new Rng(1);
    const count = 256, seqLen = 48;
    const data = { x: Float32Array.from({ length: count * seqLen * 4 }, () => rng.uniform(-1, 1)), targets: new Float32Array(count), count, seqLen };
    let ticks = 0;
    let worstGap = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      worstGap = Math.max(worstGap, now - last);
      last = now;
      ticks++;
    }, 10);
    const started = performance.now();
    await model.fit(data, { epochs: 3, batchSize: 32 });
    const elapsed = performance.now() - started;
    clearInterval(timer);
    expect(elapsed).toBeGreaterThan(200); // long enough for the timer to matter
    expect(ticks).toBeGreaterThan(elapsed / 10 / 3);
    expect(worstGap).toBeLessThan(100);
    model.dispose();
  });

  it('reports progress and can be cancelled with an AbortSignal', async () => {
    const model = make();
    const data = sineData(256, 16, 4);
    const controller = new AbortController();
    const events: number[] = [];
    const run = model.fit(data, {
      epochs: 50,
      batchSize: 16,
      signal: controller.signal,
      onProgress: (e) => {
        events.push(e.batch);
        expect(e).toMatchObject({ epochs: 50, batches: 16 });
        expect(e.seqPerSec).toBeGreaterThan(0);
        if (events.length === 3) controller.abort();
      },
    });
    expect(() => model.predict(data.x.subarray(0, 16), { batchSize: 1, seqLen: 16 })).toThrow(BusyError);
    // fit() is asynchronous: a second one is refused as a rejected promise, never a synchronous throw.
    let second: Promise<unknown> | undefined;
    expect(() => { second = model.fit(data, { epochs: 1 }); }).not.toThrow();
    await expect(second).rejects.toThrow(BusyError);
    await expect(run).rejects.toThrow(/abort/i);
    expect(events.length).toBeLessThan(50 * 16);
    // The model is usable again, with the weights trained so far.
    expect(model.predict(data.x.subarray(0, 16), { batchSize: 1, seqLen: 16 })[0][0]).toBeTypeOf('number');
    model.dispose();
  });

  it('stops on divergence naming epoch and batch, keeping the last good (finite) weights', async () => {
    const model = make();
    const data = sineData(64, 8, 5);
    data.targets[3] = 1e30; // one absurd target: the first update blows the weights up, the next batch overflows
    const err = await model.fit(data, { epochs: 2, batchSize: 8, shuffle: false, optimizer: { name: 'sgd', lr: 0.1 } }).catch((e) => e);
    expect(err).toBeInstanceOf(DivergenceError);
    expect(err.message).toMatch(/^fit diverged at epoch 1, batch 2: .*Infinity.* The model keeps its last good weights/);
    expect(model.params.array.every(Number.isFinite)).toBe(true);
    model.dispose();
  });

  it('early stopping restores the best epoch’s weights', async () => {
    const model = make();
    const data = sineData(256, 16, 6);
    // A learning rate this high wanders after the first epochs, so the best epoch comes early.
    const r = await model.fit(data, { epochs: 30, batchSize: 16, optimizer: { name: 'sgd', lr: 2, momentum: 0.9 }, validationSplit: 0.25, earlyStopping: { patience: 3 }, clipNorm: 5 });
    expect(r.bestEpoch).not.toBeNull();
    const best = Math.min(...r.history.valLoss);
    expect(r.history.valLoss[r.bestEpoch! - 1]).toBe(best);
    if (r.stoppedEarly) expect(r.epochs).toBe(r.bestEpoch! + 3);
    model.dispose();
  });

  it('checks the data before starting a worker', async () => {
    const model = make();
    await expect(model.fit({ x: new Float32Array(10), targets: new Float32Array(2), count: 2, seqLen: 4 }, { epochs: 1 })).rejects.toThrow(
      'fit: data: x must have count * seqLen * inputSize = 8 elements, got 10',
    );
    await expect(model.fit(sineData(4, 4, 1), { epochs: 0 })).rejects.toThrow('fit: epochs must be a positive integer, got 0');
    model.dispose();
  });
});
