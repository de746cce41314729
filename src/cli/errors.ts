// How the command line reports failures: one line on stderr and an exit code, never a stack trace
// (unless --debug). Errors the user can fix (their file, their column, their option) are told as they
// are; anything else is a bug or an environment problem, told in one line plus a hint to rerun with --debug.
import { BackendUnavailableError, BusyError, NonFiniteError, ShapeError } from '../errors.js';
import { DataError, type DataProblem } from '../data/errors.js';
import { ModelFileError } from '../persist/errors.js';

/** Exit code of a command line the tool cannot act on: unknown option, bad option value, missing argument. */
export const EXIT_USAGE = 2;
/** Exit code of every other failure: bad data, unreadable or incompatible model file, a failed fit. */
export const EXIT_FAILURE = 1;

/** A mistake on the command line, found after parsing (an option that contradicts another, say). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Node's file-system errors carry a code and the path. */
function fileProblem(e: NodeJS.ErrnoException): string | null {
  const path = e.path ?? 'the file';
  switch (e.code) {
    case 'ENOENT':
      return `file not found: ${path}`;
    case 'EISDIR':
      return `${path} is a directory; expected a file`;
    case 'EACCES':
    case 'EPERM':
      return `permission denied: ${path}`;
    case 'ENOTDIR':
      return `a part of ${path} is not a directory`;
    case 'ENOSPC':
      return `no space left on the device while writing ${path}`;
    default:
      return null;
  }
}

/** The first line of a message; the library's multi-line messages list details after it. */
function firstLine(message: string): string {
  return message.split('\n')[0].trim();
}

/** The command-line options that resolve each kind of data problem (the library's hints name its API). */
const DATA_FIXES: Partial<Record<DataProblem['kind'], string>> = {
  missing: 'fill the gaps with --missing linear (or ffill, bfill, seasonal, drop)',
  'non-numeric': 'fix the cell, or pass --non-numeric missing --missing linear to fill it',
  unsorted: 'pass --unsorted sort to sort the rows by time',
  duplicate: 'pass --duplicates keep-first (or keep-last, mean, drop-identical) to merge repeated timestamps',
};

/**
 * A DataError in one line: its first line without the library's API hint, the first problem it lists
 * and how many more there are, then the command-line options that fix them.
 */
function dataErrorLine(e: DataError): string {
  const lines = e.message.split('\n').map((l) => l.trim()).filter(Boolean);
  let head = lines[0].replace(/;?\s*fix the cell.*$/i, '').replace(/\s*Pass \{.*$/, '');
  const listed = lines.slice(1).filter((l) => !/^Pass \{/.test(l) && !/^\.\.\. and \d+ more$/.test(l));
  if (head.endsWith(':') && listed.length > 0) {
    const more = Math.max(e.problems.length, listed.length) - 1;
    head = `${head} ${listed[0]}${more > 0 ? ` (and ${more} more)` : ''}`;
  }
  const fixes = [...new Set(e.problems.map((p) => DATA_FIXES[p.kind]).filter(Boolean))];
  return fixes.length > 0 ? `${head}; ${fixes.join('; ')}` : head;
}

/**
 * A ModelFileError in one line, with the fix in command-line terms: the library's fixes name its API
 * (saveModel(), "save the forecaster again"), which a command-line user never called.
 */
function modelFileLine(e: ModelFileError): string {
  const message = firstLine(e.message).replace(/^Forecaster\.(load|fromBytes): /, '');
  const cut = message.lastIndexOf('; ');
  const fix = cut >= 0 ? message.slice(cut + 2) : '';
  if (!/\(\)|save (the forecaster|the model|it) again/.test(fix)) return `model file ${message}`;
  const cliFix =
    e.problem === 'not-a-model-file' || /one network/.test(message)
      ? 'give a forecaster saved by `seqcast train --out`'
      : e.problem === 'unsupported-version'
        ? 'upgrade seqcast to load it, or train it again with `seqcast train --out`'
        : 'train it again with `seqcast train --out` (or restore the file from a backup)';
  return `model file ${message.slice(0, cut)}; ${cliFix}`;
}

/**
 * The one line printed for an error, and the exit code. Known error classes print their own message
 * (for a DataError listing several bad cells, the first line plus the first listed cell); unknown
 * ones add a hint.
 */
export function describeError(e: unknown): { line: string; exitCode: number; known: boolean } {
  if (e instanceof UsageError) return { line: e.message, exitCode: EXIT_USAGE, known: true };
  if (e instanceof DataError) return { line: dataErrorLine(e), exitCode: EXIT_FAILURE, known: true };
  if (e instanceof ModelFileError) return { line: modelFileLine(e), exitCode: EXIT_FAILURE, known: true };
  if (e instanceof BackendUnavailableError) {
    // The message lists the causes on the following lines, then the fix; keep the first cause and the fix.
    const lines = e.message.split('\n').map((l) => l.trim()).filter(Boolean);
    const fix = lines.find((l) => l.startsWith('Possible solutions'));
    return { line: [lines[0], lines[1], fix].filter(Boolean).join(' '), exitCode: EXIT_FAILURE, known: true };
  }
  if (e instanceof ShapeError || e instanceof NonFiniteError || e instanceof BusyError) return { line: firstLine(e.message), exitCode: EXIT_FAILURE, known: true };
  if (e instanceof RangeError && !/call stack|array length/i.test(e.message)) {
    // The library's validation of sizes and values (a series too short for the horizon, say): its
    // message names the value and the fix. The CLI checks kinds of values itself, so a TypeError is a bug.
    return { line: firstLine(e.message), exitCode: EXIT_FAILURE, known: true };
  }
  if (e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string') {
    const line = fileProblem(e as NodeJS.ErrnoException);
    if (line) return { line, exitCode: EXIT_FAILURE, known: true };
  }
  const message = e instanceof Error ? `${e.name}: ${firstLine(e.message)}` : String(e);
  return { line: `unexpected error: ${message} (rerun with --debug for the stack trace)`, exitCode: EXIT_FAILURE, known: false };
}
