// Entry point of the seqcast command line: parses the arguments, runs the subcommand and turns any
// failure into one line on stderr and an exit code (errors.ts). bin/seqcast.js calls run() from dist/;
// `node --import tsx src/cli/main.ts ...` runs it from source.
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { CommanderError } from 'commander';
import { describeError, EXIT_USAGE } from './errors.js';
import { Output } from './output.js';
import { buildProgram } from './program.js';

export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

const PROCESS_IO: CliIo = { stdout: (s) => void process.stdout.write(s), stderr: (s) => void process.stderr.write(s) };

/** Runs the command line on `argv` (without node and the script) and returns the exit code. */
export async function main(argv: string[], io: CliIo = PROCESS_IO): Promise<number> {
  const debug = argv.includes('--debug') || Boolean(process.env.SEQCAST_DEBUG);
  const writeErr = io.stderr;
  const program = buildProgram(new Output(io.stdout), io.stdout, writeErr);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and --version end parsing with a CommanderError of exit code 0; the rest were printed already.
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return 0;
      if (e.code === 'commander.help' || e.code === 'commander.executeSubCommandAsync') return e.exitCode;
      return EXIT_USAGE;
    }
    const { line, exitCode } = describeError(e);
    const name = program.args[0] && program.commands.some((c) => c.name() === program.args[0]) ? `seqcast ${program.args[0]}` : 'seqcast';
    writeErr(`${name}: error: ${line}\n`);
    if (debug && e instanceof Error && e.stack) writeErr(`${e.stack}\n`);
    return exitCode;
  }
}

/**
 * main() with the exit code set on the process (the event loop then drains and exits). Node's warnings
 * (the native backend falling back to WebAssembly, say) become one line each, named like our errors,
 * instead of Node's two-line format with its --trace-warnings hint.
 */
export async function run(argv: string[]): Promise<void> {
  process.removeAllListeners('warning');
  process.on('warning', (w) => {
    const fix = (w as { code?: string }).code === 'SEQCAST_NATIVE_UNAVAILABLE' ? '; `npm run build:native` builds it, --backend wasm silences this' : '';
    process.stderr.write(`seqcast: warning: ${w.message.replace(/^seqcast: /, '')}${fix}\n`);
  });
  process.exitCode = await main(argv);
}

function isEntry(): boolean {
  try {
    return Boolean(process.argv[1]) && pathToFileURL(realpathSync(process.argv[1])).href === import.meta.url;
  } catch {
    return false;
  }
}

if (isEntry()) await run(process.argv.slice(2));
