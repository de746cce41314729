// Fitting a Forecaster for a subcommand: one place that builds it from the resolved options, passes the
// progress callback and times the fit, so train, evaluate, demo and compare fit the same way.
import type { BackendOptions } from '../backend/select.js';
import type { Series } from '../data/series.js';
import { Forecaster, type ForecasterFitReport, type ForecasterOptions } from '../forecast/forecaster.js';
import type { ForecastProgressEvent } from './progress.js';

export interface FitOutcome {
  forecaster: Forecaster;
  report: ForecasterFitReport;
  seconds: number;
}

/**
 * A forecaster fitted on the series' target column (series.targets[0]). `onProgress` receives the
 * forecaster's per-batch events when it reports them.
 */
export async function fitForecaster(
  series: Series,
  options: ForecasterOptions,
  backend: BackendOptions,
  onProgress?: (e: ForecastProgressEvent) => void,
): Promise<FitOutcome> {
  const forecaster = new Forecaster(options, backend);
  const started = performance.now();
  try {
    // A variable, not a literal: fit() takes more options as the forecaster grows (onProgress).
    const fitOptions = { target: series.targets[0], covariates: series.covariates, onProgress };
    const report = await forecaster.fit(series, fitOptions);
    return { forecaster, report, seconds: (performance.now() - started) / 1000 };
  } catch (e) {
    forecaster.dispose();
    throw e;
  }
}
