// Fuzzing readCsv (src/data/csv.ts): random bytes, random text, generated CSV with hostile cells,
// and mutated copies of the shared data sets, each with random options. Every input must end in a
// Series or a DataError / TypeError / RangeError: never another exception type, a crash or a hang.
// Each case runs in a worker and the test thread waits for it with a deadline (Atomics.wait), so a
// hang fails the property with its input instead of freezing the run.
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CsvCase, CsvOutcome } from './csv-worker.js';
import type { CsvOptions } from '../../src/data/csv.js';
import { fuzzRuns, fuzzSeed, report } from './runs.js';
import { DeadlineWorker } from './deadline-worker.js';

const RUNS = fuzzRuns(3000);
// fast-check's default size keeps arrays near 10 elements; CSV bugs live in longer inputs.
fc.configureGlobal({ ...fc.readConfigureGlobal(), baseSize: 'large' });
/** Deadline for one readCsv call; the largest input here is ~60 KB, which takes milliseconds. */
const CASE_MS = Number(process.env.SEQCAST_FUZZ_CASE_MS ?? 5000);

// ---- inputs ---------------------------------------------------------------------------------------

const DATA = new URL('../../../shared/data/', import.meta.url);
const SEEDS: string[] = [];
for (const dir of [DATA, new URL('dirty/', DATA)]) {
  try {
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.csv')).sort())
      SEEDS.push(readFileSync(new URL(f, dir), 'utf8').split('\n').slice(0, 80).join('\n'));
  } catch {
    // shared data absent: the generated inputs below still run
  }
}
SEEDS.push('date,y\n2020-01-01,1\n2020-01-02,2\n2020-01-03,3\n', 't,a,b\n1,1.5,2\n2,NA,3\n3,4,\n');

/** Cells chosen to hit every branch a reader has: numbers at the edges, gaps, dates, quoting. */
const HOSTILE = [
  '', ' ', 'NA', 'N/A', 'NaN', 'nan', 'null', 'NULL', '0', '-0', '+1', '1e308', '1e309', '-1e309', '4.9e-324',
  'Infinity', '-Infinity', '0x10', '1_000', '1,5', '.5', '5.', '1e', 'e5', '--1', '9O56', '١٢٣',
  '2020-01-01', '2020-02-30', '2020-13-01', '0000-00-00', '9999-12-31', '2020-01', '2020', '2020-01-01T00:00:00Z',
  '2020-01-01 25:61:61', '-2020-01-01', '1970-01-01T00:00:00.000+14:00', '99999999999999999999',
  '"', '""', '"a,b"', '"unterminated', 'a"b', '\r', '\n', '\r\n', ',', ';', '\t', '\u0000', '\uFEFF',
  '\uD800', '😀', 'x'.repeat(300),
];
const cellArb = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE) },
  { weight: 3, arbitrary: fc.double({ noNaN: false }).map(String) },
  { weight: 2, arbitrary: fc.integer({ min: 1900, max: 2100 }).map((y) => `${y}-0${1 + (y % 9)}-01`) },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
);
const generatedCsvArb = fc
  .record({
    cols: fc.integer({ min: 1, max: 5 }),
    header: fc.array(fc.oneof(fc.constantFrom('date', 't', 'y', 'sales', 'price', '', 'date'), fc.string({ maxLength: 6 })), { minLength: 1, maxLength: 6 }),
    rows: fc.array(fc.array(cellArb, { minLength: 0, maxLength: 6 }), { maxLength: 40 }),
    eol: fc.constantFrom('\n', '\r\n', '\r'),
    sep: fc.constantFrom(',', ',', ';', '\t'),
    bom: fc.boolean(),
  })
  .map(({ header, rows, eol, sep, bom }) => (bom ? '\uFEFF' : '') + [header, ...rows].map((r) => r.join(sep)).join(eol));

/** Mostly well-formed series (index, date or month time column) with gaps, repeats and swaps, so
 * that the fill, sort and duplicate paths run, not only the early checks. */
