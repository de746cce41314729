// SequenceClassifier on tasks with a learnable rule: it reaches high accuracy, its probabilities are a
// distribution, class weights move the decision toward a rare class, and bad labels fail clearly.
import { describe, expect, it } from 'vitest';
import { SequenceClassifier, type ClassLabel } from '../../src/forecast/classifier.js';
import { directionInput, directionWindows } from '../../src/forecast/direction.js';
import { computeLoss } from '../../src/train/losses.js';
import { Rng } from '../../src/random.js';
import { testBackends } from '../helpers/backends.js';

const backends = await testBackends();
const T = 8;

/** Windows (count, T, 2) of uniform noise labelled by `rule` (which sees the window). */
function task<L extends ClassLabel>(count: number, seed: number, rule: (w: Float32Array, rng: Rng) => L) {
  const rng = new Rng(seed);
  const x = Float32Array.from({ length: count * T * 2 }, () => rng.uniform(-1, 1));
  const labels = Array.from({ length: count }, (_, n) => rule(x.subarray(n * T * 2, (n + 1) * T * 2), rng));
  return { x, count, seqLen: T, labels };
}
/** Sum of feature 0 over the last three steps. */
const recent = (w: Float32Array): number => w[(T - 1) * 2] + w[(T - 2) * 2] + w[(T - 3) * 2];

describe.each(backends)('SequenceClassifier on $name', (backend) => {
  it('learns a binary rule to high accuracy; probabilities are a distribution', async () => {
    const rule = (w: Float32Array) => (recent(w) > 0 ? 1 : 0);
    const c = new SequenceClassifier({ hiddenSize: 16, epochs: 40, seed: 1 }, { backend: backend.name });
    const report = await c.fit(task(600, 1, rule));
    expect(report.classes).toEqual([0, 1]);
    expect(report.counts[0] + report.counts[1]).toBe(600);
    const test = task(300, 2, rule);
    const ev = c.evaluate(test);
    expect(ev.average).toBe('binary');
    expect(ev.accuracy).toBeGreaterThan(0.9);
    expect(ev.rocAuc).toBeGreaterThan(0.95);
    expect(ev.f1).toBeGreaterThan(0.85);
    expect(ev.confusion.flat().reduce((a, b) => a + b, 0)).toBe(300);
    const proba = c.predictProba(test.x, test);
    for (const row of proba) {
      expect(row.length).toBe(2);
      expect(row[0] + row[1]).toBeCloseTo(1, 12);
      expect(Math.min(...row)).toBeGreaterThanOrEqual(0);
    }
    expect(c.predict(test.x, test)).toEqual(proba.map((p) => (p[1] > p[0] ? 1 : 0)));
    c.dispose();
  });
});

