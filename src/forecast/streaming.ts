// The streaming Forecaster (streaming: true). Windowed networks read "the window minus its last value",
// which changes with every new observation, so their state cannot be carried. Here the input at time
// t depends on y_t, y_{t-1} and y_{t-m} only: the seasonal difference and the first difference, in
// units of the series' seasonal-naive error. Both are level-free, so a network can read the whole
// history from its start, one step at a time, and its state after step t is all it needs to predict
// the corrections to seasonal naive for t+1 .. t+h (an 'all' head predicts them at every step).
// Training runs over long stretches of the series with truncated BPTT, so reading a long history is
// what the network was trained for; update() then costs one recurrent step per observation.
import type { SequenceModel } from '../model/sequence-model.js';
import type { ModelStream } from '../model/stream.js';
import type { TrainingData } from '../train/dataset.js';

/** Inputs per step: (y_t - y_{t-m}) / scale, (y_t - y_{t-1}) / scale, then each covariate standardized. */
export const streamChannels = (covariates: number): number => 2 + covariates;

/** Inputs of every step of y ((n, channels) row-major), or with `at`, of step `at` only. */
export function streamInputs(
  y: Float64Array, covs: Float64Array[], covStats: Array<{ mean: number; std: number }>, m: number, scale: number, at?: number,
): Float32Array {
  const C = streamChannels(covs.length);
  const from = at ?? 0;
  const to = at === undefined ? y.length : at + 1;
  const x = new Float32Array((to - from) * C);
  for (let t = from; t < to; t++) {
    const o = (t - from) * C;
    x[o] = t >= m ? (y[t] - y[t - m]) / scale : 0;
    x[o + 1] = t >= 1 ? (y[t] - y[t - 1]) / scale : 0;
    for (let j = 0; j < covs.length; j++) x[o + 2 + j] = (covs[j][t] - covStats[j].mean) / covStats[j].std;
  }
  return x;
}

export interface StreamData {
  /** Rows of the series before the validation origins; targets at later positions are NaN. */
  train: TrainingData;
  /** One row from the start of the series, scored at the validation origins only. */
  validation: TrainingData;
  /** Rows over the whole series, for the final fit. */
  all: TrainingData;
  validationOrigins: Int32Array;
  calibrationOrigins: Int32Array;
  tbptt: number;
}

/**
 * Origins e (forecasts of y[e..e+h-1] from y[..e-1], read at step e - 1) split chronologically:
 * training, validation (early stopping), a purge of h - 1 origins, and a calibration tail.
 */
export function streamTrainingData(y: Float64Array, inputs: Float32Array, m: number, h: number, scale: number, lookback: number): StreamData {
  const n = y.length;
  const C = inputs.length / n;
  const eMin = Math.max(m, 1);
  const eMax = n - h;
  const origins = eMax - eMin + 1;
  const cal = Math.max(1, Math.round(origins * 0.2));
  const val = Math.max(1, Math.round(origins * 0.2));
  const calStart = eMax - cal + 1;
  const valEnd = calStart - h;
  const valStart = valEnd - val + 1;
  if (valStart - eMin < 10)
    throw new RangeError(
      `Forecaster.fit: ${n} values leave ${Math.max(0, valStart - eMin)} training origins for streaming with season ${m} and horizon ${h} (need >= 10); ` +
        'give a longer series or set streaming: false',
    );
  const tbptt = Math.max(16, Math.min(lookback, 64));
  const target = (e: number, i: number): number => (y[e + i] - y[e - m + (i % m)]) / scale;
  // Rows of S steps starting at 0, every S/4 steps; rows not starting at 0 learn only after a warm-up.
  const rows = (steps: number, limit: number): TrainingData => {
    const S = Math.min(steps, 4 * tbptt);
    const stride = Math.max(1, Math.floor(S / 4));
    const starts: number[] = [];
    for (let s = 0; s + S <= steps; s += stride) starts.push(s);
    if (starts[starts.length - 1] !== steps - S) starts.push(steps - S);
    const x = new Float32Array(starts.length * S * C);
    const t = new Float32Array(starts.length * S * h).fill(NaN);
    starts.forEach((s, r) => {
      x.set(inputs.subarray(s * C, (s + S) * C), r * S * C);
      const warm = s === 0 ? 0 : tbptt;
      for (let k = warm; k < S; k++) {
        const e = s + k + 1;
        if (e < eMin) continue;
        for (let i = 0; i < h && e + i < limit; i++) t[(r * S + k) * h + i] = target(e, i);
      }
    });
    return { x, targets: t, count: starts.length, seqLen: S };
  };
  const vt = new Float32Array(valEnd * h).fill(NaN);
  for (let e = valStart; e <= valEnd; e++) for (let i = 0; i < h; i++) vt[(e - 1) * h + i] = target(e, i);
  return {
    train: rows(valStart - 1, valStart),
    validation: { x: inputs.slice(0, valEnd * C), targets: vt, count: 1, seqLen: valEnd },
    all: rows(n - 1, n),
    validationOrigins: Int32Array.from({ length: val }, (_, k) => valStart + k),
    calibrationOrigins: Int32Array.from({ length: cal }, (_, k) => calStart + k),
    tbptt,
  };
}

