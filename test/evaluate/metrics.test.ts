// Hand-computed cases for every forecast and classification metric, plus the documented edge cases.
import { describe, expect, it } from 'vitest';
import {
  accuracy, classificationReport, confusionMatrix, f1Score, forecastMetrics, intervalCoverage, mae, mape, mase,
  meanIntervalWidth, precision, r2, recall, rmse, rocAuc, seasonalNaiveScale, smape,
} from '../../src/evaluate/metrics.js';

const y = [1, 2, 3, 4];
const f = [2, 2, 2, 2]; // errors 1, 0, 1, 2

describe('forecast metrics by hand', () => {
  it('MAE, RMSE, MAPE, sMAPE, R²', () => {
    expect(mae(y, f)).toBe(1);
    expect(rmse(y, f)).toBeCloseTo(Math.sqrt(1.5), 15);
    expect(mape(y, f)).toBeCloseTo((100 + 0 + 100 / 3 + 50) / 4, 12); // 45.8333
    expect(smape(y, f)).toBeCloseTo((200 / 3 + 0 + 40 + 200 / 3) / 4, 12); // 43.3333
    expect(r2(y, f)).toBeCloseTo(1 - 6 / 5, 15); // SSres 6, SStot 5
    expect(r2(y, y)).toBe(1);
  });

  it('MASE is MAE over the in-sample seasonal-naive MAE of the training part', () => {
    const train = [1, 3, 2, 5, 4];
    expect(seasonalNaiveScale(train, 1)).toBe(7 / 4); // |2| |-1| |3| |-1|
    expect(seasonalNaiveScale(train, 2)).toBe(5 / 3); // |2-1| |5-3| |4-2|
    expect(mase(y, f, train)).toBeCloseTo(1 / 1.75, 15);
    expect(mase(y, f, train, 2)).toBeCloseTo(0.6, 15);
  });

  it('accepts typed arrays and computes in float64', () => {
    expect(mae(new Float32Array(y), new Int32Array(f))).toBe(1);
    expect(mae([1e16 + 2], [1e16])).toBe(2);
  });

  it('forecastMetrics reports every metric and the skipped NaN actuals', () => {
    const m = forecastMetrics([1, NaN, 3], [2, 100, 3], { train: [0, 1, 2], season: 1 });
    expect(m).toEqual({ mae: 0.5, rmse: Math.sqrt(0.5), mape: 50, smape: (200 / 3) / 2, r2: 1 - 1 / 2, mase: 0.5, count: 2, skipped: 1 });
    expect(forecastMetrics(y, f).mase).toBeUndefined();
  });
});

