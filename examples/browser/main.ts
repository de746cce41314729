// The demo page: pick a bundled series or drop a CSV, train in a Web Worker while the loss curve
// updates, then see the forecast and its interval band. It also exposes window.seqcastDemo, which the
// end-to-end test (test/browser/) drives; you can call it from the console too.
import * as seqcast from 'seqcast/browser';
import { drawForecast, drawLoss } from './charts.js';
import { DEFAULT_RECIPE, trainAndForecast, type RecipeOptions, type RecipeResult } from './recipe.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = $<HTMLDivElement>('status');
const trainButton = $<HTMLButtonElement>('train');
const stopButton = $<HTMLButtonElement>('stop');
const seriesSelect = $<HTMLSelectElement>('series');
const seasonInput = $<HTMLInputElement>('season');
const epochsInput = $<HTMLInputElement>('epochs');
const lossSvg = $('loss') as unknown as SVGSVGElement;
const forecastSvg = $('forecast') as unknown as SVGSVGElement;

const SEASONS: Record<string, number> = { 'air_passengers.csv': 12, 'nottem.csv': 12, 'uk_gas.csv': 4 };
let dropped: { name: string; text: string } | null = null;
let running: AbortController | null = null;
let last: RecipeResult | null = null;

function say(text: string, error = false): void {
  status.textContent = text;
  status.className = error ? 'error' : '';
}

seriesSelect.addEventListener('change', () => {
  dropped = null;
  seasonInput.value = String(SEASONS[seriesSelect.value] ?? 12);
});

async function useFile(file: File): Promise<void> {
  dropped = { name: file.name, text: await file.text() };
  say(`${file.name} loaded (${dropped.text.split('\n').length - 1} rows); press Train`);
}
$<HTMLInputElement>('file').addEventListener('change', (e) => {
  const file = (e.target as HTMLInputElement).files?.[0];
  if (file) void useFile(file);
});
const drop = $('drop');
drop.addEventListener('dragover', (e) => {
  e.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  const file = e.dataTransfer?.files[0];
  if (file) void useFile(file);
});

/** Trains on a bundled series (by file name) or the dropped CSV; redraws the loss curve as it goes. */
async function run(source: string | null, options: Partial<RecipeOptions> = {}): Promise<RecipeResult> {
  const opts: RecipeOptions = { ...DEFAULT_RECIPE, ...options };
  const name = source ?? dropped?.name ?? seriesSelect.value;
  const text = source === null && dropped ? dropped.text : await (await fetch(`./${name}`)).text();
  last?.model.dispose();
  last = null;
  epochsInput.value = String(opts.epochs);
  const loss: number[] = [];
  const valLoss: number[] = [];
  let frame = 0;
  running = new AbortController();
  trainButton.disabled = true;
  stopButton.disabled = false;
  const started = performance.now();
  try {
    const result = await trainAndForecast(seqcast, text, name, opts, (e) => {
      if (e.batch !== e.batches) return;
      loss.push(e.loss);
      if (e.valLoss !== null) valLoss.push(e.valLoss);
      say(`${name}: epoch ${e.epoch}/${e.epochs}, loss ${e.loss.toFixed(4)}, validation ${e.valLoss?.toFixed(4) ?? '-'}, ${Math.round(e.seqPerSec)} windows/s`);
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => drawLoss(lossSvg, loss, valLoss, e.epochs));
    }, running.signal);
    cancelAnimationFrame(frame);
    drawLoss(lossSvg, result.fit.history.loss, result.fit.history.valLoss, opts.epochs);
    drawForecast(forecastSvg, result);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    say(`${name}: trained ${result.fit.epochs} epochs in ${seconds} s on ${(await seqcast.backendInfo()).variant}; ` +
      `best validation loss ${Math.min(...result.fit.history.valLoss).toFixed(4)} at epoch ${result.fit.bestEpoch} (its weights forecast). Done.`);
    last = result;
    return result;
  } catch (e) {
    const message = (e as Error).message;
    say(message.startsWith(name) ? message : `${name}: ${message}`, true);
    throw e;
  } finally {
    running = null;
    trainButton.disabled = false;
    stopButton.disabled = true;
  }
}

trainButton.addEventListener('click', () => {
  const season = Number(seasonInput.value);
  void run(dropped ? null : seriesSelect.value, { epochs: Number(epochsInput.value), season, horizon: season === 4 ? 8 : 12, lookback: 2 * Math.max(season, 12) }).catch(() => undefined);
});
stopButton.addEventListener('click', () => running?.abort(new Error('stopped; press Train to start again')));

/** Predictions of a model file (saved by Node's saveModel/serializeModel) on the given windows. */
async function predictWithModelFile(url: string, x: number[], seqLen: number): Promise<number[][]> {
  const { model } = await seqcast.loadModel(url);
  try {
    const batchSize = x.length / (seqLen * model.options.inputSize);
    return model.predict(Float32Array.from(x), { batchSize, seqLen }).map((a) => Array.from(a));
  } finally {
    model.dispose();
  }
}

/** Forecast of a forecaster file (Node's Forecaster.toBytes/save) fetched from a URL. */
async function forecastWithForecasterFile(url: string): Promise<number[]> {
  const forecaster = await seqcast.Forecaster.fromBytes(await seqcast.modelBytes(url));
  try {
    return Array.from(forecaster.forecast());
  } finally {
    forecaster.dispose();
  }
}

declare global {
  interface Window {
    seqcastDemo: {
      ready: Promise<string>;
      run(source: string, options?: Partial<RecipeOptions>): Promise<{ raw: number[]; loss: number[]; valLoss: number[]; mean: number[]; lower: number[]; upper: number[]; crossOriginIsolated: boolean }>;
      predictWithModelFile: typeof predictWithModelFile;
      forecastWithForecasterFile: typeof forecastWithForecasterFile;
    };
  }
}

const ready = seqcast.backendInfo().then((info) => {
  say(`Ready: ${info.name} backend (${info.variant}). Pick a series and press Train.`);
  return info.variant;
}, (e: Error) => {
  say(`Could not load the WebAssembly backend: ${e.message}`, true);
  throw e;
});

window.seqcastDemo = {
  ready,
  run: async (source, options) => {
    const r = await run(source, options);
    return { raw: r.raw, loss: r.fit.history.loss, valLoss: r.fit.history.valLoss, ...r.forecast, crossOriginIsolated: globalThis.crossOriginIsolated === true };
  },
  predictWithModelFile,
  forecastWithForecasterFile,
};
