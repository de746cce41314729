// The command line's parts, in-process (fast): argument parsing and usage errors through main(),
// one-line error messages from the library's real errors, time labels, tables, the plot spec and its
// rendering, and the progress bar drawn on a fake terminal.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/data/errors.js';
import { loadCsv } from '../../src/data/csv.js';
import { fromArray, fromRecords } from '../../src/data/series.js';
import { Forecaster } from '../../src/forecast/forecaster.js';
import { SequenceModel } from '../../src/model/sequence-model.js';
import { serializeModel } from '../../src/persist/save.js';
import { describeError, EXIT_FAILURE, EXIT_USAGE, UsageError } from '../../src/cli/errors.js';
import { futureLabels, futureTimes } from '../../src/cli/future-times.js';
import { numColumn, scoreTable } from '../../src/cli/format.js';
import { main } from '../../src/cli/main.js';
import { level, quantiles } from '../../src/cli/option-values.js';
import { Output, toJson } from '../../src/cli/output.js';
import { forecastPlotSpec } from '../../src/cli/plot-spec.js';
import { TrainingProgress } from '../../src/cli/progress.js';
import { renderSvg, svgToPng } from '../../src/cli/render-plot.js';
import { ROOT } from './run-cli.js';

const DIRTY = join(ROOT, '..', 'shared', 'data', 'dirty');
const AIR = join(ROOT, 'data', 'air_passengers.csv');

async function runInProcess(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr };
}