describe('forecast metric edge cases', () => {
  it('skips NaN actuals but not NaN forecasts', () => {
    expect(mae([1, NaN, 3], [2, 5, 3])).toBe(0.5);
    expect(rmse([1, NaN, 3], [2, 5, 3])).toBeCloseTo(Math.sqrt(0.5), 15);
    expect(mae([1, 2], [1, NaN])).toBeNaN();
    expect(mae([NaN, NaN], [1, 2])).toBeNaN();
    expect(mae([], [])).toBeNaN();
  });

  it('MAPE is Infinity when an actual is 0 and its forecast is not; 0/0 counts as 0', () => {
    expect(mape([0, 2], [1, 2])).toBe(Infinity);
    expect(mape([0, 2], [0, 1])).toBe(25);
  });

  it('sMAPE counts 0/0 as 0 and stays within [0, 200]', () => {
    expect(smape([0, 0], [0, 0])).toBe(0);
    expect(smape([0, 1], [0, 1])).toBe(0);
    expect(smape([1, -1], [-1, 1])).toBe(200);
  });

  it('MASE with a constant training series is Infinity (MAE > 0) or NaN (MAE = 0)', () => {
    expect(mase([1, 2], [1, 1], [5, 5, 5])).toBe(Infinity);
    expect(mase([1, 2], [1, 2], [5, 5, 5])).toBeNaN();
    // periodic with period m is "constant" for the seasonal scale
    expect(mase([1], [2], [1, 2, 1, 2, 1, 2], 2)).toBe(Infinity);
  });

  it('MASE skips NaN pairs in the training part and rejects a training part too short for m', () => {
    expect(seasonalNaiveScale([1, NaN, 3, 6], 1)).toBe(3);
    expect(() => seasonalNaiveScale([1, 2, 3], 3)).toThrowError(
      new RangeError('seasonalNaiveScale: the training part must be longer than the season m = 3 to scale MASE, got length 3; use a smaller season or a longer series'),
    );
    expect(() => seasonalNaiveScale([1, 2], 0)).toThrowError(RangeError);
    expect(() => seasonalNaiveScale([NaN, 1, 3], 2)).toThrowError(/every pair/);
  });

  it('R² with constant actuals is -Infinity (forecast misses) or NaN (exact)', () => {
    expect(r2([3, 3], [3, 4])).toBe(-Infinity);
    expect(r2([3, 3], [3, 3])).toBeNaN();
  });

  it('errors name the function, what was expected and what was received', () => {
    expect(() => mae([1, 2], [1])).toThrowError(new RangeError('mae: actual and forecast must have the same length, got 2 and 1'));
    expect(() => rmse([1, '2' as unknown as number], [1, 2])).toThrowError(
      new TypeError('rmse: actual[1] must be a number, got string; convert the values with Number() first'),
    );
    expect(() => smape('12' as unknown as number[], [1])).toThrowError(new TypeError('smape: actual must be an array of numbers or a typed array, got string'));
    expect(() => mase([1], [1], {} as number[])).toThrowError(TypeError);
  });
});

describe('prediction intervals', () => {
  const actual = [1, 2, 3, NaN];
  const lower = [0, 2.5, 3, 0];
  const upper = [1, 3, 4, 1];
  it('coverage counts actuals inside the closed interval, skipping NaN', () => {
    expect(intervalCoverage(actual, lower, upper)).toBeCloseTo(2 / 3, 15);
    expect(intervalCoverage([NaN], [0], [1])).toBeNaN();
  });
  it('mean width', () => {
    expect(meanIntervalWidth(lower, upper)).toBe(0.875);
  });
  it('rejects crossed bounds and mismatched lengths', () => {
    expect(() => meanIntervalWidth([0, 2], [1, 1])).toThrowError(
      new RangeError('meanIntervalWidth: lower[1] = 2 is above upper[1] = 1; pass the bounds as (lower, upper)'),
    );
    expect(() => intervalCoverage([1, 2], [0], [1])).toThrowError(
      new RangeError('intervalCoverage: actual and lower must have the same length, got 2 and 1'),
    );
  });
});

