// Sequence classification: a recurrent network reads a window and gives the probability of each class
// (for example the direction of the next move, see direction.ts, or any labels the user has per window).
// Two classes train one logit with BCE-with-logits (pos_weight handles imbalance); more classes train
// one logit per class with cross-entropy (per-class weights). Class probabilities are the sigmoid or
// softmax of the logits, so each row sums to 1. Evaluation reuses evaluate/metrics.ts.
import { loadBackend, type BackendOptions } from '../backend/select.js';
import { checkDims } from '../backend/validate.js';
import { ShapeError } from '../errors.js';
import { classificationReport, rocAuc, type ClassScores } from '../evaluate/metrics.js';
import type { CellKind } from '../layout/cells.js';
import { SequenceModel } from '../model/sequence-model.js';
import type { LossSpec } from '../train/losses.js';
import { directionInput, directionWindows } from './direction.js';

export type ClassLabel = string | number;

/** Windows and one label per window. */
export interface ClassifierData {
  x: Float32Array; // (count, seqLen, inputSize)
  count: number;
  seqLen: number;
  labels: ArrayLike<number> | readonly ClassLabel[];
}

/** A series whose windows are labelled with the direction of the next move (see direction.ts). */
export interface DirectionData {
  series: ArrayLike<number>;
  labels: 'direction';
  lookback: number;
  /** 0 (default): 'down' / 'up'; > 0: 'down' / 'flat' / 'up', flat within ±threshold (series units). */
  threshold?: number;
}

export interface ClassifierOptions {
  cell?: CellKind;
  hiddenSize?: number;
  numLayers?: number;
  /** The classes, in order; default the distinct training labels, sorted. Fixing them makes any other label an error. */
  classes?: readonly ClassLabel[];
  /**
   * Against class imbalance: 'balanced' weighs class c by count / (classes * count_c) (scikit-learn's
   * rule), or give one weight per class in `classes` order. Two classes use BCE's pos_weight = w1 / w0.
   */
  classWeights?: 'balanced' | readonly number[];
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  /** The newest fraction of the windows, held out for early stopping; default 0.2 (0 = none). */
  validationSplit?: number;
  /** Epochs without validation improvement before stopping (best weights restored); default 10. */
  patience?: number;
  seed?: number;
}

export interface ClassifierFitReport {
  classes: ClassLabel[];
  /** Training windows per class, in `classes` order. */
  counts: number[];
  /** The class weights used, in `classes` order (all 1 without classWeights). */
  weights: number[];
  epochs: number;
  bestEpoch: number | null;
  /** Final training loss and best validation loss (null without validation). */
  loss: number;
  validationLoss: number | null;
}

export interface ClassifierEvaluation {
  classes: ClassLabel[];
  count: number;
  accuracy: number;
  /** Two classes: of the positive class (classes[1]); more: the macro average over classes. */
  precision: number;
  recall: number;
  f1: number;
  /** Two classes: AUC of p(classes[1]); more: the macro average of one-vs-rest AUCs (classes absent from the labels left out). NaN when undefined. */
  rocAuc: number;
  average: 'binary' | 'macro';
  /** confusion[actual][predicted], in `classes` order. */
  confusion: number[][];
  perClass: Array<ClassScores & { class: ClassLabel }>;
}

const quote = (c: ClassLabel): string => (typeof c === 'string' ? `'${c}'` : String(c));

/** A positive integer option, checked with the kernels' own rule and message. */
function positiveInt(name: string, v: unknown): number {
  checkDims('SequenceClassifier', { [name]: v as number });
  return v as number;
}