const seriesCsvArb = fc
  .record({
    kind: fc.constantFrom('index', 'date', 'month', 'year'),
    n: fc.integer({ min: 1, max: 60 }),
    cols: fc.integer({ min: 1, max: 3 }),
    edits: fc.array(fc.record({ at: fc.nat(), op: fc.constantFrom('gap', 'dup', 'swap', 'skip', 'hostile'), cell: fc.constantFrom(...HOSTILE) }), { maxLength: 6 }),
    values: fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 64 }),
  })
  .map(({ kind, n, cols, edits, values }) => {
    const time = (i: number): string =>
      kind === 'index' ? String(i) : kind === 'year' ? String(1900 + i)
        : kind === 'month' ? `${2000 + Math.floor(i / 12)}-${String(1 + (i % 12)).padStart(2, '0')}`
          : new Date(Date.UTC(2020, 0, 1 + i)).toISOString().slice(0, 10);
    const rows: string[][] = [];
    for (let i = 0; i < n; i++) rows.push([time(i), ...Array.from({ length: cols }, (_, c) => String(values[(i * cols + c) % values.length]))]);
    for (const e of edits) {
      const i = e.at % rows.length;
      const j = (e.at >> 3) % rows.length;
      if (e.op === 'gap') rows[i][1 + (e.at % cols)] = '';
      else if (e.op === 'dup') rows.splice(i, 0, [...rows[i]]);
      else if (e.op === 'swap') [rows[i], rows[j]] = [rows[j], rows[i]];
      else if (e.op === 'skip' && rows.length > 1) rows.splice(i, 1);
      else if (e.op === 'hostile') rows[i][e.at % (cols + 1)] = e.cell;
    }
    const header = ['t', ...Array.from({ length: cols }, (_, c) => (c === 0 ? 'y' : `x${c}`))];
    return [header, ...rows].map((r) => r.join(',')).join('\n');
  });
const permissiveArb: fc.Arbitrary<CsvOptions> = fc.record(
  {
    missing: fc.constantFrom('keep', 'ffill', 'bfill', 'linear', 'seasonal', 'drop', 'mask') as fc.Arbitrary<any>,
    seasonalPeriod: fc.integer({ min: 1, max: 13 }),
    nonNumeric: fc.constantFrom('error', 'missing') as fc.Arbitrary<any>,
    unsorted: fc.constant('sort') as fc.Arbitrary<any>,
    duplicates: fc.constantFrom('drop-identical', 'keep-first', 'keep-last', 'mean') as fc.Arbitrary<any>,
  },
  { requiredKeys: ['unsorted', 'duplicates'] },
);

type Mutation = { at: number; len: number; insert: string; op: 'delete' | 'insert' | 'replace' | 'dupLine' | 'swapLines' | 'truncate' };
const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  len: fc.integer({ min: 0, max: 40 }),
  insert: fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ unit: 'binary', maxLength: 6 })),
  op: fc.constantFrom('delete', 'insert', 'replace', 'dupLine', 'swapLines', 'truncate'),
});
function mutate(text: string, muts: Mutation[]): string {
  let s = text;
  for (const m of muts) {
    const at = s.length ? m.at % (s.length + 1) : 0;
    if (m.op === 'delete') s = s.slice(0, at) + s.slice(at + m.len);
    else if (m.op === 'insert') s = s.slice(0, at) + m.insert + s.slice(at);
    else if (m.op === 'replace') s = s.slice(0, at) + m.insert + s.slice(at + m.insert.length);
    else if (m.op === 'truncate') s = s.slice(0, at);
    else {
      const lines = s.split('\n');
      const i = m.at % lines.length;
      const j = (m.at + m.len) % lines.length;
      if (m.op === 'dupLine') lines.splice(i, 0, lines[i]);
      else [lines[i], lines[j]] = [lines[j], lines[i]];
      s = lines.join('\n');
    }
  }
  return s;
}
const mutatedArb = fc
  .tuple(fc.constantFrom(...SEEDS), fc.array(mutationArb, { minLength: 1, maxLength: 4 }))
  .map(([seed, muts]) => mutate(seed, muts));

