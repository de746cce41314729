// Damaged, hostile and foreign files: each is refused with a ModelFileError naming its problem and
// what to do, before anything is allocated from the file's claims; nothing is ever half-loaded.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NonFiniteError } from '../../src/errors.js';
import { ModelFileError, type ModelFileProblem } from '../../src/persist/errors.js';
import { assembleFile, CHECKSUM_OFFSET, fileChecksum, FORMAT_VERSION, PREAMBLE_BYTES, readPreamble } from '../../src/persist/format.js';
import { deserializeModel } from '../../src/persist/load.js';
import { loadModel } from '../../src/persist/files.js';
import { serializeModel } from '../../src/persist/save.js';
import { SequenceModel } from '../../src/model/sequence-model.js';
import { testBackends } from '../helpers/backends.js';
import { CONFIGS, fittedPipeline, makeModel, rebuild, splitFile } from './helpers.js';

const [backend] = await testBackends();
const name = backend.info().name;
const model = makeModel(CONFIGS[0].options, backend);
const good = serializeModel(model, { pipeline: fittedPipeline(), metadata: { run: 1 } });
const pre = readPreamble(good.subarray(0, PREAMBLE_BYTES), good.length, 'test');
const dir = mkdtempSync(join(tmpdir(), 'seqcast-corrupt-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  model.dispose();
});

async function refusal(bytes: Uint8Array): Promise<ModelFileError> {
  try {
    const loaded = await deserializeModel(bytes, { backend: name });
    loaded.model.dispose();
  } catch (e) {
    expect(e).toBeInstanceOf(ModelFileError);
    return e as ModelFileError;
  }
  throw new Error('expected a ModelFileError, the file loaded');
}

async function expectRefused(bytes: Uint8Array, problem: ModelFileProblem, ...fragments: string[]): Promise<ModelFileError> {
  const e = await refusal(bytes);
  expect(e.problem, e.message).toBe(problem);
  for (const f of fragments) expect(e.message).toContain(f);
  return e;
}

const withU32 = (file: Uint8Array, offset: number, value: number): Uint8Array => {
  const copy = file.slice();
  new DataView(copy.buffer).setUint32(offset, value, true);
  return copy;
};