/** Every label checked: a finite number or a non-empty string, and (when classes are known) one of them. */
function checkLabels(where: string, labels: unknown, count: number, classes: readonly ClassLabel[] | null): ClassLabel[] {
  if (labels === null || typeof labels !== 'object' || typeof (labels as ArrayLike<unknown>).length !== 'number')
    throw new TypeError(`${where}: labels must be an array (or typed array) with one label per window, got ${labels === null ? 'null' : typeof labels}`);
  const list = Array.from(labels as ArrayLike<unknown>);
  if (list.length !== count)
    throw new ShapeError(`${where}: labels has ${list.length} entries but there are ${count} windows; give exactly one label per window`);
  return list.map((v, i) => {
    if (typeof v === 'number' && Number.isNaN(v)) throw new RangeError(`${where}: labels[${i}] is NaN; every window needs a label (drop the window or give it a class)`);
    if (!(typeof v === 'string' && v !== '') && !(typeof v === 'number' && Number.isFinite(v)))
      throw new TypeError(`${where}: labels[${i}] must be a finite number or a non-empty string, got ${typeof v === 'string' ? "''" : String(v)}`);
    if (classes && !classes.includes(v as ClassLabel))
      throw new RangeError(`${where}: labels[${i}] is ${quote(v as ClassLabel)}, which is not one of the classes ${classes.map(quote).join(', ')}`);
    return v as ClassLabel;
  });
}

function sortedClasses(labels: ClassLabel[]): ClassLabel[] {
  const distinct = [...new Set(labels)];
  if (distinct.some((c) => typeof c !== typeof distinct[0]))
    throw new TypeError('SequenceClassifier.fit: labels mix numbers and strings; use one kind (or pass classes explicitly)');
  return distinct.sort((a, b) => (typeof a === 'number' ? a - (b as number) : String(a) < String(b) ? -1 : 1));
}

export class SequenceClassifier {
  private readonly opts: ClassifierOptions;
  private model: SequenceModel | null = null;
  private classList: ClassLabel[] = [];
  private inputSize = 0;
  /** Set by a fit on DirectionData: what predictNext needs. */
  private directionLookback: number | null = null;

  constructor(opts: ClassifierOptions = {}, private readonly backendOptions: BackendOptions = {}) {
    for (const k of ['hiddenSize', 'numLayers', 'epochs', 'batchSize', 'patience'] as const) if (opts[k] !== undefined) positiveInt(k, opts[k]);
    if (opts.classes !== undefined) {
      if (!Array.isArray(opts.classes) || opts.classes.length < 2 || new Set(opts.classes).size !== opts.classes.length)
        throw new RangeError(`SequenceClassifier: classes must list at least 2 distinct labels, got ${JSON.stringify(opts.classes)}`);
    }
    const v = opts.validationSplit;
    if (v !== undefined && !(v >= 0 && v < 1)) throw new RangeError(`SequenceClassifier: validationSplit must be in [0, 1), got ${v}`);
    this.opts = opts;
  }

  /** The classes, in the order of predictProba's columns (known after fit). */
  get classes(): ClassLabel[] {
    return [...this.classList];
  }

  private windows(where: string, d: { x: Float32Array; count: number; seqLen: number }): number {
    if (!(d?.x instanceof Float32Array)) throw new TypeError(`${where}: x must be a Float32Array of (count, seqLen, inputSize) values`);
    checkDims(where, { count: d.count, seqLen: d.seqLen });
    const per = d.count * d.seqLen;
    if (d.x.length === 0 || d.x.length % per !== 0)
      throw new ShapeError(`${where}: x has ${d.x.length} values, not a multiple of count * seqLen = ${per}`);
    return d.x.length / per;
  }

  private classWeights(classes: ClassLabel[], counts: number[]): number[] {
    const cw = this.opts.classWeights;
    const K = counts.length;
    if (cw === undefined) return counts.map(() => 1);
    if (cw === 'balanced') {
      const n = counts.reduce((a, b) => a + b, 0);
      return counts.map((c, k) => {
        if (c === 0) throw new RangeError(`SequenceClassifier.fit: class ${quote(classes[k])} has no training windows, so 'balanced' weights are undefined; give weights yourself or drop the class`);
        return n / (K * c);
      });
    }
    if (!Array.isArray(cw) || cw.length !== K || !cw.every((w) => typeof w === 'number' && Number.isFinite(w) && w > 0))
      throw new RangeError(`SequenceClassifier.fit: classWeights must be 'balanced' or ${K} positive numbers (one per class: ${classes.map(quote).join(', ')}), got ${JSON.stringify(cw)}`);
    return [...cw];
  }

