// Concurrency (issue #10, part 4): several models fitting at once (each fit() in its own worker
// thread) end with bit-identical weights and losses to the same fits run one after another; a model
// that is fitting refuses every other call with BusyError, and the refusals leave the running fit and
// its result untouched; other models stay usable meanwhile; cancelling one fit leaves the others alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BusyError } from '../../src/errors.js';
import type { Backend } from '../../src/backend/types.js';
import { SequenceModel, type SequenceModelOptions } from '../../src/model/sequence-model.js';
import type { FitOptions } from '../../src/train/fit.js';
import type { FitResult } from '../../src/train/fit-loop.js';
import { serializeModel } from '../../src/persist/save.js';
import { testBackends } from '../helpers/backends.js';
import { sineData } from '../helpers/sine-data.js';


/** Four different jobs: every cell, stacked and bidirectional, different optimizers and seeds. */
const JOBS: Array<{ options: SequenceModelOptions; fit: FitOptions; data: ReturnType<typeof sineData> }> = [
  { options: { cell: 'lstm', inputSize: 1, hiddenSize: 24, seed: 1 }, fit: { epochs: 2, batchSize: 16, seed: 1 }, data: sineData(96, 12, 1) },
  { options: { cell: 'gru', inputSize: 1, hiddenSize: 16, numLayers: 2, seed: 2 }, fit: { epochs: 2, batchSize: 16, seed: 2, optimizer: { name: 'sgd', lr: 0.05, momentum: 0.9 } }, data: sineData(96, 10, 2) },
  { options: { cell: 'rnn', inputSize: 1, hiddenSize: 20, bidirectional: true, seed: 3 }, fit: { epochs: 2, batchSize: 8, seed: 3, clipNorm: 1 }, data: sineData(64, 8, 3) },
  { options: { cell: 'lstm', inputSize: 1, hiddenSize: 12, numLayers: 2, dropout: 0.2, seed: 4 }, fit: { epochs: 2, batchSize: 16, seed: 4, optimizer: { name: 'rmsprop', lr: 0.01 } }, data: sineData(96, 12, 4) },
];

const bits = (a: Float32Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** The outcome of a call that may throw synchronously or return a promise that rejects. */
async function outcome(call: () => unknown): Promise<unknown> {
  try {
    await call();
    return 'returned';
  } catch (e) {
    return e;
  }
}

const backends = await testBackends();

describe.each(backends.map((b) => ({ name: b.info().name, backend: b })))('concurrent fits on $name', ({ backend }) => {
  const build = (b: Backend) => JOBS.map((j) => new SequenceModel(j.options, b));
  // The reference: every job fitted alone, one after another.
  const oneByOne = build(backend);
  const resultsOneByOne: FitResult[] = [];
  beforeAll(async () => {
    for (const [i, m] of oneByOne.entries()) resultsOneByOne.push(await m.fit(JOBS[i].data, JOBS[i].fit));
  });
  afterAll(() => {
    for (const m of oneByOne) m.dispose();
  });

  it('four models fitting at once give bit-identical weights and losses to the same fits run one by one', async () => {
    const together = build(backend);
    const resultsTogether = await Promise.all(together.map((m, i) => m.fit(JOBS[i].data, JOBS[i].fit)));
    for (let i = 0; i < JOBS.length; i++) {
      expect(resultsTogether[i].history.loss, `job ${i} losses`).toEqual(resultsOneByOne[i].history.loss);
      expect(bits(together[i].params.array).equals(bits(oneByOne[i].params.array)), `job ${i} weights`).toBe(true);
      // and the fit did change the weights: the comparison is not between two untouched models
      const fresh = new SequenceModel(JOBS[i].options, backend);
      expect(bits(fresh.params.array).equals(bits(together[i].params.array)), `job ${i} trained`).toBe(false);
      fresh.dispose();
    }
    for (const m of together) m.dispose();
  });

  it('a fitting model refuses every other call with BusyError, and its fit ends as if undisturbed', async () => {
    const job = JOBS[0];
    const [quiet, quietResult] = [oneByOne[0], resultsOneByOne[0]];

    const model = new SequenceModel(job.options, backend);
    const x = job.data.x.subarray(0, 2 * job.data.seqLen);
    const running = model.fit(job.data, job.fit);
    const calls: Record<string, () => unknown> = {
      predict: () => model.predict(x, { batchSize: 2, seqLen: job.data.seqLen }),
      forward: () => model.forward(x, { batchSize: 2, seqLen: job.data.seqLen, training: true }),
      backward: () => model.backward([new Float32Array(2)]),
      'a second fit': () => model.fit(job.data, job.fit),
      loadStateDict: () => model.loadStateDict(model.stateDict()),
      dispose: () => model.dispose(),
      serializeModel: () => serializeModel(model),
    };
    for (const [what, call] of Object.entries(calls)) {
      const e = await outcome(call);
      expect(e, `${what} during fit()`).toBeInstanceOf(BusyError);
      expect((e as Error).message, what).toMatch(/^Model is busy: await the previous fit\(\) before calling \w+\(\)/);
    }
    expect(model.isDisposed).toBe(false);
    const result = await running;
    expect(bits(model.params.array).equals(bits(quiet.params.array))).toBe(true);
    expect(result.history.loss).toEqual(quietResult.history.loss);
    // Usable again once the fit has settled.
    expect(model.predict(x, { batchSize: 2, seqLen: job.data.seqLen })[0]).toEqual(quiet.predict(x, { batchSize: 2, seqLen: job.data.seqLen })[0]);
    model.dispose();
  });

  it('other models predict correctly while one fits', async () => {
    const [fitting, other] = [0, 1].map((i) => new SequenceModel(JOBS[i].options, backend));
    const x = JOBS[1].data.x.subarray(0, 4 * JOBS[1].data.seqLen);
    const opts = { batchSize: 4, seqLen: JOBS[1].data.seqLen };
    const before = other.predict(x, opts)[0];
    const running = fitting.fit(JOBS[0].data, JOBS[0].fit);
    let during = 0;
    while (during < 20) {
      expect(bits(other.predict(x, opts)[0]).equals(bits(before))).toBe(true);
      during++;
      await new Promise((r) => setImmediate(r));
    }
    await running;
    fitting.dispose();
    other.dispose();
  });

  it('cancelling one of three concurrent fits leaves the other two exactly as when run alone', async () => {
    const alone = oneByOne;
    const models = build(backend);
    const controller = new AbortController();
    const runs = [
      models[0].fit(JOBS[0].data, JOBS[0].fit),
      models[1].fit(JOBS[1].data, { ...JOBS[1].fit, epochs: 200, signal: controller.signal, onProgress: () => controller.abort() }),
      models[2].fit(JOBS[2].data, JOBS[2].fit),
    ];
    const settled = await Promise.allSettled(runs);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((settled[1] as PromiseRejectedResult).reason)).toMatch(/abort/i);
    expect(bits(models[0].params.array).equals(bits(alone[0].params.array))).toBe(true);
    expect(bits(models[2].params.array).equals(bits(alone[2].params.array))).toBe(true);
    expect(models[1].params.array.every(Number.isFinite)).toBe(true);
    for (const m of models) m.dispose();
  });
});
