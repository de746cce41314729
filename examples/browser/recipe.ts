// The demo's model, written once against the API both entries share, so the end-to-end test runs the
// very same steps in Node (src/index.ts) and in the browser (seqcast/browser) and compares numbers.
// A monthly series -> log, seasonal difference, z-score -> windows -> an LSTM forecasting `horizon`
// steps at once, trained in a worker with a chronological validation tail and early stopping. The interval band is
// split-conformal per step: the `level` quantile of the validation windows' absolute errors, applied
// in the model's units and mapped back through the pipeline.
import type { FitResult, Pipeline, PipelineConfig, ProgressEvent, SequenceModel, SequenceModelOptions, Series } from '../../src/index.js';

type ModelLike = Pick<SequenceModel, 'fit' | 'predict' | 'dispose'>;
type PipelineLike = Pick<Pipeline, 'prepare' | 'forecastInput' | 'inverse'>;

/** The part of seqcast the recipe uses; both the Node and the browser entry provide it. */
export interface RecipeApi<M extends ModelLike, P extends PipelineLike> {
  readCsv(text: string, options?: { source?: string }): Series;
  Pipeline: new (config: PipelineConfig) => P;
  SequenceModel: { create(opts: SequenceModelOptions & { backend?: 'auto' | 'wasm' }): Promise<M> };
}

export interface RecipeOptions {
  horizon: number;
  lookback: number;
  season: number;
  hiddenSize: number;
  epochs: number;
  seed: number;
  /** Nominal coverage of the interval band. */
  level: number;
}

export const DEFAULT_RECIPE: RecipeOptions = { horizon: 12, lookback: 24, season: 12, hiddenSize: 16, epochs: 60, seed: 7, level: 0.8 };

export interface RecipeResult<M extends ModelLike = ModelLike, P extends PipelineLike = PipelineLike> {
  model: M;
  pipeline: P;
  fit: FitResult;
  /** Observed values and their time labels. */
  history: { time: string[]; values: number[] };
  forecast: { time: string[]; mean: number[]; lower: number[]; upper: number[] };
  /** The model's raw output for the last window (model units), to compare runs exactly. */
  raw: number[];
  /** The last window the forecast came from: (1, lookback, 1). */
  lastWindow: Float32Array;
}

/** The label k months after a 'YYYY-MM' label; '+k' when the series has no calendar time. */
const monthAfter = (label: string, k: number): string => {
  const d = new Date(`${label}-01T00:00:00Z`);
  if (!/^\d{4}-\d{2}$/.test(label) || Number.isNaN(d.getTime())) return `+${k}`;
  d.setUTCMonth(d.getUTCMonth() + k);
  return d.toISOString().slice(0, 7);
};

export async function trainAndForecast<M extends ModelLike, P extends PipelineLike>(
  api: RecipeApi<M, P>,
  csvText: string,
  source: string,
  opts: RecipeOptions = DEFAULT_RECIPE,
  onProgress?: (e: ProgressEvent) => void,
  signal?: AbortSignal,
): Promise<RecipeResult<M, P>> {
  const series = api.readCsv(csvText, { source });
  const pipeline = new api.Pipeline({
    lookback: opts.lookback,
    horizon: opts.horizon,
    log: series.values[0].every((v) => v > -1),
    difference: [opts.season],
    split: { validation: 0.2 },
  });
  const data = pipeline.prepare(series);
  if (!data.validation) throw new RangeError(`${source}: too short for a validation tail with lookback ${opts.lookback} and horizon ${opts.horizon}`);
  const model = await api.SequenceModel.create({
    cell: 'lstm',
    inputSize: data.train.inputSize,
    hiddenSize: opts.hiddenSize,
    seed: opts.seed,
    heads: [{ outputs: opts.horizon }],
    backend: 'wasm',
  });
  let fit: FitResult;
  try {
    fit = await model.fit(data.train, {
      epochs: opts.epochs,
      batchSize: 16,
      optimizer: { name: 'adam', lr: 0.005 },
      validation: data.validation,
      // A short series overfits within a few dozen epochs: keep the weights of the best validation epoch.
      earlyStopping: { patience: 10, restoreBest: true },
      seed: opts.seed,
      clipNorm: 1,
      onProgress,
      signal,
    });
  } catch (e) {
    model.dispose();
    throw e;
  }
  // Per-step conformal radius from the validation windows (model units).
  const v = data.validation;
  const [valPred] = model.predict(v.x, { batchSize: v.count, seqLen: v.seqLen });
  const radius = Array.from({ length: opts.horizon }, (_, i) => {
    const errors = Array.from({ length: v.count }, (_, w) => Math.abs(valPred[w * opts.horizon + i] - v.targets[w * opts.horizon + i])).sort((a, b) => a - b);
    return errors[Math.min(errors.length - 1, Math.ceil((errors.length + 1) * opts.level) - 1)];
  });
  const input = pipeline.forecastInput(series);
  const [raw] = model.predict(input.x, { batchSize: 1, seqLen: input.seqLen });
  const shifted = (sign: number) => Float32Array.from(raw, (p, i) => p + sign * radius[i]);
  const mean = Array.from(pipeline.inverse(raw, input.context));
  const lower = Array.from(pipeline.inverse(shifted(-1), input.context));
  const upper = Array.from(pipeline.inverse(shifted(1), input.context));
  const calendar = series.timeKind === 'date' || series.timeKind === 'datetime' || series.timeKind === 'month';
  const time = Array.from({ length: series.length }, (_, i) =>
    series.time ? (calendar ? new Date(series.time[i]).toISOString().slice(0, 7) : String(series.time[i])) : String(i));
  const last = time[time.length - 1];
  return {
    model,
    pipeline,
    fit,
    history: { time, values: Array.from(series.values[0]) },
    forecast: { time: Array.from({ length: opts.horizon }, (_, k) => monthAfter(last, k + 1)), mean, lower, upper },
    raw: Array.from(raw),
    lastWindow: input.x,
  };
}