/** Valid option values, plus a few invalid ones (they must be refused with a clear error too). */
const optionsArb: fc.Arbitrary<CsvOptions> = fc.record(
  {
    timeColumn: fc.oneof(fc.constant(null), fc.integer({ min: -1, max: 6 }), fc.constantFrom('date', 't', 'nope'), fc.double()),
    delimiter: fc.constantFrom(',', ';', '\t', '|'),
    targets: fc.oneof(fc.constantFrom('y', 'sales', 'passengers', 'nope'), fc.constant<string[]>(['y', 'price'])),
    covariates: fc.constantFrom<string[]>([], ['price'], ['nope']),
    timeFormat: fc.constantFrom('auto', 'date', 'datetime', 'month', 'year', 'index') as fc.Arbitrary<any>,
    missingTokens: fc.constantFrom<string[]>([], ['?'], ['', 'NA']),
    missing: fc.constantFrom('error', 'keep', 'ffill', 'bfill', 'linear', 'seasonal', 'drop', 'mask') as fc.Arbitrary<any>,
    seasonalPeriod: fc.oneof(fc.integer({ min: -1, max: 13 }), fc.constant(Number.NaN)),
    nonNumeric: fc.constantFrom('error', 'missing') as fc.Arbitrary<any>,
    unsorted: fc.constantFrom('error', 'sort') as fc.Arbitrary<any>,
    duplicates: fc.constantFrom('error', 'drop-identical', 'keep-first', 'keep-last', 'mean') as fc.Arbitrary<any>,
    irregular: fc.constantFrom('report', 'error') as fc.Arbitrary<any>,
  },
  { requiredKeys: [] },
);

// ---- the properties ---------------------------------------------------------------------------------

const runner = new DeadlineWorker<CsvCase, CsvOutcome>(new URL('./csv-worker.ts', import.meta.url), CASE_MS);
beforeAll(() => runner.start());
afterAll(async () => {
  await runner.stop();
});

const totals: Record<string, number> = { inputs: 0, result: 0, DataError: 0, TypeError: 0, RangeError: 0, other: 0, hangs: 0 };
let slowestMs = 0;

function check(name: string, textArb: fc.Arbitrary<string>, options: fc.Arbitrary<CsvOptions> | null): void {
  const counts: Record<string, number> = { inputs: 0, result: 0, DataError: 0, TypeError: 0, RangeError: 0, other: 0, hangs: 0 };
  const caseArb = fc.tuple(textArb, options ?? fc.constant<CsvOptions>({}));
  try {
    fc.assert(
      fc.property(caseArb, ([text, options]) => {
        counts.inputs++;
        const out = runner.run({ text, options });
        if (out === 'hang') {
          counts.hangs++;
          throw new Error(`readCsv did not return within ${CASE_MS} ms`);
        }
        counts[out.kind]++;
        slowestMs = Math.max(slowestMs, out.ms);
        if (out.kind === 'other') throw new Error(`readCsv threw ${out.name}: ${out.message}\n${out.stack}`);
      }),
      { numRuns: RUNS, seed: fuzzSeed() },
    );
  } finally {
    // counted even when the property fails, so the summary shows every crash and hang
    for (const k of Object.keys(totals)) totals[k] += counts[k];
    report(`csv ${name}`, counts);
  }
  expect(counts.inputs).toBeGreaterThanOrEqual(RUNS);
}

describe('readCsv never throws anything but DataError, TypeError or RangeError, and never hangs', () => {
  it(`random bytes decoded as UTF-8, as loadCsv reads a file (${RUNS} cases)`, () => {
    check('bytes', fc.uint8Array({ maxLength: 2048, size: 'max' }).map((b) => Buffer.from(b).toString('utf8')), null);
  });
  it(`random text, any code unit (${RUNS} cases)`, () => {
    check('text', fc.string({ unit: 'binary', maxLength: 1024, size: 'max' }), optionsArb);
  });
  it(`generated CSV with hostile cells and random options (${RUNS} cases)`, () => {
    check('generated', generatedCsvArb, optionsArb);
  });
  it(`mutated shared data sets, permissive options (${RUNS} cases)`, () => {
    check('mutated', mutatedArb, permissiveArb);
  });
  it(`mutated shared data sets, default options (${RUNS} cases)`, () => {
    check('mutated-defaults', mutatedArb, null);
  });
  it(`series with gaps, repeats and swaps, permissive options (${RUNS} cases)`, () => {
    check('series', seriesCsvArb, permissiveArb);
  });
  it(`series with gaps, repeats and swaps, default options (${RUNS} cases)`, () => {
    check('series-defaults', seriesCsvArb, null);
  });
  it('summary', () => {
    report('csv total', { ...totals, slowestMs: Math.round(slowestMs), workerRestarts: runner.restarts });
    expect(totals.other + totals.hangs).toBe(0);
  });
});
