// Forecaster files: a save -> load round trip forecasts bit-identically on the same backend and within
// float32 tolerance on the other; damaged, foreign and future files are refused with a ModelFileError
// that names the problem.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Forecaster } from '../../src/forecast/forecaster.js';
import { ModelFileError } from '../../src/persist/errors.js';
import { serializeModel } from '../../src/persist/save.js';
import { SequenceModel } from '../../src/model/sequence-model.js';
import { assembleFile, PREAMBLE_BYTES, readPreamble } from '../../src/persist/format.js';
import { Rng } from '../../src/random.js';
import { testBackends } from '../helpers/backends.js';

function series(n: number, m: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  return Float64Array.from({ length: n }, (_, t) => 50 + 0.3 * t + 8 * Math.sin((2 * Math.PI * t) / m) + rng.uniform(-1, 1));
}

/** The same file with its header replaced (and the checksum recomputed), to reach the checks after the CRC. */
function withHeader(bytes: Uint8Array, edit: (h: Record<string, unknown>) => void): Uint8Array {
  const p = readPreamble(bytes.subarray(0, PREAMBLE_BYTES), bytes.length, 'test');
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(PREAMBLE_BYTES, PREAMBLE_BYTES + p.headerBytes)));
  edit(header);
  return assembleFile(JSON.stringify(header), bytes.subarray(p.dataStart));
}

async function problemOf(p: Promise<unknown>): Promise<{ problem: string; message: string }> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ModelFileError);
    return { problem: (e as ModelFileError).problem, message: (e as Error).message };
  }
  throw new Error('expected a ModelFileError');
}