describe('refused files', () => {
  it('the intact file loads', async () => {
    const loaded = await deserializeModel(good, { backend: name });
    loaded.model.dispose();
  });

  it('truncated at every kind of length: empty, inside the magic, the preamble, the header and the data', async () => {
    const e0 = await expectRefused(good.subarray(0, 0), 'truncated');
    expect(e0.message).toBe(
      'deserializeModel: the file is empty (0 bytes); a seqcast model file starts with a 32-byte preamble: copy the file again from its source, or save the model again',
    );
    for (const n of [5, 8, 20, 31])
      await expectRefused(good.subarray(0, n), 'truncated', `the file is truncated: it has ${n} bytes, fewer than the 32-byte preamble`);
    for (const n of [32, 40, PREAMBLE_BYTES + pre.headerBytes - 1])
      await expectRefused(
        good.subarray(0, n), 'truncated',
        `the file is truncated: its header length is ${pre.headerBytes} bytes, but only ${n - 32} bytes follow the preamble`,
      );
    for (const n of [PREAMBLE_BYTES + pre.headerBytes, pre.dataStart, pre.dataStart + 10, good.length - 1])
      await expectRefused(
        good.subarray(0, n), 'truncated',
        `the file is truncated: its preamble describes ${good.length} bytes (header ${pre.headerBytes}, data ${pre.dataBytes}), but the file has ${n}`,
      );
  });

  it('extra bytes after the end', async () => {
    const longer = new Uint8Array(good.length + 3);
    longer.set(good);
    await expectRefused(longer, 'trailing-bytes', 'the file has 3 unexpected bytes after its end');
  });

  it('a flipped byte in the header or the data fails the checksum', async () => {
    for (const at of [PREAMBLE_BYTES + 10, PREAMBLE_BYTES + pre.headerBytes - 2, pre.dataStart + 5, good.length - 1, 30]) {
      const bad = good.slice();
      bad[at] ^= 0x10;
      const e = await expectRefused(bad, 'checksum', 'deserializeModel: checksum mismatch: the file is corrupted (CRC-32 stored 0x');
      expect(e.message).toMatch(/computed 0x[0-9a-f]{8}\); copy the file again from its source or a backup, or save the model again$/);
    }
  });

  it('a file that is not a model file', async () => {
    const zip = Uint8Array.from([0x50, 0x4b, 0x03, 0x04, ...new Array(60).fill(0)]);
    const e = await expectRefused(zip, 'not-a-model-file');
    expect(e.message).toBe(
      'deserializeModel: not a seqcast model file: expected the magic bytes "SEQCAST\\x00" at the start, got "PK\\x03\\x04\\x00\\x00\\x00\\x00"; ' +
        'load a file written by saveModel() or serializeModel()',
    );
    await expectRefused(new TextEncoder().encode('{"cell":"lstm"}'), 'not-a-model-file', 'got "{\\x22cell\\x22:"');
  });

  it('a newer format version names both versions', async () => {
    const e = await expectRefused(withU32(good, 8, FORMAT_VERSION + 1), 'unsupported-version');
    expect(e.message).toMatch(
      new RegExp(`^deserializeModel: the file has model format version ${FORMAT_VERSION + 1}, but seqcast \\d+\\.\\d+\\.\\d+\\S* reads format versions up to ${FORMAT_VERSION}; upgrade seqcast to load it$`),
    );
    await expectRefused(withU32(good, 8, 0), 'unsupported-version', 'model format version 0, which no seqcast release writes');
  });

  it('absurd header lengths are refused before anything is allocated', async () => {
    for (const n of [0xffffffff, 16 * 1024 * 1024 + 1])
      await expectRefused(withU32(good, 12, n), 'header-too-large', `the header length is ${n} bytes, over the limit of 16777216 bytes (16 MiB)`);
    await expectRefused(withU32(good, 12, good.length), 'truncated', `its header length is ${good.length} bytes, but only`);
    await expectRefused(withU32(good, 12, 0), 'invalid-header', 'the header length is 0 bytes');
    // a data length of petabytes is a size mismatch, not an allocation
    await expectRefused(withU32(good, 20, 0x40000), 'truncated', 'its preamble describes');
  });

  it('a header that is not JSON, not UTF-8, or not a model header', async () => {
    const data = splitFile(good).data;
    await expectRefused(assembleFile('{"format": "seqcast-model", ', data), 'invalid-header', 'deserializeModel: the header is not valid JSON (');
    const notUtf8 = assembleFile('"xx"', data);
    notUtf8[PREAMBLE_BYTES + 1] = 0xff; // a lone 0xff byte is never UTF-8
    new DataView(notUtf8.buffer).setUint32(CHECKSUM_OFFSET, fileChecksum(notUtf8), true);
    await expectRefused(notUtf8, 'invalid-header', 'deserializeModel: the header is not valid UTF-8; the file is corrupted');
    await expectRefused(assembleFile('[1, 2]', data), 'invalid-header', 'the header must be a JSON object, got [1,2]');
    await expectRefused(rebuild(good, (h) => ((h as { format: string }).format = 'pickle')), 'invalid-header', `header field 'format' must be 'seqcast-model', got "pickle"`);
    await expectRefused(rebuild(good, (h) => (h.formatVersion = 7)), 'invalid-header', "header field 'formatVersion' is 7, but the preamble says version 1");
    await expectRefused(rebuild(good, (h) => ((h.model as { cell: string }).cell = 'transformer')), 'invalid-header', "header field 'model.cell' must be one of 'lstm', 'gru', 'rnn', got \"transformer\"");
    await expectRefused(rebuild(good, (h) => (h.model.hiddenSize = -5)), 'invalid-header', "header field 'model.hiddenSize' must be a positive integer, got -5");
    await expectRefused(rebuild(good, (h) => (h.model.heads = [])), 'invalid-header', "header field 'model.heads' must be a non-empty array, got []");
    await expectRefused(rebuild(good, (h) => (h.model.dropout = 3)), 'invalid-header', 'the model options in the header are invalid (dropout must be in [0, 1), got 3)');
    await expectRefused(rebuild(good, (h) => ((h as { metadata: unknown }).metadata = 'x')), 'invalid-header', "header field 'metadata' must be an object or null");
    await expectRefused(
      rebuild(good, (h) => ((h.pipeline as { format: string }).format = 'other')), 'invalid-header',
      "header field 'pipeline' is not a valid pipeline (Pipeline.fromJSON: expected an object with format 'seqcast-pipeline/1', got format \"other\")",
    );
  });

  it('tensor offsets outside the file, misaligned or overlapping', async () => {
    const outside = rebuild(good, (h, data) => (h.tensors[2].offset = data.length - 64));
    await expectRefused(outside, 'invalid-tensor', `deserializeModel: tensor 'rnn.bias_ih_l0' spans bytes [${pre.dataBytes - 64}, `, `of the data section, which holds only ${pre.dataBytes} bytes: it lies outside the file`);
    await expectRefused(rebuild(good, (h) => (h.tensors[0].offset = 1e300)), 'invalid-tensor', "tensor 'rnn.weight_ih_l0' has offset 1e+300; offsets are non-negative multiples of 64 bytes");
    await expectRefused(rebuild(good, (h) => (h.tensors[1].offset += 4)), 'invalid-tensor', "tensor 'rnn.weight_hh_l0' has offset");
    await expectRefused(rebuild(good, (h) => (h.tensors[1].offset = -64)), 'invalid-tensor', 'offsets are non-negative multiples of 64 bytes');
    await expectRefused(rebuild(good, (h) => (h.tensors[1].offset = h.tensors[0].offset)), 'invalid-tensor', "tensors 'rnn.weight_ih_l0' and 'rnn.weight_hh_l0' overlap in the data section");
  });

  it('wrong shapes, lengths, dtypes and names', async () => {
    const transposed = rebuild(good, (h) => (h.tensors[0].shape = [3, 20]));
    const e = await expectRefused(transposed, 'invalid-tensor');
    expect(e.message).toBe(
      "deserializeModel: tensor 'rnn.weight_ih_l0' has shape [3,20], but a LSTM(inputSize=3, hiddenSize=5, numLayers=2, bidirectional=true) " +
        'with heads head[2, last], steps[1, all] needs [20, 3]; the file is corrupted or was not written by seqcast: save the model again',
    );
    // options that disagree with the stored tensors: every shape is checked against the options
    await expectRefused(rebuild(good, (h) => (h.model.inputSize = 4)), 'invalid-tensor', "tensor 'rnn.weight_ih_l0' has shape [20,3], but a LSTM(inputSize=4");
    await expectRefused(rebuild(good, (h) => (h.model.heads[0].outputs = 3)), 'invalid-tensor', "tensor 'head.weight' has shape [2,10], but");
    await expectRefused(rebuild(good, (h) => (h.tensors[0].length -= 4)), 'invalid-tensor', "tensor 'rnn.weight_ih_l0' has length 236 bytes, but shape [20, 3] of f32 needs 240 bytes");
    await expectRefused(rebuild(good, (h) => ((h.tensors[0] as { dtype: string }).dtype = 'f64')), 'invalid-tensor', "tensor 'rnn.weight_ih_l0' has dtype \"f64\"; this version reads 'f32' only");
    await expectRefused(rebuild(good, (h) => h.tensors.pop()), 'invalid-tensor', 'the tensors do not match a LSTM(', '; missing: steps.bias');
    await expectRefused(rebuild(good, (h) => (h.tensors[0].name = 'rnn.weight_ih_l9')), 'invalid-tensor', '; missing: rnn.weight_ih_l0; unexpected: rnn.weight_ih_l9');
    await expectRefused(rebuild(good, (h) => (h.model.numLayers = 1e9)), 'invalid-tensor', 'the header lists 20 tensors, but a LSTM(inputSize=3, hiddenSize=5, numLayers=1000000000, bidirectional=true) with heads head[2, last], steps[1, all] has 8000000004');
    await expectRefused(rebuild(good, (h) => h.tensors.push({ ...h.tensors[0] })), 'invalid-tensor', "tensor 'rnn.weight_ih_l0' is listed twice in the header");
  });

  it('NaN or infinite weights', async () => {
    const nan = rebuild(good, (h, data) => new DataView(data.buffer).setFloat32(h.tensors[1].offset + 4 * 7, NaN, true));
    const e = await expectRefused(nan, 'non-finite');
    expect(e.message).toBe(
      "deserializeModel: tensor 'rnn.weight_hh_l0' holds NaN at index 7 (of 100); a model's weights must be finite; " +
        'the model diverged before it was saved, or the file was edited: train it again and save it again',
    );
    const inf = rebuild(good, (h, data) => new DataView(data.buffer).setFloat32(h.tensors.at(-1)!.offset, -Infinity, true));
    await expectRefused(inf, 'non-finite', "tensor 'steps.bias' holds -Infinity at index 0 (of 1)");
  });

  it('loadModel names the file, and checks the preamble before reading the rest', async () => {
    const path = join(dir, 'cut.seqcast');
    writeFileSync(path, good.subarray(0, pre.dataStart + 100));
    await expect(loadModel(path, { backend: name })).rejects.toThrow(
      `loadModel: ${path}: the file is truncated: its preamble describes ${good.length} bytes`,
    );
    const huge = join(dir, 'huge.seqcast');
    writeFileSync(huge, withU32(good, 12, 0xfffffff0));
    await expect(loadModel(huge, { backend: name })).rejects.toThrow(`loadModel: ${huge}: the header length is 4294967280 bytes, over the limit`);
    await expect(loadModel(join(dir, 'missing.seqcast'))).rejects.toThrow(/ENOENT/);
  });

  it('deserializeModel needs bytes', async () => {
    await expect(deserializeModel('model.seqcast' as never)).rejects.toThrow(
      new TypeError('deserializeModel: expected the file\'s bytes as a Uint8Array, Buffer or ArrayBuffer, got String'),
    );
    const loaded = await deserializeModel(good.slice().buffer, { backend: name }); // an ArrayBuffer works too
    loaded.model.dispose();
  });
});