/**
 * Carries each network's recurrent state from step to step with model.stream() (model/stream.ts: one
 * fused native call per step, or the kernels at T = 1), which steps the same arithmetic as one
 * forward pass over the whole sequence.
 */
export class StreamRunner {
  private streams: ModelStream[];

  constructor(private readonly models: SequenceModel[], private readonly horizon: number) {
    this.streams = models.map((m) => m.stream());
  }

  private static layerSize(m: SequenceModel): number {
    return m.recurrent.numLayers * (m.recurrent.bidirectional ? 2 : 1) * m.recurrent.hiddenSize;
  }

  /** Floats of one member's saved state: h, then c for an LSTM. */
  static stateSize(m: SequenceModel): number {
    return StreamRunner.layerSize(m) * (m.recurrent.cell === 'lstm' ? 2 : 1);
  }

  static fromStates(models: SequenceModel[], horizon: number, states: Float32Array[]): StreamRunner {
    const r = new StreamRunner(models, horizon);
    models.forEach((m, k) => {
      const n = StreamRunner.layerSize(m);
      r.streams[k].reset({ hN: states[k].slice(0, n), cN: m.recurrent.cell === 'lstm' ? states[k].slice(n, 2 * n) : null });
    });
    return r;
  }

  /** Each member's state, h then c: what a forecaster file stores. */
  states(): Float32Array[] {
    return this.streams.map((st) => {
      const { hN, cN } = st.state;
      const s = new Float32Array(hN.length + (cN?.length ?? 0));
      s.set(hN);
      if (cN) s.set(cN, hN.length);
      return s;
    });
  }

  /** The members' corrections after every step of `inputs` from a zero state, averaged: (T, h). */
  static replayAll(models: SequenceModel[], inputs: Float32Array, h: number): Float64Array {
    const T = inputs.length / models[0].options.inputSize;
    const out = new Float64Array(T * h);
    for (const m of models) {
      const [pred] = m.predict(inputs, { batchSize: 1, seqLen: T });
      for (let k = 0; k < out.length; k++) out[k] += pred[k] / models.length;
    }
    return out;
  }

  /** Forgets the state and reads `inputs` ((T, channels)) in one forward pass; the corrections after the last step. */
  run(inputs: Float32Array): Float64Array {
    const T = inputs.length / this.models[0].options.inputSize;
    const h = this.horizon;
    const out = new Float64Array(h);
    this.models.forEach((m, k) => {
      const [pred] = m.predict(inputs, { batchSize: 1, seqLen: T });
      for (let i = 0; i < h; i++) out[i] += pred[(T - 1) * h + i] / this.models.length;
      this.streams[k].reset(m.finalState());
    });
    return out;
  }

  /** One step from the carried state; the corrections after it. */
  step(x: Float32Array): Float64Array {
    const h = this.horizon;
    const out = new Float64Array(h);
    for (const st of this.streams) {
      const y = st.step(x);
      for (let i = 0; i < h; i++) out[i] += y[i] / this.streams.length;
    }
    return out;
  }

  dispose(): void {
    for (const st of this.streams) st.dispose();
    this.streams = [];
  }
}