const dir = mkdtempSync(join(tmpdir(), 'seqcast-forecaster-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each([false, true])('Forecaster files (streaming: %s)', async (streaming) => {
  const backends = await testBackends();
  const name = backends[0].name;
  const y = series(150, 12, 3);
  let f: Forecaster;
  let bytes: Uint8Array;
  beforeAll(async () => {
    f = new Forecaster({ horizon: 6, season: 12, ensemble: 2, epochs: 8, hiddenSize: 8, streaming }, { backend: name });
    await f.fit(y);
    bytes = f.toBytes();
  });
  afterAll(() => f.dispose());

  it('round-trips bytes and files to bit-identical forecasts, intervals and updates on the same backend', async () => {
    const g = await Forecaster.fromBytes(bytes, { backend: name });
    const path = join(dir, `f-${streaming}.seqcast`);
    await f.save(path);
    const k = await Forecaster.load(path, { backend: name });
    for (const other of [g, k]) {
      expect(other.forecast()).toEqual(f.forecast());
      expect(other.forecastInterval(0.8)).toEqual(f.forecastInterval(0.8));
      expect(other.forecastQuantiles([0.1, 0.5, 0.9])).toEqual(f.forecastQuantiles([0.1, 0.5, 0.9]));
      expect(other.season).toBe(12);
      expect(other.lookback).toBe(f.lookback);
    }
    // The network really is in the file: forecasts differ from seasonal naive.
    const naive = y.subarray(y.length - 12, y.length - 6);
    expect(Array.from(f.forecast()).some((v, i) => Math.abs(v - naive[i]) > 1e-6)).toBe(true);
    const a = f.toBytes();
    expect(g.update(77)).toEqual(Forecaster.prototype.update.call(await Forecaster.fromBytes(a, { backend: name }), 77));
    g.dispose();
    k.dispose();
  });

  it('agrees across backends within float32 tolerance', async (ctx) => {
    if (backends.length < 2) ctx.skip();
    for (const b of backends) {
      const g = await Forecaster.fromBytes(bytes, { backend: b.name });
      const want = f.forecast();
      const got = g.forecast();
      expect(g.streaming).toBe(streaming);
      for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i]), `${b.name} step ${i}`).toBeLessThan(1e-4 * (1 + Math.abs(want[i])));
      g.dispose();
    }
  });

  it('refuses truncated, corrupted, foreign and future files, naming the problem', async () => {
    expect((await problemOf(Forecaster.fromBytes(bytes.subarray(0, bytes.length - 10)))).problem).toBe('truncated');
    expect((await problemOf(Forecaster.fromBytes(bytes.subarray(0, 10)))).problem).toBe('truncated');
    const flipped = bytes.slice();
    flipped[flipped.length - 3] ^= 0x10;
    const corrupted = await problemOf(Forecaster.fromBytes(flipped));
    expect(corrupted.problem).toBe('checksum');
    expect(corrupted.message).toMatch(/checksum mismatch: the file is corrupted/);
    expect((await problemOf(Forecaster.fromBytes(new TextEncoder().encode('date,value\n2020-01-01,3\n')))).problem).toBe('not-a-model-file');

    const model = new SequenceModel({ cell: 'lstm', inputSize: 1, hiddenSize: 4 }, backends[0]);
    const single = await problemOf(Forecaster.fromBytes(serializeModel(model)));
    model.dispose();
    expect(single.problem).toBe('invalid-header');
    expect(single.message).toMatch(/a seqcast model file \(one network\), not a forecaster file; load it with loadModel\(\)/);

    const future = await problemOf(Forecaster.fromBytes(withHeader(bytes, (h) => { h.forecasterVersion = 99; })));
    expect(future.problem).toBe('unsupported-version');
    expect(future.message).toMatch(/version 99, but this release reads versions up to 1/);
    const noScale = await problemOf(Forecaster.fromBytes(withHeader(bytes, (h) => { (h.forecaster as Record<string, unknown>).scale = -1; })));
    expect(noScale.message).toMatch(/header field 'forecaster.scale' must be a positive number, got -1/);
    const missing = await problemOf(Forecaster.fromBytes(withHeader(bytes, (h) => { (h.tensors as unknown[]).pop(); })));
    expect(missing.problem).toBe('invalid-tensor');
    expect(missing.message).toMatch(/tensor 'm1\.head\.bias' of ensemble member 1 is missing/);

    const huge = await problemOf(Forecaster.fromBytes(withHeader(bytes, (h) => { (h.members as Array<Record<string, unknown>>)[0].numLayers = 1e9; })));
    expect(huge.message).toMatch(/member 0 \(1000000000 layers\) needs more tensors than the file lists/);
    const streamedOrNot = await problemOf(Forecaster.fromBytes(withHeader(bytes, (h) => {
      const o = (h.forecaster as Record<string, Record<string, unknown>>).options;
      o.streaming = !o.streaming;
    })));
    expect(streamedOrNot.message).toMatch(/header field 'forecaster\.(members\[0\]|stream)' must be/);

    const path = join(dir, 'truncated.seqcast');
    writeFileSync(path, readFileSync(join(dir, `f-${streaming}.seqcast`)).subarray(0, 100));
    const onDisk = await problemOf(Forecaster.load(path));
    expect(onDisk.problem).toBe('truncated');
    expect(onDisk.message).toContain(path);
    expect(() => new Forecaster({ horizon: 2 }).toBytes()).toThrow('Forecaster.toBytes: call fit() first');
  });
});

describe('Forecaster files keep the interval scheme', () => {
  it("restores intervals: 'local' with the values its widths read", async () => {
    const y = series(200, 12, 8);
    const f = new Forecaster({ horizon: 4, season: 12, ensemble: 1, epochs: 5, hiddenSize: 8, intervals: 'local', lookback: 6 });
    await f.fit(y);
    const g = await Forecaster.fromBytes(f.toBytes());
    expect(g.options.intervals).toBe('local');
    expect(g.forecastInterval(0.8)).toEqual(f.forecastInterval(0.8));
    expect(g.update(130)).toEqual(f.update(130));
    expect(g.forecastQuantiles([0.05, 0.95])).toEqual(f.forecastQuantiles([0.05, 0.95]));
    f.dispose();
    g.dispose();
  });
});