describe('refused saves', () => {
  it('a model with non-finite weights is not saved', () => {
    const m = new SequenceModel({ cell: 'gru', inputSize: 1, hiddenSize: 2 }, backend);
    m.params.array[3] = NaN;
    expect(() => serializeModel(m)).toThrow(NonFiniteError);
    expect(() => serializeModel(m)).toThrow(/^serializeModel: rnn\.weight_ih_l0\[3\] is NaN; a model with non-finite weights cannot be loaded again, so it is not saved/);
    m.dispose();
  });

  it('a disposed model, a wrong model, pipeline or metadata', () => {
    const m = new SequenceModel({ cell: 'rnn', inputSize: 1, hiddenSize: 2 }, backend);
    expect(() => serializeModel(m, { metadata: { n: 10n } as never })).toThrow(
      'serializeModel: metadata must be JSON-serializable (Do not know how to serialize a BigInt); use plain objects',
    );
    expect(() => serializeModel(m, { metadata: [1] as never })).toThrow('serializeModel: metadata must be a plain object, got an array');
    expect(() => serializeModel(m, { pipeline: {} as never })).toThrow(new TypeError('serializeModel: pipeline must be a Pipeline, got Object'));
    expect(() => serializeModel({} as never)).toThrow(new TypeError('serializeModel: model must be a SequenceModel, got Object'));
    m.dispose();
    expect(() => serializeModel(m)).toThrow('serializeModel: the model was disposed, so its weights are gone; save it before calling dispose()');
  });
});
