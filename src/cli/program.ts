// The seqcast command line, built with commander: one subcommand per file under commands/.
import { Command } from 'commander';
import { packageVersion } from '../persist/version.js';
import { compareCommand } from './commands/compare.js';
import { demoCommand } from './commands/demo.js';
import { evaluateCommand } from './commands/evaluate.js';
import { forecastCommand } from './commands/forecast.js';
import { infoCommand } from './commands/info.js';
import { trainCommand } from './commands/train.js';
import type { Output } from './output.js';

/** Commander's message with its suggestion ('(Did you mean forecast?)') on the same line. */
const oneLine = (message: string): string => message.trim().split('\n').map((l) => l.trim()).join(' ');

export function buildProgram(out: Output, writeOut: (s: string) => void, writeErr: (s: string) => void): Command {
  const program = new Command('seqcast')
    .description('Recurrent-network (LSTM, GRU, RNN) forecasting of time series in CSV files')
    .version(packageVersion(), '-V, --version')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut,
      writeErr,
      // Commander's own errors (unknown option, bad value, missing argument): one line, named like ours.
      outputError: (message, write) => write(`seqcast: ${oneLine(message)}\n`),
    })
    .addHelpText('after', '\nStart with `seqcast demo`. Every subcommand takes --json (one JSON document on stdout) and --help.');
  for (const add of [demoCommand, trainCommand, forecastCommand, evaluateCommand, compareCommand, infoCommand]) add(program, out);
  // Subcommands inherit the error handling and output settings.
  for (const cmd of program.commands) cmd.exitOverride().configureOutput({ writeOut, writeErr, outputError: (message, write) => write(`seqcast ${cmd.name()}: ${oneLine(message)}\n`) });
  return program;
}
