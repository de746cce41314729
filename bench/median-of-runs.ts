// `npx tsx bench/median-of-runs.ts run1.json run2.json [...]`: the bench/RESULTS.md tables from several
// `npm run bench -- --json` result files (copies of bench/results.json from back-to-back runs): each
// figure is the median over the runs (the mean of two), ratios are recomputed from those medians.
import { readFileSync } from 'node:fs';

type Measures = { train_seq_per_s?: number; infer_seq_per_s?: number; stream_us_per_step?: number; threads?: number };
type Results = Record<string, Record<string, Measures>>;
interface RunFile { machine: string; date: string; command: string; results: Results; other_cells: Record<string, Results>; forecaster_update?: Array<{ backend: string; streaming: boolean; earlyUs: number; laterUs: number; laterAfter: number }> }

const files = process.argv.slice(2);
if (files.length === 0) throw new Error('give the result files of the runs: npx tsx bench/median-of-runs.ts a.json b.json');
const runs: RunFile[] = files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as RunFile);

const median = (v: number[]): number | undefined => {
  const s = v.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return undefined;
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (v: number | undefined, digits = 0): string =>
  v === undefined ? '' : v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(v >= 10 ? Math.max(digits, 1) : Math.max(digits, 2));
const ratio = (a: number | undefined, b: number | undefined): string => (a !== undefined && b !== undefined ? `${(a / b).toFixed(2)}x` : '');

function table(cell: string, pick: (r: RunFile) => Results | undefined): string[] {
  const lines = [
    `### ${cell}`,
    '',
    '| workload | system | threads (last run) | train seq/s | infer seq/s | stream µs/step | train vs PyTorch | infer vs onnxruntime |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
  ];
  const first = pick(runs[0]) ?? {};
  for (const w of Object.keys(first)) {
    const systems = Object.keys(first[w]);
    const med = (s: string, k: keyof Measures): number | undefined => median(runs.map((r) => pick(r)?.[w]?.[s]?.[k] ?? NaN));
    for (const s of systems) {
      lines.push(
        `| ${w} | ${s} | ${first[w][s].threads ?? ''} | ${fmt(med(s, 'train_seq_per_s'))} | ${fmt(med(s, 'infer_seq_per_s'))} | ${fmt(med(s, 'stream_us_per_step'), 2)} | ` +
          `${ratio(med(s, 'train_seq_per_s'), med('pytorch', 'train_seq_per_s'))} | ${ratio(med(s, 'infer_seq_per_s'), med('onnxruntime', 'infer_seq_per_s'))} |`,
      );
    }
  }
  return [...lines, ''];
}

const out = [
  `Runs: ${runs.length} (${runs.map((r) => r.date).join(', ')}); machine: ${runs[0].machine}; command: \`${runs[0].command}\`. Each figure is the median over the runs.`,
  '',
  ...table('lstm', (r) => r.results),
  ...Object.keys(runs[0].other_cells ?? {}).flatMap((c) => table(c, (r) => r.other_cells[c])),
];
const fu = runs[0].forecaster_update;
if (fu) {
  out.push('### Forecaster.update() per observation', '', '| backend | mode | early µs/update | after thousands more |', '|---|---|---:|---:|');
  fu.forEach((u, i) => {
    const e = median(runs.map((r) => r.forecaster_update?.[i]?.earlyUs ?? NaN));
    const l = median(runs.map((r) => r.forecaster_update?.[i]?.laterUs ?? NaN));
    out.push(`| ${u.backend} | ${u.streaming ? 'streaming: true' : 'windowed'} | ${fmt(e, 1)} | ${fmt(l, 1)} |`);
  });
  out.push('');
}
console.log(out.join('\n'));