describe('classification metrics by hand', () => {
  const a = [0, 0, 1, 1, 2, 2];
  const p = [0, 1, 1, 1, 2, 0];
  it('confusion matrix has true classes as rows', () => {
    expect(confusionMatrix(a, p)).toEqual([[1, 1, 0], [0, 2, 0], [1, 0, 1]]);
    expect(confusionMatrix([0, 1], [0, 0], 3)).toEqual([[1, 0, 0], [1, 0, 0], [0, 0, 0]]);
  });
  it('accuracy, per-class and macro precision / recall / F1', () => {
    expect(accuracy(a, p)).toBeCloseTo(4 / 6, 15);
    const r = classificationReport(a, p);
    const want = [
      { precision: 0.5, recall: 0.5, f1: 0.5, support: 2 },
      { precision: 2 / 3, recall: 1, f1: 0.8, support: 2 },
      { precision: 1, recall: 0.5, f1: 2 / 3, support: 2 },
    ];
    r.perClass.forEach((c, k) => {
      for (const key of ['precision', 'recall', 'f1', 'support'] as const) expect(c[key]).toBeCloseTo(want[k][key], 14);
    });
    expect(r.macro.precision).toBeCloseTo((0.5 + 2 / 3 + 1) / 3, 14);
    expect(r.macro.recall).toBeCloseTo(2 / 3, 14);
    expect(r.macro.f1).toBeCloseTo((0.5 + 0.8 + 2 / 3) / 3, 14);
    expect(r.accuracy).toBeCloseTo(4 / 6, 15);
    expect(r.count).toBe(6);
    expect(r.skipped).toBe(0);
  });
  it('binary precision, recall and F1 of the positive class', () => {
    const t = [1, 1, 1, 0, 0];
    const q = [1, 0, 1, 1, 0]; // tp 2, fp 1, fn 1
    expect(precision(t, q)).toBeCloseTo(2 / 3, 15);
    expect(recall(t, q)).toBeCloseTo(2 / 3, 15);
    expect(f1Score(t, q)).toBeCloseTo(2 / 3, 15);
    expect(precision(t, q, 0)).toBe(0.5);
    expect(recall(t, q, 0)).toBe(0.5);
  });
  it('0/0 gives 0 (scikit-learn zero_division=0), also for a class with no support', () => {
    expect(precision([1, 1], [0, 0])).toBe(0); // class 1 never predicted
    expect(recall([0, 0], [1, 0])).toBe(0); // class 1 never occurs
    expect(f1Score([0, 0], [0, 0])).toBe(0);
    const r = classificationReport([0, 1], [0, 1], 3);
    expect(r.perClass[2]).toEqual({ precision: 0, recall: 0, f1: 0, support: 0 });
    expect(r.macro.f1).toBeCloseTo(2 / 3, 15);
  });
  it('skips NaN actual labels and counts them', () => {
    const r = classificationReport([0, NaN, 1], [0, 1, 0]);
    expect(r.count).toBe(2);
    expect(r.skipped).toBe(1);
    expect(accuracy([0, NaN, 1], [0, 1, 0])).toBe(0.5);
  });
  it('rejects labels that are not class indices', () => {
    expect(() => accuracy([0, 1.5], [0, 1])).toThrowError(new RangeError('accuracy: actual[1] must be a class index (an integer >= 0), got 1.5'));
    expect(() => confusionMatrix([0, 3], [0, 1], 2)).toThrowError(
      new RangeError('confusionMatrix: numClasses is 2 but a label 3 occurs; labels must be below numClasses'),
    );
  });
});

describe('ROC AUC', () => {
  it('matches the textbook example', () => {
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBe(0.75);
    expect(rocAuc([0, 0, 1, 1], [1, 2, 3, 4])).toBe(1);
    expect(rocAuc([1, 1, 0, 0], [1, 2, 3, 4])).toBe(0);
  });
  it('counts a tie between a positive and a negative as 1/2 (average ranks)', () => {
    expect(rocAuc([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9])).toBe(3.5 / 4);
    expect(rocAuc([0, 1, 0, 1], [7, 7, 7, 7])).toBe(0.5);
    expect(rocAuc([0, 1], [-Infinity, Infinity])).toBe(1);
  });
  it('equals the pairwise definition on random scores with many ties', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const labels = Array.from({ length: 200 }, () => (rand() < 0.4 ? 1 : 0));
    const scores = labels.map((l) => Math.round((rand() + 0.3 * l) * 10) / 10);
    let wins = 0;
    let pairs = 0;
    for (let i = 0; i < labels.length; i++)
      for (let j = 0; j < labels.length; j++)
        if (labels[i] === 1 && labels[j] === 0) {
          pairs++;
          wins += scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0;
        }
    expect(rocAuc(labels, scores)).toBeCloseTo(wins / pairs, 12);
  });
  it('is NaN with one class only, skips NaN labels, rejects NaN scores and non-binary labels', () => {
    expect(rocAuc([1, 1], [0.2, 0.3])).toBeNaN();
    expect(rocAuc([0, NaN, 1], [0.1, NaN, 0.9])).toBe(1);
    expect(() => rocAuc([0, 1], [0.1, NaN])).toThrowError(new RangeError('rocAuc: scores[1] is NaN; every scored example needs a number'));
    expect(() => rocAuc([0, 2], [0.1, 0.2])).toThrowError(/actual\[1\] must be 0 or 1, got 2/);
  });
});
