// seqcast in the browser (the package's "browser" condition and "./browser" subpath): the same
// models, data preparation, model files and metrics as in Node, on the WebAssembly backend. fit()
// trains in a Web Worker with the same options and progress events as Node's worker thread.
// Not here: the native backend, and reading or writing files by path (loadCsv, saveModel); CSV text
// goes through readCsv/parseCsvTable and model files through loadModel(url | Response | File).
import { setFitWorkerFactory } from './fit-thread.js';

// seqcast-worker.js is the built fit-web-worker.ts, next to the built seqcast.js (src/browser/build.mjs).
// A literal `new Worker(new URL(...))`, so an application's bundler (Vite, webpack 5) emits it too.
setFitWorkerFactory(() => new Worker(new URL('./seqcast-worker.js', import.meta.url), { type: 'module', name: 'seqcast-fit' }));

export { setFitWorkerFactory } from './fit-thread.js';
export { setWasmSource, loadBackend, availableBackends, backendInfo } from './select.js';
export type { BackendOptions, WasmInput } from './select.js';
export { loadModel, modelBytes } from './load-model.js';
export type { ModelSource } from './load-model.js';

export { Recurrent } from '../model/recurrent.js';
export type { RecurrentOptions, ForwardOptions, RecurrentOutput, BackwardOptions, InputGrads, NamedTensor } from '../model/recurrent.js';
export { SequenceModel } from '../model/sequence-model.js';
export type { SequenceModelOptions, HeadOptions, ModelForwardOptions } from '../model/sequence-model.js';
export type { FitOptions } from '../train/fit.js';
export { DivergenceError } from '../train/fit-loop.js';
export type { FitResult, ProgressEvent } from '../train/fit-loop.js';
export type { TrainingData } from '../train/dataset.js';
export { computeLoss } from '../train/losses.js';
export type { LossSpec, LossResult, Reduction } from '../train/losses.js';
export { createOptimizer } from '../train/optimizers.js';
export type { Optimizer, OptimizerSpec } from '../train/optimizers.js';
export { clipGradNorm } from '../train/clip.js';
export type { ScheduleSpec } from '../train/schedules.js';
export type { Backend, BackendInfo, BackendName, F32Buffer, CellDims, Nonlinearity } from '../backend/types.js';
export type { CellKind } from '../layout/cells.js';
export { ShapeError, NonFiniteError, BackendUnavailableError, BusyError } from '../errors.js';
export type { LoadAttempt } from '../errors.js';
export { readCsv, parseCsvTable } from '../data/csv-text.js';
export type { CsvOptions, CsvTable } from '../data/csv-text.js';
export { fromArray, fromColumns, fromRecords, getColumn, sliceSeries } from '../data/series.js';
export type { Series, SeriesOptions, ArrayOptions, RecordOptions, DataReport, CellNote, UnsortedNote, DuplicateNote, MissingPolicy } from '../data/series.js';
export { parseTime, analyzeSpacing, formatTime } from '../data/timestamps.js';
export type { TimeKind, Spacing, SpacingIssue } from '../data/timestamps.js';
export { fillMissing, fillArray } from '../data/missing.js';
export type { FillStrategy, FillOptions, FilledCell } from '../data/missing.js';
export { clipOutliers, fitIqrBounds } from '../data/outliers.js';
export type { OutlierOptions, IqrBounds } from '../data/outliers.js';
export { movingAverage, exponentialSmoothing } from '../data/smoothing.js';
export { Scaler } from '../data/scalers.js';
export type { ScalerKind, ScalerJSON } from '../data/scalers.js';
export { lag, difference, seasonalDifference, undifference, rollingMean, rollingStd, calendarFeatures } from '../data/features.js';
export type { CalendarFeature } from '../data/features.js';
export { makeWindows, lastWindow, windowCount } from '../data/windows.js';
export type { WindowSource, WindowOptions, Windows } from '../data/windows.js';
export { chronologicalSplit } from '../data/split.js';
export type { SplitOptions, SplitRanges } from '../data/split.js';
export { Pipeline } from '../data/pipeline.js';
export type { PipelineConfig, PipelineJSON, PipelineStep, PreparedData, ForecastInput, ForecastContext, RunReport } from '../data/pipeline.js';
export { DataError } from '../data/errors.js';
export type { DataProblem } from '../data/errors.js';
export { serializeModel } from '../persist/save.js';
export type { SerializeOptions } from '../persist/save.js';
export { deserializeModel, parseModelFile } from '../persist/load.js';
export type { LoadedModel, ParsedModelFile } from '../persist/load.js';
export { ModelFileError } from '../persist/errors.js';
export type { ModelFileProblem } from '../persist/errors.js';
export { FORMAT_VERSION as MODEL_FORMAT_VERSION } from '../persist/format.js';
export type { ModelFileHeader, TensorEntry, SavedModelOptions } from '../persist/format.js';
export {
  mae, rmse, mape, smape, mase, seasonalNaiveScale, r2, intervalCoverage, meanIntervalWidth, forecastMetrics,
  accuracy, confusionMatrix, classificationReport, precision, recall, f1Score, rocAuc,
} from '../evaluate/metrics.js';
export type { Numeric, ForecastMetrics, ForecastMetricsOptions, ClassScores, ClassificationReport } from '../evaluate/metrics.js';
export { naiveForecast, seasonalNaiveForecast, driftForecast, movingAverageForecast } from '../evaluate/baselines.js';
export { rollingOrigins, backtest } from '../evaluate/backtest.js';
export type { Cutoff, OriginOptions, Scores, BaselineName, BaselineScores, OriginResult, BacktestResult, BacktestOptions, Forecaster as ForecastFunction } from '../evaluate/backtest.js';
export { Forecaster } from '../forecast/forecaster.js';
export type { ForecasterOptions, ForecasterFitReport } from '../forecast/forecaster.js';