  /** Trains on labelled windows, or on a series labelled by the direction of each next move. */
  async fit(input: ClassifierData | DirectionData): Promise<ClassifierFitReport> {
    const where = 'SequenceClassifier.fit';
    const byDirection = typeof input === 'object' && input !== null && input.labels === 'direction';
    const data: ClassifierData = byDirection ? directionWindows((input as DirectionData).series, input as DirectionData) : (input as ClassifierData);
    const inputSize = this.windows(where, data);
    const labels = checkLabels(where, data?.labels, data.count, this.opts.classes ?? null);
    const classes = this.opts.classes ? [...this.opts.classes] : sortedClasses(labels);
    if (classes.length < 2)
      throw new RangeError(`${where}: every label is ${quote(classes[0])}; a classifier needs at least 2 classes in the training labels`);
    const K = classes.length;
    const index = labels.map((l) => classes.indexOf(l));
    const counts = classes.map((_, k) => index.filter((i) => i === k).length);
    const weights = this.classWeights(classes, counts);
    const binary = K === 2;
    // Binary: the class index is BCE's 0/1 target. More classes: one-hot rows (cross-entropy's
    // class-probability form), since the fit loop passes one target value per output.
    const targets = binary ? Float32Array.from(index) : new Float32Array(index.length * K);
    if (!binary) index.forEach((k, n) => (targets[n * K + k] = 1));
    const loss: LossSpec = binary
      ? { name: 'bce_with_logits', ...(this.opts.classWeights !== undefined ? { posWeight: [weights[1] / weights[0]] } : {}) }
      : { name: 'cross_entropy', ...(this.opts.classWeights !== undefined ? { weight: weights } : {}) };
    const backend = await loadBackend(this.backendOptions);
    this.dispose(); // everything checked: only now replace the previous fit
    this.classList = classes;
    this.model = new SequenceModel(
      {
        cell: this.opts.cell ?? 'lstm',
        inputSize,
        hiddenSize: this.opts.hiddenSize ?? 32,
        numLayers: this.opts.numLayers ?? 1,
        seed: this.opts.seed ?? 0,
        heads: [{ outputs: binary ? 1 : K }],
      },
      backend,
    );
    this.inputSize = inputSize;
    this.directionLookback = byDirection ? data.seqLen : null;
    const split = this.opts.validationSplit ?? 0.2;
    const useValidation = split > 0 && Math.round(data.count * split) >= 1 && Math.round(data.count * split) < data.count;
    const result = await this.model.fit(
      { x: data.x, targets, count: data.count, seqLen: data.seqLen },
      {
        epochs: this.opts.epochs ?? 60,
        batchSize: this.opts.batchSize ?? 32,
        loss,
        optimizer: { name: 'adam', lr: this.opts.learningRate ?? 3e-3 },
        clipNorm: 1,
        seed: this.opts.seed ?? 0,
        ...(useValidation ? { validationSplit: split, earlyStopping: { patience: this.opts.patience ?? 10 } } : {}),
      },
    );
    const valid = result.history.valLoss.filter(Number.isFinite);
    return {
      classes: [...classes],
      counts,
      weights,
      epochs: result.epochs,
      bestEpoch: result.bestEpoch,
      loss: result.history.loss[result.history.loss.length - 1],
      validationLoss: valid.length ? Math.min(...valid) : null,
    };
  }

