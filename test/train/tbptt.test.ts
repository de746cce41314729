// Truncated BPTT and stateful training, checked against their definitions written out with the
// public model API: TBPTT = run the early steps without gradient, then learn from the last k steps
// starting from that state; stateful = each batch starts where the same rows of the previous one ended.
import { describe, expect, it } from 'vitest';
import { SequenceModel } from '../../src/model/sequence-model.js';
import { createOptimizer } from '../../src/train/optimizers.js';
import { trainStep } from '../../src/train/step.js';
import { computeLoss } from '../../src/train/losses.js';
import { Rng } from '../../src/random.js';
import { testBackends } from '../helpers/backends.js';

const backends = await testBackends();
const random = (n: number, seed: number) => {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => rng.uniform(-1, 1));
};

describe.each(backends.map((b) => ({ name: b.info().name, backend: b })))('tbptt and stateful on $name', ({ backend }) => {
  const opts = { cell: 'lstm' as const, inputSize: 2, hiddenSize: 5, seed: 3 };

  it('tbptt with a last-step head learns from the last k steps only, starting from the carried state', async () => {
    const B = 4, T = 12, k = 5;
    const data = { x: random(B * T * 2, 1), targets: random(B, 2), count: B, seqLen: T };
    const sgd = { name: 'sgd' as const, lr: 0.1 };
    const model = new SequenceModel(opts, backend);
    await model.fit(data, { epochs: 1, batchSize: B, shuffle: false, optimizer: sgd, tbptt: k });

    // The definition: forward over the steps before the final chunk without learning, then one step on it.
    // Chunks run from the start, [0,5) [5,10) [10,12): the state after 10 steps feeds the final chunk.
    const manual = new SequenceModel(opts, backend);
    const first = new Float32Array(B * 10 * 2);
    const last = new Float32Array(B * 2 * 2);
    for (let b = 0; b < B; b++) {
      first.set(data.x.subarray(b * T * 2, (b * T + 10) * 2), b * 10 * 2);
      last.set(data.x.subarray((b * T + 10) * 2, (b + 1) * T * 2), b * 2 * 2);
    }
    manual.forward(first, { batchSize: B, seqLen: 10, training: true });
    const { hN, cN } = manual.finalState();
    const opt = createOptimizer(sgd, backend, manual.params, manual.grads);
    trainStep(manual, opt, [{ name: 'mse' }], { x: last, targets: [data.targets], batchSize: B, seqLen: 2, h0: hN, c0: cN! });
    const a = model.params.array, m = manual.params.array;
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - m[i])).toBeLessThan(1e-6);
    opt.dispose();
    model.dispose();
    manual.dispose();
  });

  it('stateful batches continue each other: with lr 0, batch 2 loses exactly what the joined sequences lose', async () => {
    const B = 3, T = 6;
    // Sample i of batch 2 (rows 3..5) continues sample i of batch 1 (rows 0..2).
    const x = random(2 * B * T * 2, 4);
    const y = random(2 * B, 5);
    const losses: number[] = [];
    const model = new SequenceModel(opts, backend);
    await model.fit(
      { x, targets: y, count: 2 * B, seqLen: T },
      { epochs: 1, batchSize: B, stateful: true, optimizer: { name: 'sgd', lr: 0 }, onProgress: (e) => losses.push(e.loss) },
    );
    const joined = new Float32Array(B * 2 * T * 2);
    for (let b = 0; b < B; b++) {
      joined.set(x.subarray(b * T * 2, (b + 1) * T * 2), b * 2 * T * 2);
      joined.set(x.subarray((B + b) * T * 2, (B + b + 1) * T * 2), (b * 2 * T + T) * 2);
    }
    const [prediction] = model.predict(joined, { batchSize: B, seqLen: 2 * T });
    const want = computeLoss({ name: 'mse' }, prediction, y.subarray(B), 1).value;
    expect(losses).toHaveLength(2);
    expect(Math.abs(losses[1] - want)).toBeLessThan(1e-6);
    model.dispose();
  });

  it('refuses combinations that cannot mean anything', async () => {
    const model = new SequenceModel(opts, backend);
    const data = { x: random(4 * 6 * 2, 1), targets: random(4, 2), count: 4, seqLen: 6 };
    await expect(model.fit(data, { epochs: 1, stateful: true, shuffle: true })).rejects.toThrow('stateful training needs shuffle: false');
    await expect(model.fit({ ...data, lengths: [6, 6, 3, 6] }, { epochs: 1, tbptt: 2 })).rejects.toThrow('tbptt needs equal-length sequences');
    await expect(model.fit(data, { epochs: 1, tbptt: 0 })).rejects.toThrow('tbptt must be a positive integer, got 0');
    model.dispose();
  });
});
