// The seqcast command line, run as a subprocess for every subcommand and the user errors it must turn
// into one line and a non-zero exit. Networks are tiny (--epochs 2 --ensemble 1) so the file runs fast;
// what is checked is the plumbing (data in, numbers out, files written), not forecast accuracy.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bin, cli, FROM_DIST, hasStackTrace, ROOT } from './run-cli.js';

const AIR = join(ROOT, 'data', 'air_passengers.csv');
const DIRTY = join(ROOT, '..', 'shared', 'data', 'dirty');
const TINY = ['--epochs', '2', '--ensemble', '1'];
// Start-up through tsx costs about a second of CPU per subprocess; a busy machine needs headroom.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

/** The air passengers column, read without the library. */
const passengers = readFileSync(AIR, 'utf8').trim().split('\n').slice(1).map((l) => Number(l.split(',')[1]));
const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
const maeOf = (a: number[], f: number[]) => mean(a.map((v, i) => Math.abs(v - f[i])));

let dir: string;
let model: string;
let trained: { forecast: { time: string; forecast: number; lower: number; upper: number }[]; horizon: number; season: number; lookback: number };

/** A user error: non-zero exit, nothing on stdout, exactly one line on stderr, no stack trace. */
function expectOneLineError(r: { code: number | null; stdout: string; stderr: string }, code: number, pattern: RegExp): void {
  expect(r.stdout).toBe('');
  expect(r.code).toBe(code);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^seqcast( \w+)?: error: /);
  expect(lines[0]).toMatch(pattern);
  expect(hasStackTrace(r.stderr)).toBe(false);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'seqcast-cli-'));
  model = join(dir, 'air.seqcast');
  const r = await cli(['train', AIR, '--target', 'passengers', ...TINY, '--out', model, '--plot', join(dir, 'train.svg'), '--json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  trained = JSON.parse(r.stdout);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Subprocesses that do not depend on each other run side by side (tests of one subcommand, and the
// runs inside a test): most of the file's time is process start-up and tiny fits.
describe(`the seqcast command (${FROM_DIST ? 'from dist' : 'from source'})`, () => {
  describe('seqcast train', () => {
    it('fits on the whole series, saves the forecaster, draws the plot and forecasts the next year', () => {
      expect(readFileSync(model).subarray(0, 8).toString('latin1')).toBe('SEQCAST\0');
      const svg = readFileSync(join(dir, 'train.svg'), 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg).toContain('80% interval');
      expect(trained.season).toBe(12); // inferred from the monthly dates
      expect(trained.horizon).toBe(12);
      expect(trained.forecast.map((r) => r.time)).toEqual(Array.from({ length: 12 }, (_, i) => `1961-${String(i + 1).padStart(2, '0')}-01`));
      for (const row of trained.forecast) {
        expect(Number.isFinite(row.forecast)).toBe(true);
        expect(row.upper).toBeGreaterThan(row.lower);
      }
      expect(Number.isInteger(trained.lookback) && trained.lookback > 0).toBe(true);
    });

    it('prints a summary and the forecast table for people', async () => {
      const r = await cli(['train', AIR, '--target', 'passengers', ...TINY, '--cell', 'gru', '--horizon', '3']);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/model\s+GRU, ensemble of 1, lookback \d+, season 12, horizon 3/);
      expect(r.stdout).toMatch(/^date\s+forecast\s+lower 80%\s+upper 80%$/m);
      expect(r.stdout.match(/^1961-0[1-3]-01\s/gm)).toHaveLength(3);
    });

    it('trains with --strategy recursive and with --streaming, and refuses the two together', async () => {
      const [rec, str, both] = await Promise.all([
        cli(['train', AIR, '--target', 'passengers', ...TINY, '--horizon', '3', '--strategy', 'recursive', '--json']),
        cli(['train', AIR, '--target', 'passengers', ...TINY, '--horizon', '3', '--streaming', '--json']),
        cli(['train', AIR, '--target', 'passengers', ...TINY, '--streaming', '--strategy', 'recursive']),
      ]);
      for (const [r, strategy, streaming] of [[rec, 'recursive', false], [str, 'direct', true]] as const) {
        expect(r.code, r.stderr).toBe(0);
        const doc = JSON.parse(r.stdout);
        expect(doc).toMatchObject({ strategy, streaming });
        expect(doc.forecast).toHaveLength(3);
        for (const row of doc.forecast) expect(Number.isFinite(row.forecast)).toBe(true);
      }
      expectOneLineError(both, 2, /--streaming forecasts every horizon step.*drop --strategy recursive/);
    });

    it('requires --target', async () => {
      expectOneLineError(await cli(['train', AIR]), 2, /required option '--target <column>'/);
    });
  });

  describe.concurrent('seqcast forecast', () => {
    it("continues from the CSV's last row: on the training file it repeats train's forecast", async () => {
      const r = await cli(['forecast', AIR, '--model', model, '--json']);
      expect(r.code).toBe(0);
      const doc = JSON.parse(r.stdout);
      expect(doc.steps).toBe(12);
      expect(doc.level).toBe(0.8);
      doc.forecast.forEach((row: { time: string; forecast: number; lower: number; upper: number }, i: number) => {
        expect(row.time).toBe(trained.forecast[i].time);
        expect(row.forecast).toBeCloseTo(trained.forecast[i].forecast, 6);
        expect(row.lower).toBeCloseTo(trained.forecast[i].lower, 6);
        expect(row.upper).toBeCloseTo(trained.forecast[i].upper, 6);
      });
    });

    it('writes CSV with the quantiles asked for, in order, and --steps rows', async () => {
      const r = await cli(['forecast', AIR, '--model', model, '--steps', '4', '--quantiles', '0.9,0.1,0.5']);
      expect(r.code).toBe(0);
      const [header, ...rows] = r.stdout.trim().split('\n');
      expect(header).toBe('time,forecast,q0.1,q0.5,q0.9');
      expect(rows).toHaveLength(4);
      for (const row of rows) {
        const [, f, q1, q5, q9] = row.split(',').map(Number);
        expect(Number.isFinite(f)).toBe(true);
        expect(q1).toBeLessThanOrEqual(q5);
        expect(q5).toBeLessThanOrEqual(q9);
      }
    });

    it('forecasts after a shorter history: the steps follow its last row', async () => {
      const cut = readFileSync(AIR, 'utf8').trim().split('\n').slice(0, 1 + 120).join('\n') + '\n';
      const file = join(dir, 'first-120.csv');
      writeFileSync(file, cut);
      const out = join(dir, 'f.json');
      const r = await cli(['forecast', file, '--model', model, '--steps', '2', '--output', out]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Wrote 2 forecast rows to ${out}`);
      const doc = JSON.parse(readFileSync(out, 'utf8'));
      expect(doc.forecast.map((x: { time: string }) => x.time)).toEqual(['1959-01-01', '1959-02-01']);
    });

    it('refuses more steps than the horizon, naming the fix', async () => {
      expectOneLineError(await cli(['forecast', AIR, '--model', model, '--steps', '13']), 2, /--steps 13 is more than the model's horizon 12; train with --horizon 13/);
    });

    it('reports a missing, newer-version or corrupted model file in one line', async () => {
      const bytes = readFileSync(model);
      const newer = Buffer.from(bytes);
      newer.writeUInt32LE(99, 8); // the format version field of the preamble
      writeFileSync(join(dir, 'newer.seqcast'), newer);
      const flipped = Buffer.from(bytes);
      flipped[flipped.length - 3] ^= 0xff;
      writeFileSync(join(dir, 'flipped.seqcast'), flipped);
      const [missing, version, corrupt] = await Promise.all(
        ['none.seqcast', 'newer.seqcast', 'flipped.seqcast'].map((f) => cli(['forecast', AIR, '--model', join(dir, f)])),
      );
      expectOneLineError(missing, 1, /file not found: .*none\.seqcast/);
      expectOneLineError(version, 1, /format version 99.*upgrade seqcast/);
      expectOneLineError(corrupt, 1, /checksum mismatch.*seqcast train --out/);
    });
  });

  describe.concurrent('seqcast evaluate', () => {
    it('prints { model, baselines, horizon, season } with --json; the baselines match hand-computed values', async () => {
      const r = await cli(['evaluate', AIR, ...TINY, '--json']);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      const doc = JSON.parse(r.stdout); // the whole stdout is one JSON document
      expect(doc.horizon).toBe(12);
      expect(doc.season).toBe(12);
      for (const scores of [doc.model, ...Object.values(doc.baselines)]) {
        expect(Object.keys(scores as object).sort()).toEqual(['mae', 'mase', 'rmse', 'smape']);
        for (const v of Object.values(scores as object)) expect(Number.isFinite(v)).toBe(true);
      }
      expect(Object.keys(doc.baselines).sort()).toEqual(['drift', 'movingAverage', 'naive', 'seasonalNaive']);
      const train = passengers.slice(0, 132);
      const test = passengers.slice(132);
      expect(doc.baselines.seasonalNaive.mae).toBeCloseTo(maeOf(test, train.slice(120)), 9);
      expect(doc.baselines.naive.mae).toBeCloseTo(maeOf(test, test.map(() => train[131])), 9);
      // The model's MAE is that of the forecast it reports, against the held-out 1960.
      expect(doc.forecast.map((x: { time: string }) => x.time)[0]).toBe('1960-01-01');
      expect(doc.forecast.map((x: { actual: number }) => x.actual)).toEqual(test);
      expect(doc.model.mae).toBeCloseTo(maeOf(test, doc.forecast.map((x: { forecast: number }) => x.forecast)), 9);
    });

    it('scores k rolling origins with --backtest and prints a table for people', async () => {
      const r = await cli(['evaluate', AIR, ...TINY, '--backtest', '2', '--horizon', '6', '--cell', 'rnn']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('season 12, horizon 6; scored on 2 rolling origins of 6 values each');
      for (const name of ['RNN forecaster', 'naive', 'seasonal naive', 'drift', 'moving average']) expect(r.stdout).toMatch(new RegExp(`^${name}\\s+\\d`, 'm'));
      expect(r.stdout).toMatch(/Training: 2 fits/);
    });

    it('names the column, the file and the option that fixes bad data', async () => {
      const [column, gaps, horizon] = await Promise.all([
        cli(['evaluate', AIR, '--target', 'sales']),
        cli(['evaluate', join(DIRTY, 'presidents_missing.csv')]),
        cli(['evaluate', AIR, '--horizon', '200']),
      ]);
      expectOneLineError(column, 1, /air_passengers\.csv: target 'sales' is not a column; the value columns are 'passengers'/);
      expectOneLineError(gaps, 1, /6 missing value\(s\): line 2, column 'approval_pct'.*\(and 5 more\); fill the gaps with --missing linear/);
      expectOneLineError(horizon, 1, /144 rows; holding out 200 leaves 0 to train on.*use a smaller --horizon/);
    });

    it('repairs dirty data when told how', async () => {
      const r = await cli(['evaluate', join(DIRTY, 'presidents_missing.csv'), '--missing', 'linear', ...TINY, '--json']);
      expect(r.code).toBe(0);
      const doc = JSON.parse(r.stdout);
      expect(doc.season).toBe(4); // quarterly
      expect(doc.horizon).toBe(8); // two years of quarters
    });

    it('names a missing file in one line, and adds the stack trace with --debug', async () => {
      const [plain, r] = await Promise.all([cli(['evaluate', join(dir, 'missing.csv')]), cli(['evaluate', join(dir, 'missing.csv'), '--debug'])]);
      expectOneLineError(plain, 1, /file not found: .*missing\.csv/);
      expect(r.code).toBe(1);
      expect(r.stderr.split('\n')[0]).toMatch(/file not found/);
      expect(hasStackTrace(r.stderr)).toBe(true);
    });
  });

  describe('seqcast demo', () => {
    it('evaluates on the shipped series and writes a PNG with the forecast, band and actuals', async () => {
      const png = join(dir, 'demo.png');
      const [r, j] = await Promise.all([cli(['demo', ...TINY, '--plot', png]), cli(['demo', ...TINY, '--json', '--no-plot'])]);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe(''); // no progress bar and no warnings when stderr is not a terminal
      expect(r.stdout).toContain('trained on 1949-1959, forecasting 1960');
      expect(r.stdout).toMatch(/^seasonal naive\s+47\.83\d?\*?\s/m); // 1959 repeated against 1960
      expect(r.stdout).toContain(`Plot: ${png}`);
      const bytes = readFileSync(png);
      expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      expect(bytes.readUInt32BE(16)).toBeGreaterThan(1000); // width at 2x zoom
      // --json: one document; --no-plot: no file in the working directory.
      expect(j.code).toBe(0);
      const doc = JSON.parse(j.stdout);
      expect(doc.plot).toBeNull();
      expect(doc.horizon).toBe(12);
      expect(doc.target).toBe('passengers');
      expect(doc.baselines.seasonalNaive.mae).toBeCloseTo(47.833333333, 6);
      expect(existsSync(join(ROOT, 'seqcast-demo.png'))).toBe(false);
    });
  });

  describe.concurrent('seqcast compare', () => {
    it('scores each cell beside the baselines with training time and size', async () => {
      const j = await cli(['compare', AIR, '--cells', 'gru,rnn', ...TINY, '--horizon', '6', '--json']);
      expect(j.code).toBe(0);
      const doc = JSON.parse(j.stdout);
      expect(doc.cells.map((c: { cell: string }) => c.cell)).toEqual(['gru', 'rnn']);
      expect(doc.horizon).toBe(6);
      expect(doc.season).toBe(12);
      for (const c of doc.cells) {
        expect(c.trainSeconds).toBeGreaterThan(0);
        expect(c.ensemble).toBe(1);
      }
      // An RNN has a third of a GRU's recurrent weights: 3 gates to 1.
      const [gru, rnn] = doc.cells;
      expect(gru.parameters - (32 * 6 + 6)).toBe(3 * (rnn.parameters - (32 * 6 + 6)));
      expect(doc.baselines.seasonalNaive.mae).toBeCloseTo(maeOf(passengers.slice(138), passengers.slice(126, 132)), 9);
    });

    it('rejects a cell listed twice', async () => {
      expectOneLineError(await cli(['compare', AIR, '--cells', 'lstm,lstm']), 2, /'--cells <list>' argument 'lstm,lstm' is invalid\. 'lstm' is listed twice/);
    });
  });

  describe.concurrent('seqcast info', () => {
    it('names the version, backend, SIMD level and threads', async () => {
      const [r, fallback] = await Promise.all([
        cli(['info', '--json']),
        cli(['info', '--json'], { env: { SEQCAST_NATIVE_ADDON: join(dir, 'none.node'), SEQCAST_BACKEND: 'auto' } }),
      ]);
      // Without the native addon: WebAssembly, and Node's warning as one line of ours.
      expect(JSON.parse(fallback.stdout)).toMatchObject({ backend: 'wasm', simd: 'wasm-simd128' });
      expect(JSON.parse(fallback.stdout).fallbackReason).toMatch(/not found/);
      expect(fallback.stderr).toMatch(/^seqcast: warning: native backend unavailable, using WebAssembly \(slower\): .*--backend wasm silences this\n$/);
      expect(r.code).toBe(0);
      const doc = JSON.parse(r.stdout);
      expect(doc.version).toBe(PKG.version);
      expect(['native', 'wasm']).toContain(doc.backend);
      if (process.env.SEQCAST_BACKEND === 'wasm') expect(doc.backend).toBe('wasm');
      expect(doc.simd).toMatch(/^(avx512|avx2|neon|scalar|wasm-simd128)$/);
      expect(doc.threads).toBeGreaterThanOrEqual(1);
    });

    it('rejects an unknown backend', async () => {
      expectOneLineError(await cli(['info', '--backend', 'gpu']), 2, /Allowed choices are auto, native, wasm/);
    });
  });
});

describe('bin/seqcast.js', () => {
  // The real entry point imports dist/, built by `npm run build:ts` (npm install runs it).
  it.runIf(existsSync(join(ROOT, 'dist', 'cli', 'main.js')))('runs the demo from dist and writes seqcast-demo.png into the current folder', async () => {
    const cwd = mkdtempSync(join(dir, 'bin-'));
    const r = await bin(['demo', ...TINY], { cwd });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Plot: seqcast-demo.png');
    expect(readFileSync(join(cwd, 'seqcast-demo.png')).subarray(1, 4).toString()).toBe('PNG');
    const v = await bin(['--version']);
    expect(v.stdout.trim()).toBe(PKG.version);
  });
});