  /** One row per window: the probability of each class, in `classes` order (each row sums to 1). */
  predictProba(x: Float32Array, opts: { count: number; seqLen: number }): number[][] {
    const where = 'SequenceClassifier.predictProba';
    if (!this.model) throw new Error(`${where}: call fit() first`);
    const inputSize = this.windows(where, { x, ...opts });
    if (inputSize !== this.inputSize)
      throw new ShapeError(`${where}: windows have ${inputSize} feature(s) per step, the classifier was trained on ${this.inputSize}`);
    const [logits] = this.model.predict(x, { batchSize: opts.count, seqLen: opts.seqLen });
    const K = this.classList.length;
    const rows: number[][] = [];
    for (let n = 0; n < opts.count; n++) {
      if (K === 2) {
        const z = logits[n];
        const p = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
        rows.push([1 - p, p]);
        continue;
      }
      // softmax shifted by the row maximum, so large logits cannot overflow
      const row = Array.from(logits.subarray(n * K, (n + 1) * K));
      const max = Math.max(...row);
      const e = row.map((z) => Math.exp(z - max));
      const sum = e.reduce((a, b) => a + b, 0);
      rows.push(e.map((v) => v / sum));
    }
    return rows;
  }

  /** The most probable class of each window. */
  predict(x: Float32Array, opts: { count: number; seqLen: number }): ClassLabel[] {
    return this.predictProba(x, opts).map((p) => this.classList[p.indexOf(Math.max(...p))]);
  }

  /** After a fit on DirectionData: the direction of the move after the series' last value, with the class probabilities. */
  predictNext(series: ArrayLike<number>): { label: ClassLabel; probabilities: number[] } {
    if (this.directionLookback === null)
      throw new Error("SequenceClassifier.predictNext: fit with { series, labels: 'direction', lookback } first, or call predict() on your own windows");
    const input = directionInput(series, { lookback: this.directionLookback });
    const [probabilities] = this.predictProba(input.x, input);
    return { label: this.classList[probabilities.indexOf(Math.max(...probabilities))], probabilities };
  }

  /** Accuracy, precision, recall, F1, ROC AUC and the confusion matrix on labelled windows. */
  evaluate(data: ClassifierData): ClassifierEvaluation {
    const where = 'SequenceClassifier.evaluate';
    if (!this.model) throw new Error(`${where}: call fit() first`);
    const labels = checkLabels(where, data?.labels, data.count, this.classList);
    const proba = this.predictProba(data.x, data);
    const K = this.classList.length;
    const actual = labels.map((l) => this.classList.indexOf(l));
    const predicted = proba.map((p) => p.indexOf(Math.max(...p)));
    const report = classificationReport(actual, predicted, K);
    const perClass = report.perClass.map((s, k) => ({ class: this.classList[k], ...s }));
    const auc = (k: number) => rocAuc(actual.map((a) => (a === k ? 1 : 0)), proba.map((p) => p[k]));
    let result: Pick<ClassifierEvaluation, 'precision' | 'recall' | 'f1' | 'rocAuc' | 'average'>;
    if (K === 2) {
      result = { ...report.perClass[1], rocAuc: auc(1), average: 'binary' };
    } else {
      const aucs = this.classList.map((_, k) => auc(k)).filter((v) => !Number.isNaN(v));
      result = { ...report.macro, rocAuc: aucs.length ? aucs.reduce((a, b) => a + b, 0) / aucs.length : NaN, average: 'macro' };
    }
    return {
      classes: [...this.classList],
      count: report.count,
      accuracy: report.accuracy,
      precision: result.precision,
      recall: result.recall,
      f1: result.f1,
      rocAuc: result.rocAuc,
      average: result.average,
      confusion: report.confusion,
      perClass,
    };
  }

  /** The trained network (for export, e.g. exportSafetensors); null before fit. */
  get network(): SequenceModel | null {
    return this.model;
  }

  dispose(): void {
    this.model?.dispose();
    this.model = null;
  }
}
