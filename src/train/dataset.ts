// Training data as the fit loop sees it: N windows (N, T, I) with one target array per head, checked
// once up front, then gathered batch by batch into reused buffers (no per-sample objects).
import { NonFiniteError, ShapeError } from '../errors.js';
import type { Rng } from '../random.js';

export interface TrainingData {
  x: Float32Array; // (count, seqLen, inputSize)
  /** One array per head (a single array for one head): (count, outputs) for 'last' heads, (count, seqLen, outputs) for 'all'. */
  targets: Float32Array | Float32Array[];
  count: number;
  seqLen: number;
  lengths?: ArrayLike<number>;
}

/** TrainingData checked against a model's input size and target widths. */
export interface Checked {
  x: Float32Array;
  targets: Float32Array[];
  count: number;
  seqLen: number;
  inputSize: number;
  /** Floats of one sample's target, per head. */
  widths: number[];
  lengths: Int32Array | null;
}

export function checkData(where: string, d: TrainingData, inputSize: number, widths: number[]): Checked {
  if (!Number.isInteger(d?.count) || d.count <= 0) throw new RangeError(`${where}: count must be a positive integer, got ${d?.count}`);
  if (!Number.isInteger(d.seqLen) || d.seqLen <= 0) throw new RangeError(`${where}: seqLen must be a positive integer, got ${d.seqLen}`);
  if (!(d.x instanceof Float32Array)) throw new TypeError(`${where}: x must be a Float32Array`);
  const n = d.count * d.seqLen * inputSize;
  if (d.x.length !== n) throw new ShapeError(`${where}: x must have count * seqLen * inputSize = ${n} elements, got ${d.x.length}`);
  let lengths: Int32Array | null = null;
  if (d.lengths !== undefined) {
    if (d.lengths.length !== d.count) throw new ShapeError(`${where}: lengths must have count = ${d.count} elements, got ${d.lengths.length}`);
    lengths = Int32Array.from(d.lengths);
    const bad = lengths.findIndex((v, s) => v < 1 || v > d.seqLen || v !== Number(d.lengths![s]));
    if (bad >= 0) throw new RangeError(`${where}: lengths[${bad}] must be an integer in [1, seqLen=${d.seqLen}], got ${d.lengths[bad]}`);
  }
  // Only valid steps must be finite: padded ones (t >= lengths[s]) are masked, as in predict().
  const stride = d.seqLen * inputSize;
  for (let s = 0; s < d.count; s++) {
    const end = s * stride + (lengths ? lengths[s] : d.seqLen) * inputSize;
    for (let i = s * stride; i < end; i++)
      if (!Number.isFinite(d.x[i])) throw new NonFiniteError(`${where}: x[${i}] is ${d.x[i]}; fill or mask missing inputs before training`);
  }
  const targets = d.targets instanceof Float32Array ? [d.targets] : d.targets;
  if (!Array.isArray(targets) || targets.length !== widths.length)
    throw new ShapeError(`${where}: the model has ${widths.length} head(s); give one target array per head, got ${Array.isArray(targets) ? targets.length : typeof targets}`);
  targets.forEach((t, h) => {
    if (!(t instanceof Float32Array)) throw new TypeError(`${where}: targets[${h}] must be a Float32Array`);
    if (t.length !== d.count * widths[h])
      throw new ShapeError(`${where}: targets[${h}] must have count * ${widths[h]} = ${d.count * widths[h]} elements, got ${t.length}`);
    const bad = t.findIndex((v) => v === Infinity || v === -Infinity);
    if (bad >= 0) throw new NonFiniteError(`${where}: targets[${h}][${bad}] is ${t[bad]}; use NaN for a missing target`);
  });
  return { x: d.x, targets, count: d.count, seqLen: d.seqLen, inputSize, widths, lengths };
}

/** The first `count - k` samples and the last k, in order: a chronological validation split. */
export function splitTail(d: Checked, fraction: number): { train: Checked; validation: Checked } {
  if (!(fraction > 0 && fraction < 1)) throw new RangeError(`validationSplit must be in (0, 1), got ${fraction}`);
  const k = Math.max(1, Math.round(d.count * fraction));
  if (k >= d.count) throw new RangeError(`validationSplit ${fraction} leaves no training samples out of ${d.count}`);
  const part = (from: number, to: number): Checked => ({
    ...d,
    count: to - from,
    x: d.x.subarray(from * d.seqLen * d.inputSize, to * d.seqLen * d.inputSize),
    targets: d.targets.map((t, h) => t.subarray(from * d.widths[h], to * d.widths[h])),
    lengths: d.lengths ? d.lengths.subarray(from, to) : null,
  });
  return { train: part(0, d.count - k), validation: part(d.count - k, d.count) };
}

/** Sample order for one epoch: Fisher-Yates with the fit's seeded generator, or identity. */
export function epochOrder(count: number, rng: Rng | null): Int32Array {
  const order = Int32Array.from({ length: count }, (_, i) => i);
  if (rng)
    for (let i = count - 1; i > 0; i--) {
      const j = Math.floor(rng.next() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
  return order;
}

/** Reused buffers that batches are gathered into. */
export class BatchGatherer {
  private readonly x: Float32Array;
  private readonly targets: Float32Array[];
  private readonly lengths: Int32Array;

  constructor(
    private readonly d: Checked,
    private readonly batchSize: number,
  ) {
    this.x = new Float32Array(batchSize * d.seqLen * d.inputSize);
    this.targets = d.widths.map((w) => new Float32Array(batchSize * w));
    this.lengths = new Int32Array(batchSize);
  }

  /** Samples order[from, from + n) as one batch of n (views of the reused buffers). */
  gather(order: Int32Array, from: number, n: number) {
    const row = this.d.seqLen * this.d.inputSize;
    for (let k = 0; k < n; k++) {
      const s = order[from + k];
      this.x.set(this.d.x.subarray(s * row, (s + 1) * row), k * row);
      this.d.targets.forEach((t, h) => this.targets[h].set(t.subarray(s * this.d.widths[h], (s + 1) * this.d.widths[h]), k * this.d.widths[h]));
      if (this.d.lengths) this.lengths[k] = this.d.lengths[s];
    }
    return {
      x: this.x.subarray(0, n * row),
      targets: this.targets.map((t, h) => t.subarray(0, n * this.d.widths[h])),
      batchSize: n,
      seqLen: this.d.seqLen,
      lengths: this.d.lengths ? this.lengths.subarray(0, n) : undefined,
    };
  }
}