describe('SequenceClassifier', () => {
  const backend = { backend: backends[0].name };

  it('learns three named classes with cross-entropy; probabilities sum to 1', async () => {
    const rule = (w: Float32Array) => (recent(w) < -0.5 ? 'low' : recent(w) > 0.5 ? 'high' : 'mid');
    const c = new SequenceClassifier({ hiddenSize: 16, epochs: 40, seed: 3 }, backend);
    const report = await c.fit(task(600, 3, rule));
    expect(report.classes).toEqual(['high', 'low', 'mid']);
    const test = task(300, 4, rule);
    const ev = c.evaluate(test);
    expect(ev.average).toBe('macro');
    expect(ev.accuracy).toBeGreaterThan(0.8);
    expect(ev.rocAuc).toBeGreaterThan(0.9);
    expect(ev.perClass.map((p) => p.class)).toEqual(['high', 'low', 'mid']);
    for (const row of c.predictProba(test.x, test)) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    c.dispose();
  });

  it("'balanced' class weights raise the recall of a rare, noisy class", async () => {
    // P(positive) = sigmoid(4 * (s - 1.2)): about 1 window in 8 is positive and the classes overlap,
    // so an unweighted model predicts the rare class only where it is likely; pos_weight ~7 widens that.
    const rule = (w: Float32Array, rng: Rng) => (rng.next() < 1 / (1 + Math.exp(-4 * (recent(w) - 1.2))) ? 1 : 0);
    const data = task(800, 5, rule);
    const test = task(400, 6, rule);
    const plain = new SequenceClassifier({ hiddenSize: 8, epochs: 30, seed: 2 }, backend);
    const weighted = new SequenceClassifier({ hiddenSize: 8, epochs: 30, seed: 2, classWeights: 'balanced' }, backend);
    await plain.fit(data);
    const report = await weighted.fit(data);
    expect(report.weights[1] / report.weights[0]).toBeCloseTo(report.counts[0] / report.counts[1], 10);
    const a = plain.evaluate(test);
    const b = weighted.evaluate(test);
    expect(b.recall).toBeGreaterThan(a.recall + 0.2);
    plain.dispose();
    weighted.dispose();
  });

  it('predicts the direction of the next move of a noisy cycle', async () => {
    const rng = new Rng(7);
    const y = Float64Array.from({ length: 400 }, (_, t) => 50 + 10 * Math.sin((2 * Math.PI * t) / 10) + rng.uniform(-0.5, 0.5));
    const all = directionWindows(y, { lookback: 12 });
    expect(all.classes).toEqual(['down', 'up']);
    expect(all.count).toBe(388);
    // Trained on the first 312 values (300 windows); scored on the windows after them.
    const c = new SequenceClassifier({ hiddenSize: 16, epochs: 30, seed: 1 }, backend);
    const report = await c.fit({ series: y.subarray(0, 312), labels: 'direction', lookback: 12 });
    expect(report.counts[0] + report.counts[1]).toBe(300);
    const later = {
      x: all.x.subarray(300 * 12), count: all.count - 300, seqLen: 12, labels: (all.labels as string[]).slice(300),
    };
    expect(c.evaluate(later).accuracy).toBeGreaterThan(0.9);
    const next = c.predictNext(y);
    const [p] = c.predictProba(directionInput(y, { lookback: 12 }).x, { count: 1, seqLen: 12 });
    expect(next).toEqual({ label: p[1] > p[0] ? 'up' : 'down', probabilities: p });
    const three = directionWindows(y, { lookback: 12, threshold: 3 });
    expect(three.classes).toEqual(['down', 'flat', 'up']);
    expect(new Set(three.labels as string[])).toEqual(new Set(['down', 'flat', 'up']));
    expect(() => new SequenceClassifier().predictNext(y)).toThrow(/fit with \{ series, labels: 'direction', lookback \} first/);
    c.dispose();
  });

  it('refuses bad labels with a clear message', async () => {
    const { x } = task(10, 1, () => 0);
    const c = new SequenceClassifier({ epochs: 1, classes: ['a', 'b'] }, backend);
    await expect(c.fit({ x, count: 10, seqLen: T, labels: ['a', 'b', 'a', 'c', 'a', 'b', 'a', 'b', 'a', 'b'] })).rejects.toThrow(
      "SequenceClassifier.fit: labels[3] is 'c', which is not one of the classes 'a', 'b'",
    );
    const free = new SequenceClassifier({ epochs: 1 }, backend);
    await expect(free.fit({ x, count: 10, seqLen: T, labels: [0, 1, 0, NaN, 1, 0, 1, 0, 1, 0] })).rejects.toThrow(
      'SequenceClassifier.fit: labels[3] is NaN; every window needs a label (drop the window or give it a class)',
    );
    await expect(free.fit({ x, count: 10, seqLen: T, labels: [0, 1, 0] })).rejects.toThrow(
      'SequenceClassifier.fit: labels has 3 entries but there are 10 windows; give exactly one label per window',
    );
    await expect(free.fit({ x, count: 10, seqLen: T, labels: new Array(10).fill('up') })).rejects.toThrow(
      "SequenceClassifier.fit: every label is 'up'; a classifier needs at least 2 classes in the training labels",
    );
    await expect(free.fit({ x: x.subarray(1), count: 10, seqLen: T, labels: new Array(10).fill(0) })).rejects.toThrow(
      'SequenceClassifier.fit: x has 159 values, not a multiple of count * seqLen = 80',
    );
    await expect(new SequenceClassifier({ epochs: 1, classWeights: [1, 2, 3] }, backend).fit({ x, count: 10, seqLen: T, labels: [0, 1, 0, 1, 0, 1, 0, 1, 0, 1] })).rejects.toThrow(
      "SequenceClassifier.fit: classWeights must be 'balanced' or 2 positive numbers (one per class: 0, 1), got [1,2,3]",
    );
    await free.fit({ x, count: 10, seqLen: T, labels: [0, 1, 0, 1, 0, 1, 0, 1, 0, 1] });
    expect(() => free.evaluate({ x, count: 10, seqLen: T, labels: [0, 1, 2, 1, 0, 1, 0, 1, 0, 1] })).toThrow(
      'SequenceClassifier.evaluate: labels[2] is 2, which is not one of the classes 0, 1',
    );
    expect(() => free.predictProba(new Float32Array(T * 3), { count: 1, seqLen: T })).toThrow(
      'SequenceClassifier.predictProba: windows have 3 feature(s) per step, the classifier was trained on 2',
    );
    expect(() => new SequenceClassifier({ hiddenSize: 0 })).toThrow('SequenceClassifier: hiddenSize must be a positive integer, got 0');
    expect(() => directionWindows([1, 2, NaN, 4], { lookback: 2 })).toThrow('directionWindows: series[2] is NaN; fill missing values first (see fillMissing)');
    free.dispose();
  });

  it("cross_entropy's class weights and one-hot targets match PyTorch", () => {
    // Reference values from torch 1.13: F.cross_entropy(z, target, weight=w) and z.grad after backward().
    const z = [1, 2, 0.5, -1, 0, 3];
    const weight = [0.5, 1, 4];
    const indices = computeLoss({ name: 'cross_entropy', weight }, z, [2, 0], 3);
    expect(indices.value).toBeCloseTo(2.1978704929351807, 6);
    const gradIndices = [0.20553234219551086, 0.5586948394775391, -0.7642272114753723, -0.10920579731464386, 0.005179180298000574, 0.10402661561965942];
    gradIndices.forEach((g, i) => expect(indices.grad[i]).toBeCloseTo(g, 6));
    // The same targets as one-hot probabilities: PyTorch divides by N here, not by the weight sum.
    const oneHot = computeLoss({ name: 'cross_entropy', weight }, z, [0, 0, 1, 1, 0, 0], 3);
    expect(oneHot.value).toBeCloseTo(4.945208549499512, 6);
    const gradOneHot = [0.46244776248931885, 1.257063388824463, -1.7195112705230713, -0.2457130402326584, 0.011653156019747257, 0.2340598851442337];
    gradOneHot.forEach((g, i) => expect(oneHot.grad[i]).toBeCloseTo(g, 6));
    // Without weights both forms agree.
    expect(computeLoss({ name: 'cross_entropy' }, z, [0, 0, 1, 1, 0, 0], 3).value).toBeCloseTo(computeLoss({ name: 'cross_entropy' }, z, [2, 0], 3).value, 12);
  });
});
