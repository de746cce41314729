// seqcast demo: the first command a new user runs. Evaluates the forecaster on a real series shipped
// with the package (monthly airline passengers, 1949-1960): trains on 1949-1959, forecasts 1960,
// prints the scores beside the baselines and writes a picture of the forecast and the training curves.
import { fileURLToPath } from 'node:url';
import { Option, type Command } from 'commander';
import { loadSeries } from '../load-series.js';
import type { Output } from '../output.js';
import { plotPath } from '../option-values.js';
import { addModelOptions, addOutputOptions } from '../settings.js';
import { evaluateSeries, evaluationJson, evaluationText, writeEvaluationPlot, type EvaluateOptions } from './evaluate.js';

/** The shipped series: data/ at the package root, two folders above src/cli/commands and dist/cli/commands. */
export const DEMO_CSV = fileURLToPath(new URL('../../../data/air_passengers.csv', import.meta.url));

export function demoCommand(program: Command, out: Output): void {
  const cmd = program
    .command('demo')
    .description('train on monthly airline passengers 1949-1959 (shipped with the package), forecast 1960, compare with baselines and plot');
  addModelOptions(cmd);
  addOutputOptions(cmd, { plot: false });
  cmd.addOption(new Option('--plot <file>', 'where to write the plot (.png or .svg)').argParser(plotPath).default('seqcast-demo.png'));
  cmd.option('--no-plot', 'do not write a plot');
  cmd.action(async (o: EvaluateOptions) => {
    out.configure(o);
    const series = await loadSeries(DEMO_CSV, { target: 'passengers' });
    out.text(() => `seqcast demo: ${o.cell.toUpperCase()} forecaster on monthly airline passengers (thousands), trained on 1949-1959, forecasting 1960.\n`);
    const ev = await evaluateSeries(series, o, o.cell);
    if (o.plot) await writeEvaluationPlot(series, ev, o, o.plot, `Airline passengers: ${o.cell.toUpperCase()} forecast of 1960 (trained on 1949-1959)`);
    out.json(() => evaluationJson(series, ev, { cell: o.cell, plot: o.plot || null }));
    out.text(() =>
      [
        evaluationText(series, ev, o.cell),
        ...(o.plot ? [`Plot: ${o.plot} (history, the 1960 forecast with its ${Math.round(o.level * 100)}% interval, the actual 1960 values${ev.curves.length ? ', training curves' : ''})`] : []),
        '',
        'Next: seqcast evaluate your.csv --target <column>   (or seqcast train your.csv --target <column> --out model.seqcast)',
      ].join('\n'),
    );
  });
}