async function errorOf(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

describe('usage errors (main in-process)', () => {
  it.each([
    [['evaluate', AIR, '--horizon', '0'], /^seqcast evaluate: error: option '--horizon <h>' argument '0' is invalid\. expected a positive integer, like 12\.$/],
    [['evaluate', AIR, '--horizon', '1.5'], /argument '1\.5' is invalid/],
    [['evaluate', AIR, '--backtest', '-2'], /'--backtest <k>' argument '-2' is invalid|unknown option '-2'/],
    [['evaluate', AIR, '--cell', 'transformer'], /'--cell <cell>' argument 'transformer' is invalid\. expected one of lstm, gru, rnn\./],
    [['evaluate', AIR, '--plot', 'out.pdf'], /must end in \.svg or \.png/],
    [['evaluate', AIR, '--missing', 'guess'], /'--missing <policy>' argument 'guess' is invalid\. Allowed choices are error, keep, ffill, bfill, linear, seasonal, drop\./],
    [['evaluate', AIR, '--level', '0'], /'--level <p>' argument '0' is invalid/],
    [['forecast', AIR, '--model', 'm.seqcast', '--quantiles', '0.5,0.5'], /a quantile is listed twice/],
    [['forecast', AIR], /required option '--model <file>' not specified/],
    [['train', AIR], /^seqcast train: error: required option '--target <column>' not specified$/],
    [['evaluate'], /missing required argument 'csv'/],
    [['evaluate', AIR, '--frobnicate'], /unknown option '--frobnicate'/],
    [['forcast'], /^seqcast: error: unknown command 'forcast' \(Did you mean forecast\?\)$/],
  ])('%j', async (argv, pattern) => {
    const r = await runInProcess(argv as string[]);
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.stdout).toBe('');
    expect(r.stderr.endsWith('\n')).toBe(true);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr.trimEnd()).toMatch(pattern);
  });

  it('prints help and the version on stdout with exit code 0', async () => {
    const help = await runInProcess(['--help']);
    expect(help.code).toBe(0);
    for (const c of ['demo', 'train', 'forecast', 'evaluate', 'compare', 'info']) expect(help.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
    const sub = await runInProcess(['evaluate', '--help']);
    expect(sub.code).toBe(0);
    expect(sub.stdout).toContain('--backtest <k>');
    expect(sub.stdout).toContain('--json');
    const v = await runInProcess(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('info and compare text (main in-process)', () => {
  it('info names the backend asked for and its SIMD level', async () => {
    const r = await runInProcess(['info', '--backend', 'wasm']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^seqcast \d+\.\d+\.\d+ on Node /);
    expect(r.stdout).toMatch(/^backend\s+wasm \(WebAssembly\)$/m);
    expect(r.stdout).toMatch(/^SIMD\s+wasm-simd128$/m);
  });

  it('compare prints one row per cell and baseline', async () => {
    const r = await runInProcess(['compare', AIR, '--cells', 'rnn', '--epochs', '1', '--ensemble', '1', '--horizon', '3', '--hidden', '4']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const row of ['rnn', 'naive', 'seasonal naive', 'drift', 'moving average']) expect(r.stdout).toMatch(new RegExp(`^[ *]${row}\\s+\\d`, 'm'));
    expect(r.stdout).toContain('horizon 3, season 12, last 3 values held out');
  });
});

describe('describeError: one line from the library’s real errors', () => {
  it('turns each dirty-file DataError into its first problem, a count and the command-line fix', async () => {
    const missing = describeError(await errorOf(loadCsv(join(DIRTY, 'presidents_missing.csv'))));
    expect(missing.line).toBe(
      `presidents_missing.csv: 6 missing value(s): line 2, column 'approval_pct': missing ("NA") (and 5 more); fill the gaps with --missing linear (or ffill, bfill, seasonal, drop)`,
    );
    expect(missing.exitCode).toBe(EXIT_FAILURE);
    const nonNumeric = describeError(await errorOf(loadCsv(join(DIRTY, 'us_acc_deaths_non_numeric.csv'))));
    expect(nonNumeric.line).toBe(`us_acc_deaths_non_numeric.csv: line 31, column 'deaths': expected a number, got "9O56"; fix the cell, or pass --non-numeric missing --missing linear to fill it`);
    const unsorted = describeError(await errorOf(loadCsv(join(DIRTY, 'ldeaths_unsorted_duplicates.csv'))));
    expect(unsorted.line).toMatch(/^ldeaths_unsorted_duplicates\.csv: column 'date' has 3 row\(s\) out of time order and 2 duplicate timestamp\(s\): line 12: .* \(and 4 more\); pass --unsorted sort .*; pass --duplicates keep-first/);
    for (const d of [missing, nonNumeric, unsorted]) expect(d.line).not.toMatch(/\n|\{ \w+:/); // no API hints like { missing: 'keep' }
  });

  it('replaces the model-file fixes that name the API with the command that makes a good file', async () => {
    const csvBytes = new TextEncoder().encode('date,passengers\n1949-01-01,112\n1949-02-01,118\n');
    const foreign = describeError(await errorOf(Forecaster.fromBytes(csvBytes, {}, 'Forecaster.load: air.csv')));
    expect(foreign.line).toBe('model file air.csv: not a seqcast model file: expected the magic bytes "SEQCAST\\x00" at the start, got "date,pas"; give a forecaster saved by `seqcast train --out`');
    const net = await SequenceModel.create({ cell: 'gru', inputSize: 1, hiddenSize: 2, heads: [{ outputs: 1 }] });
    const oneNetwork = describeError(await errorOf(Forecaster.fromBytes(serializeModel(net), {}, 'Forecaster.load: net.seqcast')));
    net.dispose();
    expect(oneNetwork.line).toMatch(/^model file net\.seqcast: this is a seqcast model file \(one network\), not a forecaster file; give a forecaster saved by `seqcast train --out`$/);
  });

  it('names a missing file, keeps RangeError messages, and flags anything else as unexpected', () => {
    const enoent = Object.assign(new Error("ENOENT: no such file or directory, open 'x.csv'"), { code: 'ENOENT', path: 'x.csv' });
    expect(describeError(enoent)).toEqual({ line: 'file not found: x.csv', exitCode: EXIT_FAILURE, known: true });
    expect(describeError(new RangeError('Forecaster.fit: a series of 10 values is too short\nmore')).line).toBe('Forecaster.fit: a series of 10 values is too short');
    expect(describeError(new UsageError('--steps 13 is more than 12')).exitCode).toBe(EXIT_USAGE);
    const bug = describeError(new TypeError("Cannot read properties of undefined (reading 'x')"));
    expect(bug.known).toBe(false);
    expect(bug.line).toBe("unexpected error: TypeError: Cannot read properties of undefined (reading 'x') (rerun with --debug for the stack trace)");
    expect(describeError(new DataError('a.csv: bad\n  line 3: x')).line).toBe('a.csv: bad');
  });
});

describe('option values', () => {
  it('parses quantiles and levels', () => {
    expect(quantiles('0.9, 0.1,0.5')).toEqual([0.1, 0.5, 0.9]);
    expect(() => quantiles('0.1,,0.9')).toThrow(/comma-separated numbers/);
    expect(() => quantiles('0')).toThrow(/strictly between 0 and 1/);
    expect(level('0.9')).toBe(0.9);
    expect(level('95')).toBeCloseTo(0.95, 12);
    expect(level('95%')).toBeCloseTo(0.95, 12);
    expect(() => level('100')).toThrow(/coverage/);
  });
});

describe('future time labels', () => {
  it('continues monthly, quarterly, daily, yearly and indexed series at their step', async () => {
    const air = await loadCsv(AIR);
    expect(futureLabels(air, 2)).toEqual(['1961-01-01', '1961-02-01']);
    const quarterly = fromRecords([{ t: '2000-01-01', v: 1 }, { t: '2000-04-01', v: 2 }, { t: '2000-07-01', v: 3 }, { t: '2000-10-01', v: 4 }], { timeColumn: 't' });
    expect(futureLabels(quarterly, 2)).toEqual(['2001-01-01', '2001-04-01']);
    const daily = fromRecords([{ t: '2020-02-27', v: 1 }, { t: '2020-02-28', v: 2 }], { timeColumn: 't' });
    expect(futureLabels(daily, 2)).toEqual(['2020-02-29', '2020-03-01']);
    const yearly = fromRecords([{ t: '1990', v: 1 }, { t: '1995', v: 2 }], { timeColumn: 't' });
    expect(Array.from(futureTimes(yearly, 2)!)).toEqual([2000, 2005]);
    const plain = fromArray([1, 2, 3]);
    expect(futureTimes(plain, 2)).toBeNull();
    expect(futureLabels(plain, 2)).toEqual(['4', '5']);
  });
});

describe('tables and JSON', () => {
  it('formats a column with one number of decimals and stars the best score', () => {
    expect(numColumn([21.928, 76, 102.98])).toEqual(['21.9', '76.0', '103.0']);
    expect(numColumn([0.7201, 2.496])).toEqual(['0.720', '2.496']);
    const s = { mae: 1, rmse: 2, smape: 3, mase: 0.5 };
    const text = scoreTable([{ name: 'model', scores: s }, { name: 'naive', scores: { ...s, mae: 2, mase: 0.4 } }]);
    expect(text).toMatch(/^model\s+1\.000\*\s+2\.000\*\s+3\.000\*\s+0\.5000$/m);
    expect(text).toMatch(/^naive\s+2\.000 \s+2\.000\*\s+3\.000\*\s+0\.4000\*$/m);
  });

  it('writes typed arrays as arrays and non-finite numbers as null, once', () => {
    expect(JSON.parse(toJson({ a: Float64Array.of(1, NaN), b: Infinity }))).toEqual({ a: [1, null], b: null });
    const lines: string[] = [];
    const out = new Output((s) => lines.push(s));
    out.configure({ json: true });
    out.text(() => 'hidden');
    out.json(() => ({ ok: 1 }));
    expect(lines).toEqual(['{\n  "ok": 1\n}\n']);
    expect(() => out.json(() => ({}))).toThrow(/two JSON documents/);
  });
});

describe('the plot', () => {
  const series = fromArray([1, 3, 2, 4, 3, 5, 4, 6], { name: 'sales' });
  const base = { title: 'sales', series, history: [1, 3, 2, 4, 3, 5], historyTimes: null, actual: [4, 6], forecast: [4.2, 5.5], forecastTimes: null };

  it('layers the band under the lines, and adds the training-curves panel only when there are curves', () => {
    const plain = forecastPlotSpec(base);
    expect(plain.vconcat).toBeUndefined();
    expect((plain.layer as unknown[]).length).toBe(1); // lines only, no band without bounds
    const full = forecastPlotSpec({
      ...base, lower: [3, 4], upper: [5, 7], level: 0.9,
      curves: [{ fit: 'lstm', phase: null, member: 0, epoch: 1, loss: 0.5, valLoss: 0.6 }, { fit: 'lstm', phase: null, member: 0, epoch: 2, loss: 0.4, valLoss: null }],
    });
    const [top, bottom] = full.vconcat as Record<string, unknown>[];
    const [band, lines] = top.layer as { mark: { type: string }; data: { values: Record<string, unknown>[] } }[];
    expect(band.mark.type).toBe('area');
    expect(band.data.values).toEqual([{ t: 7, lower: 3, upper: 5 }, { t: 8, lower: 4, upper: 7 }]);
    expect(lines.data.values.filter((r) => r.line === 'actual').map((r) => [r.t, r.value])).toEqual([[6, 5], [7, 4], [8, 6]]); // joins the history
    expect((bottom.data as { values: unknown[] }).values).toHaveLength(3); // two training points, one validation point
  });

  it('renders to SVG with the legend text, and to PNG', async () => {
    const svg = await renderSvg(forecastPlotSpec({ ...base, lower: [3, 4], upper: [5, 7] }));
    expect(svg.startsWith('<svg')).toBe(true);
    for (const text of ['history', 'actual', 'forecast', '80% interval']) expect(svg).toContain(`>${text}<`);
    const png = await svgToPng(svg);
    expect(Array.from(png.subarray(0, 4))).toEqual([0x89, 0x50, 0x4e, 0x47]);
  });
});

describe('progress bar', () => {
  const event = (epoch: number, batch: number, valLoss: number | null) => ({
    epoch, epochs: 5, batch, batches: 2, loss: 0.25, valLoss, lr: 1e-3, seqPerSec: 1234.4, etaSeconds: 75, member: 1, members: 3,
  });

  it('draws epoch, losses, throughput and ETA on a terminal, and keeps one curve point per epoch', () => {
    let drawn = '';
    const tty = Object.assign(Object.create(process.stderr) as NodeJS.WriteStream, {
      isTTY: true, columns: 200, write: (s: string) => ((drawn += s), true),
    });
    const p = new TrainingProgress(2, true, tty);
    const onProgress = p.startFit('lstm');
    onProgress(event(2, 1, null));
    onProgress({ ...event(2, 2, 0.125), loss: 0.75 });
    p.stop();
    expect(drawn).toContain('lstm |');
    expect(drawn).toMatch(/net 2\/3 · epoch 2\/5 · loss 0\.750 val 0\.125 · 1234 seq\/s · ETA 1m15s/);
    // The curve keeps the epoch's mean batch loss.
    expect(p.curves).toEqual([{ fit: 'lstm', phase: null, member: 1, epoch: 2, loss: 0.5, valLoss: 0.125 }]);
  });

  it('writes nothing when not shown, but still records the curves', () => {
    let drawn = '';
    const tty = Object.assign(Object.create(process.stderr) as NodeJS.WriteStream, { isTTY: true, columns: 200, write: (s: string) => ((drawn += s), true) });
    const p = new TrainingProgress(1, false, tty);
    p.startFit('gru')(event(1, 2, 0.5));
    p.endFit();
    p.stop();
    expect(drawn).toBe('');
    expect(p.curves).toHaveLength(1);
  });
});
