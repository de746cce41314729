// Save and load: every configuration on every backend gives back the same options, weights, heads,
// pipeline and metadata, and bit-identical predictions on the same backend; a file written on one
// backend loads on the other and predicts the same within float32 tolerance.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SequenceModel } from '../../src/model/sequence-model.js';
import { serializeModel } from '../../src/persist/save.js';
import { deserializeModel, parseModelFile } from '../../src/persist/load.js';
import { loadModel, saveModel } from '../../src/persist/files.js';
import { ALIGN_BYTES, FORMAT_VERSION, MAGIC } from '../../src/persist/format.js';
import { crc32 } from '../../src/persist/crc32.js';
import { closeness } from '../helpers/close.js';
import { testBackends } from '../helpers/backends.js';
import { bitsEqual, CONFIGS, fittedPipeline, makeModel, randomInput } from './helpers.js';

const backends = await testBackends();
const dir = mkdtempSync(join(tmpdir(), 'seqcast-persist-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const B = 3;
const T = 6;
const metadata = { name: 'load forecaster', trainedOn: '2026-11-27', metrics: { mase: 0.81 }, tags: ['a', 'b'], note: 'ünïcødé ✓' };

describe('crc32', () => {
  it('matches the standard check value and chains', () => {
    const text = new TextEncoder().encode('123456789');
    expect(crc32(text)).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    expect(crc32(text.subarray(4), crc32(text.subarray(0, 4)))).toBe(0xcbf43926);
    const odd = new TextEncoder().encode('The quick brown fox jumps over the lazy dog');
    expect(crc32(odd)).toBe(0x414fa339);
  });
});

describe.each(backends.map((b) => ({ name: b.info().name, backend: b })))('save and load on $name', ({ name, backend }) => {
  it.each(CONFIGS)('$label: same weights, options, and bit-identical predictions', async ({ options }) => {
    const model = makeModel(options, backend);
    const x = randomInput(B * T * options.inputSize, 9);
    const before = model.predict(x, { batchSize: B, seqLen: T });
    const pipeline = fittedPipeline();
    const bytes = serializeModel(model, { pipeline, metadata });

    const loaded = await deserializeModel(bytes, { backend: name });
    expect(loaded.model.backend).toBe(backend);
    const after = loaded.model.predict(x, { batchSize: B, seqLen: T });
    expect(after.length).toBe(before.length);
    after.forEach((p, i) => expect(bitsEqual(p, before[i])).toBe(true));
    const want = model.stateDict();
    const got = loaded.model.stateDict();
    expect(Object.keys(got)).toEqual(Object.keys(want));
    for (const k of Object.keys(want)) {
      expect(got[k].shape).toEqual(want[k].shape);
      expect(bitsEqual(got[k].data, want[k].data)).toBe(true);
    }
    expect(loaded.model.heads.map((h) => [h.name, h.outputs, h.on])).toEqual(model.heads.map((h) => [h.name, h.outputs, h.on]));
    expect(loaded.model.recurrent.dropout).toBe(model.recurrent.dropout);
    expect(loaded.model.recurrent.nonlinearity).toBe(model.recurrent.nonlinearity);
    expect(loaded.model.options.seed).toBe(options.seed);
    expect(loaded.pipeline!.toJSON()).toEqual(pipeline.toJSON());
    expect(loaded.metadata).toEqual(metadata);
    expect(loaded.info.formatVersion).toBe(FORMAT_VERSION);
    expect(loaded.info.packageVersion).toBe(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version);
    expect(Date.parse(loaded.info.created)).not.toBeNaN();
    // saving the loaded model again gives the same weights and header apart from the date
    const again = parseModelFile(serializeModel(loaded.model, { pipeline: loaded.pipeline, metadata: loaded.metadata }));
    const first = parseModelFile(bytes);
    expect({ ...again.header, created: '' }).toEqual({ ...first.header, created: '' });
    model.dispose();
    loaded.model.dispose();
  });

  it('the file layout: magic, version, 64-byte aligned float32 little-endian tensors', () => {
    const model = makeModel(CONFIGS[0].options, backend);
    const bytes = serializeModel(model);
    expect([...bytes.subarray(0, 8)]).toEqual([...MAGIC]);
    expect(new TextDecoder().decode(bytes.subarray(0, 7))).toBe('SEQCAST');
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    expect(view.getUint32(8, true)).toBe(FORMAT_VERSION);
    const { preamble, header } = parseModelFile(bytes);
    expect(preamble.dataStart % ALIGN_BYTES).toBe(0);
    expect(header.pipeline).toBeNull();
    expect(header.metadata).toBeNull();
    const state = model.stateDict();
    expect(header.tensors.map((t) => t.name)).toEqual(Object.keys(state));
    for (const t of header.tensors) {
      expect(t.offset % ALIGN_BYTES).toBe(0);
      expect(t.dtype).toBe('f32');
      expect(t.length).toBe(4 * state[t.name].data.length);
      const d = state[t.name].data;
      for (const i of [0, d.length - 1]) expect(view.getFloat32(preamble.dataStart + t.offset + 4 * i, true)).toBe(d[i]);
    }
    expect(header.model).toEqual({
      cell: 'lstm', inputSize: 3, hiddenSize: 5, numLayers: 2, bidirectional: true, dropout: 0.1, seed: 7, init: 'pytorch',
      heads: [{ name: 'head', outputs: 2, on: 'last' }, { name: 'steps', outputs: 1, on: 'all' }],
    });
    model.dispose();
  });

  it('a trained model round-trips through saveModel / loadModel and predicts identically', async () => {
    const model = new SequenceModel({ cell: 'gru', inputSize: 1, hiddenSize: 8, seed: 2 }, backend);
    const count = 64;
    const seqLen = 10;
    const x = randomInput(count * seqLen, 4);
    const targets = Float32Array.from({ length: count }, (_, n) => x[n * seqLen + seqLen - 1] * 0.5);
    await model.fit({ x, targets, count, seqLen }, { epochs: 2, batchSize: 16, optimizer: { name: 'adam', lr: 0.01 } });
    const path = join(dir, `trained-${name}.seqcast`);
    await saveModel(path, model, { metadata: { epochs: 2 } });
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const loaded = await loadModel(new URL(`file://${path}`), { backend: name });
    const want = model.predict(x, { batchSize: count, seqLen });
    const got = loaded.model.predict(x, { batchSize: count, seqLen });
    expect(bitsEqual(got[0], want[0])).toBe(true);
    expect(loaded.metadata).toEqual({ epochs: 2 });
    expect(loaded.pipeline).toBeNull();
    // the loaded model trains on
    await loaded.model.fit({ x, targets, count, seqLen }, { epochs: 1, batchSize: 16 });
    model.dispose();
    loaded.model.dispose();
  });
});

describe('across backends', () => {
  const pairs = backends.flatMap((a) => backends.filter((b) => b !== a).map((b) => ({ from: a.info().name, to: b.info().name, a, b })));
  it.skipIf(pairs.length === 0).each(pairs.length ? pairs : [{ from: '-', to: '-' } as never])(
    'saved on $from, loaded on $to: same weights, predictions within float32 tolerance',
    async ({ a, to }) => {
      for (const { options } of CONFIGS) {
        const model = makeModel(options, a);
        const x = randomInput(B * T * options.inputSize, 21);
        const want = model.predict(x, { batchSize: B, seqLen: T });
        const loaded = await deserializeModel(serializeModel(model), { backend: to });
        expect(loaded.model.backend.info().name).toBe(to);
        for (const [k, t] of Object.entries(model.stateDict())) expect(bitsEqual(loaded.model.stateDict()[k].data, t.data)).toBe(true);
        const got = loaded.model.predict(x, { batchSize: B, seqLen: T });
        got.forEach((p, i) => {
          const c = closeness(p, want[i], { atol: 1e-5, rtol: 1e-4 }, `head ${i}`);
          expect(c.ok, c.message).toBe(true);
        });
        model.dispose();
        loaded.model.dispose();
      }
    },
  );
});
