// The error a data-preparation step throws when the data themselves are wrong (a bad cell, unsorted or
// duplicate timestamps, gaps with no policy). Messages name the source, the line (header = line 1) or
// row, the column, what was expected and what was found, and the option that would resolve it.
// Wrong kinds of arguments still throw TypeError, wrong sizes RangeError, as everywhere else.

/** One problem found in the data, as listed in a DataError's message. */
export interface DataProblem {
  kind: 'non-numeric' | 'missing' | 'bad-time' | 'unsorted' | 'duplicate' | 'irregular' | 'column-count' | 'domain';
  /** CSV line (header = 1) or 0-based row for arrays and records. */
  line: number;
  column?: string;
  message: string;
}

export class DataError extends Error {
  readonly problems: DataProblem[];
  constructor(message: string, problems: DataProblem[] = []) {
    super(message);
    this.name = 'DataError';
    this.problems = problems;
  }
}

/** At most `max` problem lines, then "... and k more". */
export function listProblems(lines: string[], max = 12): string {
  const shown = lines.slice(0, max).map((l) => `  ${l}`);
  if (lines.length > max) shown.push(`  ... and ${lines.length - max} more`);
  return shown.join('\n');
}
