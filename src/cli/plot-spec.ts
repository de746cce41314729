// The Vega-Lite description of the forecast plot: the history, the held-out actuals when there are any,
// the forecast and its interval band on top, and below them the training curves (loss and validation
// loss per epoch, one line per network) when the forecaster reported them. Pure data in, spec out, so
// tests can check what is drawn without rendering.
import type { Series } from '../data/series.js';
import { isCalendar } from '../data/timestamps.js';
import type { CurvePoint } from './progress.js';

export interface ForecastPlotData {
  title: string;
  series: Series;
  /** The values drawn as history: the target column, or its training part. */
  history: ArrayLike<number>;
  /** Time values of the history rows (series encoding), or null for row numbers. */
  historyTimes: ArrayLike<number> | null;
  /** Held-out actual values over the forecast steps (evaluate, demo), if any. */
  actual?: ArrayLike<number> | null;
  forecast: ArrayLike<number>;
  forecastTimes: ArrayLike<number> | null;
  lower?: ArrayLike<number> | null;
  upper?: ArrayLike<number> | null;
  /** Coverage of the band, e.g. 0.8. */
  level?: number;
  curves?: CurvePoint[];
}

const COLORS = { history: '#4c78a8', actual: '#7f7f7f', forecast: '#e45756', band: '#f58518' };

type Spec = Record<string, unknown>;

export function forecastPlotSpec(d: ForecastPlotData): Spec {
  const calendar = isCalendar(d.series.timeKind) && d.historyTimes !== null;
  const xOf = (times: ArrayLike<number> | null, i: number, offset: number): number => (times ? times[i] : offset + i + 1);
  const rows: Record<string, unknown>[] = [];
  for (let i = 0; i < d.history.length; i++) rows.push({ t: xOf(d.historyTimes, i, 0), value: d.history[i], line: 'history', dash: 'solid' });
  const hasActual = Boolean(d.actual && d.actual.length > 0);
  // The held-out actuals continue the history line's last point, so the lines join up.
  if (hasActual) {
    const n = d.history.length;
    if (n > 0) rows.push({ t: xOf(d.historyTimes, n - 1, 0), value: d.history[n - 1], line: 'actual', dash: 'dashed' });
    for (let i = 0; i < d.actual!.length; i++) rows.push({ t: xOf(d.forecastTimes, i, n), value: d.actual![i], line: 'actual', dash: 'dashed' });
  }
  const band: Record<string, unknown>[] = [];
  for (let i = 0; i < d.forecast.length; i++) {
    const t = xOf(d.forecastTimes, i, d.history.length);
    rows.push({ t, value: d.forecast[i], line: 'forecast', dash: 'solid' });
    if (d.lower && d.upper) band.push({ t, lower: d.lower[i], upper: d.upper[i] });
  }
  const bandName = `${Math.round((d.level ?? 0.8) * 100)}% interval`;
  const domain = ['history', ...(hasActual ? ['actual'] : []), 'forecast', ...(band.length ? [bandName] : [])];
  const range = [COLORS.history, ...(hasActual ? [COLORS.actual] : []), COLORS.forecast, ...(band.length ? [COLORS.band] : [])];
  const x = calendar
    ? { field: 't', type: 'temporal', title: d.series.timeColumn, scale: { type: 'utc' } }
    : { field: 't', type: 'quantitative', title: d.series.timeColumn ?? 'row', axis: { format: 'd' }, scale: { zero: false, nice: false } };
  const color = { scale: { domain, range }, legend: { title: null, orient: 'top-left', symbolType: 'stroke', symbolStrokeWidth: 3 } };
  const forecastPanel: Spec = {
    width: 720,
    height: 300,
    title: { text: d.title, anchor: 'start' },
    layer: [
      ...(band.length
        ? [{
            data: { values: band },
            mark: { type: 'area', opacity: 0.3 },
            encoding: { x, y: { field: 'lower', type: 'quantitative' }, y2: { field: 'upper' }, color: { datum: bandName, ...color } },
          }]
        : []),
      {
        data: { values: rows },
        mark: { type: 'line', strokeWidth: 2 },
        encoding: {
          x,
          y: { field: 'value', type: 'quantitative', title: d.series.targets[0], scale: { zero: false } },
          color: { field: 'line', type: 'nominal', ...color },
          // Its own field, so its scale does not merge with the color legend.
          strokeDash: { field: 'dash', type: 'nominal', scale: { domain: ['solid', 'dashed'], range: [[1, 0], [4, 3]] }, legend: null },
          detail: { field: 'line', type: 'nominal' },
        },
      },
    ],
  };
  const curves = d.curves ?? [];
  if (curves.length === 0) return { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', config: CONFIG, ...forecastPanel };
  // The forecaster may train twice: networks chosen by early stopping on validation ('select'), then
  // retrained on every window for the chosen epochs ('refit', no validation loss).
  const points: Record<string, unknown>[] = [];
  for (const p of curves) {
    const network = `${p.fit} ${p.phase ?? ''} net ${p.member + 1}`;
    const refit = p.phase === 'refit';
    points.push({ epoch: p.epoch, loss: p.loss, kind: refit ? 'training loss, refit on all data' : 'training loss', network });
    if (p.valLoss !== null) points.push({ epoch: p.epoch, loss: p.valLoss, kind: 'validation loss', network });
  }
  const kinds = ['training loss', 'validation loss', 'training loss, refit on all data'].filter((k) => points.some((p) => p.kind === k));
  const kindColors: Record<string, string> = { 'training loss': '#54a24b', 'validation loss': '#b279a2', 'training loss, refit on all data': '#9d755d' };
  const curvePanel: Spec = {
    width: 720,
    height: 180,
    title: { text: 'Training curves (MSE of the normalized correction, one line per network)', anchor: 'start', fontSize: 12 },
    data: { values: points.filter((p) => (p.loss as number) > 0) },
    mark: { type: 'line', strokeWidth: 1.5, opacity: 0.85 },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', scale: { nice: false } },
      y: { field: 'loss', type: 'quantitative', scale: { type: 'log' }, title: 'loss (log scale)' },
      color: { field: 'kind', type: 'nominal', scale: { domain: kinds, range: kinds.map((k) => kindColors[k]) }, legend: { title: null, orient: 'top-right', symbolType: 'stroke', labelLimit: 320 } },
      detail: { field: 'network', type: 'nominal' },
    },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: CONFIG,
    vconcat: [forecastPanel, curvePanel],
    resolve: { scale: { color: 'independent' } },
  };
}

const CONFIG = { font: 'DejaVu Sans, Arial, Helvetica, sans-serif', background: 'white', view: { stroke: null } };
