// Fuzzing the model-file loader (src/persist): random bytes, valid files with random byte mutations
// (bit flips, overwrites, truncation, extension, inserted and deleted runs), random preamble fields,
// and header JSON edits (huge, negative, fractional and mistyped shapes, offsets, lengths and sizes,
// wrong dtypes, duplicated, dropped and renamed tensors, version changes, hostile pipelines) through
// parseModelFile, deserializeModel and loadModel. Every input must end in a model that runs, or a
// ModelFileError with a clear message: never another exception, a crash, a hang or a giant
// allocation. Edited files are reassembled with a correct checksum half of the time, so the checks
// after the checksum see the edits too. Each call runs in a worker with a deadline (Atomics.wait).
import { mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoaderName, ModelFileCase, ModelFileOutcome } from './model-file-worker.js';
import { testBackends } from '../helpers/backends.js';
import { CONFIGS, fittedPipeline, makeModel } from '../persist/helpers.js';
import { ModelFileError } from '../../src/persist/errors.js';
import { loadModel } from '../../src/persist/files.js';
import {
  align64, assembleFile, CHECKSUM_OFFSET, fileChecksum, MAGIC, MAX_HEADER_BYTES, PREAMBLE_BYTES, type ModelFileHeader,
} from '../../src/persist/format.js';
import { serializeModel } from '../../src/persist/save.js';
import { splitFile } from '../persist/helpers.js';
import { fuzzRuns, fuzzSeed, report } from './runs.js';
import { DeadlineWorker } from './deadline-worker.js';

const RUNS = fuzzRuns(2000);
/** Deadline for one load; the largest input here is ~40 KB, which loads in milliseconds. */
const CASE_MS = Number(process.env.SEQCAST_FUZZ_CASE_MS ?? 5000);
/** The loader worker's JS heap limit: 40 KB inputs need a few MiB. */
const WORKER_HEAP_MB = 256;
/** No input may raise the process's RSS by more than this over the whole run (inputs are < 64 KB). */
const RSS_GROWTH_LIMIT = 256 * 2 ** 20;

const backends = await testBackends();
const backendNames = backends.map((b) => b.info().name);

// ---- valid files to mutate: every cell, with and without pipeline and metadata -------------------

const VALID: Uint8Array[] = CONFIGS.flatMap(({ options }, i) => {
  const model = makeModel(options, backends[i % backends.length], 11 + i);
  try {
    return [
      serializeModel(model),
      serializeModel(model, { pipeline: i % 2 === 0 ? fittedPipeline() : null, metadata: { run: i, note: 'fuzz seed', tags: ['a', 'b'] } }),
    ];
  } finally {
    model.dispose();
  }
});

// ---- the worker: loadModel's files go to a temporary folder ----------------------------------------

const caseDir = mkdtempSync(join(tmpdir(), 'seqcast-model-fuzz-'));
// A heap limit turns a giant allocation into the death of the worker (seen as no answer before the
// deadline), instead of an out-of-memory abort of the whole test process.
const runner = new DeadlineWorker<ModelFileCase, ModelFileOutcome>(new URL('./model-file-worker.ts', import.meta.url), CASE_MS, {
  workerData: { file: join(caseDir, 'case.seqcast') },
  resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
});

// ---- inputs ---------------------------------------------------------------------------------------

const setU32 = (b: Uint8Array, at: number, v: number): void => new DataView(b.buffer, b.byteOffset).setUint32(at, v >>> 0, true);

/** Writes the checksum the loader will compute, so edits get past the CRC to the later checks. */
function fixChecksum(b: Uint8Array): Uint8Array {
  if (b.length >= PREAMBLE_BYTES) setU32(b, CHECKSUM_OFFSET, fileChecksum(b));
  return b;
}

/** Numbers that break size arithmetic: zero, negatives, fractions, 2^31/2^32/2^40/2^53 and beyond. */
const HOSTILE_NUMBERS = [0, -1, -64, 1, 1.5, 63, 64, 65, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 32 + 64, 2 ** 40, 2 ** 53, 2 ** 53 + 2, 1e300, -(2 ** 40), Number.MAX_SAFE_INTEGER];
/** Any JSON value, biased to what a field of the wrong type looks like. */
const hostileValueArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_NUMBERS) },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, '', 'f32', 'f64', 'f16', 'i8', 'lstm', 'gru', 'rnn', 'relu', 'tanh', 'last', 'all', '__proto__', 'constructor', '0') },
  { weight: 1, arbitrary: fc.constantFrom([], [0], [-1], [2 ** 20, 2 ** 20], [2 ** 40], [1.5, 2], ['4'], {}, { length: 4 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);

type HeaderEdit =
  | { op: 'set'; path: number; value: unknown }
  | { op: 'delete'; path: number }
  | { op: 'dupTensor' | 'dropTensor' | 'swapNames' | 'hugeTensor' | 'bumpVersion'; at: number; value: number };

const headerEditArb: fc.Arbitrary<HeaderEdit> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('set' as const), path: fc.nat(), value: hostileValueArb }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), path: fc.nat() }) },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constantFrom('dupTensor' as const, 'dropTensor' as const, 'swapNames' as const, 'hugeTensor' as const, 'bumpVersion' as const),
      at: fc.nat(),
      value: fc.constantFrom(...HOSTILE_NUMBERS),
    }),
  },
);

type Json = Record<string, unknown> | unknown[];
/** Every [container, key] of a JSON tree, in a fixed order, so an edit can name one by index. */
function slots(root: Json): Array<[Json, string | number]> {
  const out: Array<[Json, string | number]> = [];
  const walk = (node: Json): void => {
    for (const key of Array.isArray(node) ? node.keys() : Object.keys(node)) {
      out.push([node, key]);
      const child = (node as Record<string | number, unknown>)[key];
      if (child !== null && typeof child === 'object') walk(child as Json);
    }
  };
  walk(root);
  return out;
}

function applyHeaderEdit(h: ModelFileHeader, e: HeaderEdit): void {
  const tensors = h.tensors;
  if (e.op === 'set' || e.op === 'delete') {
    // Most edits go to the model options and the tensor table, where sizes come from.
    const all = slots(h as unknown as Json);
    const sized = all.filter(([, k]) => ['shape', 'offset', 'length', 'dtype', 'name', 'inputSize', 'hiddenSize', 'numLayers', 'outputs', 'bidirectional', 'cell', 'heads', 'on'].includes(String(k)) || typeof k === 'number');
    const pool = e.path % 3 === 0 ? all : sized.length ? sized : all;
    const [node, key] = pool[Math.floor(e.path / 3) % pool.length];
    if (e.op === 'set') (node as Record<string | number, unknown>)[key] = structuredClone(e.value);
    else if (Array.isArray(node)) node.splice(key as number, 1);
    else delete (node as Record<string, unknown>)[key];
    return;
  }
  if (e.op === 'bumpVersion') {
    h.formatVersion = e.value;
    return;
  }
  // Earlier edits may have replaced the table or its entries by anything; these edits need objects.
  const isEntry = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!Array.isArray(tensors) || tensors.length === 0) return;
  const i = e.at % tensors.length;
  const t = tensors[i];
  if (e.op === 'dupTensor') tensors.splice(i, 0, structuredClone(t));
  else if (e.op === 'dropTensor') tensors.splice(i, 1);
  else if (e.op === 'swapNames') {
    const u = tensors[(e.at >> 4) % tensors.length];
    if (isEntry(t) && isEntry(u)) [t.name, u.name] = [u.name, t.name];
  } else if (isEntry(t)) {
    // hugeTensor: a self-consistent claim of a tensor far larger than the file: shape, length and model agree.
    const n = Math.abs(e.value) || 2 ** 40;
    t.shape = [n];
    t.length = 4 * n;
    if (i % 2 === 0 && isEntry(h.model)) h.model.hiddenSize = n;
  }
}

/** A valid file with its header edited, reassembled (data kept, resized, or dropped). */
const headerEditedArb = fc
  .record({
    file: fc.constantFrom(...VALID),
    edits: fc.array(headerEditArb, { minLength: 1, maxLength: 4 }),
    data: fc.constantFrom('keep', 'keep', 'keep', 'shrink', 'grow', 'empty'),
    cut: fc.nat(),
  })
  .map(({ file, edits, data, cut }) => {
    const { header, data: d } = splitFile(file);
    for (const e of edits) applyHeaderEdit(header, e);
    const size = data === 'keep' ? d.length : data === 'empty' ? 0 : data === 'shrink' ? cut % (d.length + 1) : d.length + (cut % 4096);
    const resized = new Uint8Array(size);
    resized.set(d.subarray(0, size));
    return assembleFile(header, resized);
  });

type ByteEdit = { op: 'flip' | 'set' | 'truncate' | 'extend' | 'insert' | 'delete' | 'u32'; at: number; value: number; bytes: Uint8Array };
const byteEditArb: fc.Arbitrary<ByteEdit> = fc.record({
  op: fc.constantFrom('flip', 'flip', 'flip', 'set', 'truncate', 'extend', 'insert', 'delete', 'u32'),
  at: fc.nat(),
  value: fc.oneof(fc.nat(255), fc.constantFrom(...HOSTILE_NUMBERS.filter((n) => Number.isInteger(n)))),
  bytes: fc.uint8Array({ maxLength: 80 }),
});

function applyByteEdit(b: Uint8Array, e: ByteEdit): Uint8Array {
  const at = b.length ? e.at % b.length : 0;
  const join = (...parts: Uint8Array[]): Uint8Array => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  };
  switch (e.op) {
    case 'flip':
      if (b.length) b[at] ^= 1 << (e.value % 8);
      return b;
    case 'set':
      if (b.length) b[at] = e.value & 0xff;
      return b;
    case 'truncate':
      return b.slice(0, at);
    case 'extend':
      return join(b, e.bytes);
    case 'insert':
      return join(b.subarray(0, at), e.bytes, b.subarray(at));
    case 'delete':
      return join(b.subarray(0, at), b.subarray(at + 1 + (e.value % 64)));
    case 'u32':
      // A little-endian integer over four bytes: where the preamble's sizes and versions live.
      if (b.length >= 4) setU32(b, Math.min(at, b.length - 4) & ~3, e.value % 2 ** 32);
      return b;
  }
}

const mutatedArb = fc
  .record({ file: fc.constantFrom(...VALID), edits: fc.array(byteEditArb, { minLength: 1, maxLength: 8 }), fix: fc.boolean() })
  .map(({ file, edits, fix }) => {
    let b: Uint8Array = file.slice();
    for (const e of edits) b = applyByteEdit(b, e);
    return fix ? fixChecksum(b) : b;
  });

/** The preamble's fields set to hostile values: version, header length, data length (both halves), reserved. */
const preambleArb = fc
  .record({
    file: fc.constantFrom(...VALID),
    field: fc.constantFrom(8, 12, 16, 20, 28),
    value: fc.oneof(fc.constantFrom(0, 1, 2, 3, 0xffffffff, 0x7fffffff, MAX_HEADER_BYTES, MAX_HEADER_BYTES + 1, 64, 256), fc.nat()),
    fix: fc.boolean(),
  })
  .map(({ file, field, value, fix }) => {
    const b = file.slice();
    setU32(b, field, value);
    return fix ? fixChecksum(b) : b;
  });

/** Random bytes; some start with the magic, some with a whole plausible preamble and a right CRC. */
const bytesArb = fc
  .record({ body: fc.uint8Array({ maxLength: 4096, size: 'max' }), kind: fc.constantFrom('raw', 'magic', 'preamble'), headerLen: fc.nat(), dataLen: fc.nat() })
  .map(({ body, kind, headerLen, dataLen }) => {
    if (kind === 'raw') return body;
    const b = new Uint8Array(Math.max(body.length, PREAMBLE_BYTES));
    b.set(body);
    b.set(MAGIC, 0);
    if (kind === 'preamble') {
      setU32(b, 8, 1);
      const room = b.length - PREAMBLE_BYTES;
      setU32(b, 12, room ? 1 + (headerLen % room) : 0);
      setU32(b, 16, dataLen % (room + 1));
      setU32(b, 20, 0);
      fixChecksum(b);
    }
    return b;
  });

// ---- the properties -------------------------------------------------------------------------------

beforeAll(() => runner.start());
afterAll(async () => {
  await runner.stop();
  rmSync(caseDir, { recursive: true, force: true });
});

const totals: Record<string, number> = { inputs: 0, result: 0, ModelFileError: 0, other: 0, hangs: 0 };
const problems: Record<string, number> = {};
let slowestMs = 0;
let rssFirst = 0;
let rssPeak = 0;
let wasmPeak = 0;

/** Loader per case: mostly the pure parser (fast), a third through a backend or the file system. */
const loaderArb = fc.constantFrom<LoaderName>('parse', 'parse', 'parse', 'parse', 'deserialize', 'deserialize', 'load');

function check(name: string, bytesArb: fc.Arbitrary<Uint8Array>): void {
  const counts: Record<string, number> = { inputs: 0, result: 0, ModelFileError: 0, other: 0, hangs: 0 };
  try {
    fc.assert(
      fc.property(bytesArb, loaderArb, fc.nat(), (bytes, loader, pick) => {
        counts.inputs++;
        const backend = backendNames[pick % backendNames.length];
        const out = runner.run({ bytes, loader, backend });
        if (out === 'hang') {
          counts.hangs++;
          throw new Error(`${loader} did not return within ${CASE_MS} ms: it hung, or its worker died (e.g. over the ${WORKER_HEAP_MB} MiB heap limit)`);
        }
        counts[out.kind]++;
        if (out.kind === 'ModelFileError') problems[out.problem] = (problems[out.problem] ?? 0) + 1;
        slowestMs = Math.max(slowestMs, out.ms);
        rssFirst ||= out.rss;
        rssPeak = Math.max(rssPeak, out.rss);
        wasmPeak = Math.max(wasmPeak, out.wasmBytes);
        if (out.kind === 'other') throw new Error(`${loader} on ${backend} threw ${out.problem}: ${out.message}\n${out.stack}`);
        if (rssPeak - rssFirst > RSS_GROWTH_LIMIT)
          throw new Error(`RSS grew by ${((rssPeak - rssFirst) / 2 ** 20).toFixed(0)} MiB while loading ${bytes.length}-byte inputs`);
      }),
      { numRuns: RUNS, seed: fuzzSeed() },
    );
  } finally {
    for (const k of Object.keys(totals)) totals[k] += counts[k];
    report(`model-file ${name}`, counts);
  }
  expect(counts.inputs).toBeGreaterThanOrEqual(RUNS);
}

describe('model files: every input loads a working model or is refused with a clear ModelFileError', () => {
  it(`random bytes, some behind a valid magic or preamble (${RUNS} cases)`, () => {
    check('bytes', bytesArb);
  });
  it(`valid files with 1-8 byte mutations: bit flips, overwrites, truncation, extension (${RUNS} cases)`, () => {
    check('mutated', mutatedArb);
  });
  it(`valid files with hostile preamble fields: version, header and data lengths (${RUNS} cases)`, () => {
    check('preamble', preambleArb);
  });
  it(`valid files with edited header JSON and a correct checksum (${RUNS} cases)`, () => {
    check('header', headerEditedArb);
  });
  it('summary', () => {
    report('model-file total', { ...totals, slowestMs: Math.round(slowestMs), workerRestarts: runner.restarts });
    report('model-file problems', problems);
    report('model-file memory', { rssGrowthMiB: Math.round((rssPeak - rssFirst) / 2 ** 20), wasmPeakKiB: Math.round(wasmPeak / 1024) });
    expect(totals.other + totals.hangs).toBe(0);
    // The mutations must reach every check, or the fuzz is weaker than it looks.
    for (const p of ['not-a-model-file', 'truncated', 'checksum', 'invalid-header', 'invalid-tensor', 'unsupported-version', 'trailing-bytes', 'header-too-large'])
      expect(problems[p] ?? 0, `no input was refused as '${p}'`).toBeGreaterThan(0);
    expect(totals.result).toBeGreaterThan(0);
  });
});

// ---- claims of giant sizes fail fast, before anything is allocated -------------------------------

/** Runs `f` and returns how much RSS and time it took; gc first so earlier garbage does not count. */
async function measured(f: () => Promise<unknown>): Promise<{ error: unknown; rssMiB: number; ms: number }> {
  (globalThis as { gc?: () => void }).gc?.();
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  let error: unknown = null;
  try {
    await f();
  } catch (e) {
    error = e;
  }
  return { error, rssMiB: (process.memoryUsage().rss - rss0) / 2 ** 20, ms: performance.now() - t0 };
}

describe('size claims far beyond the file are refused fast, without allocating them', () => {
  const base = VALID[0];
  const { header, data } = splitFile(base);
  const dir = mkdtempSync(join(tmpdir(), 'seqcast-model-huge-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const giantTensor = (): Uint8Array => {
    const h = structuredClone(header);
    // hiddenSize 2^20: weight_hh_l0 is (4 * 2^20, 2^20) = 2^42 floats, 16 TiB; lengths and shapes agree.
    h.model.hiddenSize = 2 ** 20;
    for (const t of h.tensors) {
      t.shape = t.shape.map((d) => (d === header.model.hiddenSize ? 2 ** 20 : d === 4 * header.model.hiddenSize ? 2 ** 22 : d));
      t.length = 4 * t.shape.reduce((a, b) => a * b, 1);
    }
    return assembleFile(h, data);
  };

  it.each([
    ['a tensor of 2^40 elements', (): Uint8Array => {
      const h = structuredClone(header);
      h.tensors[0].shape = [2 ** 40];
      h.tensors[0].length = 2 ** 42;
      return assembleFile(h, data);
    }, 'invalid-tensor'],
    ['a model whose hidden size makes 2^42-float tensors', giantTensor, 'invalid-tensor'],
    ['a data length of 2^40 bytes in the preamble', (): Uint8Array => {
      const b = base.slice();
      setU32(b, 20, 2 ** 8); // high word: 2^40
      return fixChecksum(b);
    }, 'truncated'],
    ['a header length of 2^32 - 1 bytes', (): Uint8Array => {
      const b = base.slice();
      setU32(b, 12, 0xffffffff);
      return fixChecksum(b);
    }, 'header-too-large'],
    ['65 layers in a 2-layer file: the missing tensors are summarized, not all listed', (): Uint8Array => {
      const h = structuredClone(header);
      h.model.numLayers = 65;
      return assembleFile(h, data);
    }, 'invalid-tensor'],
    ['a billion layers', (): Uint8Array => {
      const h = structuredClone(header);
      h.model.numLayers = 1e9;
      return assembleFile(h, data);
    }, 'invalid-tensor'],
  ])('%s', (_label, make, problem) => {
    const bytes = make();
    // In the loader worker, so a regression that does allocate the claim kills the worker, not the run.
    for (const loader of ['parse', 'deserialize'] as const) {
      const out = runner.run({ bytes, loader, backend: backendNames[0] });
      if (out === 'hang') throw new Error(`${loader} did not return within ${CASE_MS} ms, or its worker died allocating the claim`);
      expect(out.kind, `${loader}: ${out.message}`).toBe('ModelFileError');
      expect(out.problem, out.message).toBe(problem);
      const rssMiB = (out.rss - out.rssBefore) / 2 ** 20;
      expect(rssMiB, `${loader}: RSS grew by ${rssMiB.toFixed(1)} MiB`).toBeLessThan(64);
      expect(out.ms, loader).toBeLessThan(1000);
    }
  });

  it('a sparse 1 TiB file whose preamble matches its size is refused by loadModel without reading it', async () => {
    const path = join(dir, 'huge.seqcast');
    const b = base.slice(0, PREAMBLE_BYTES);
    const size = 2 ** 40;
    const dataBytes = size - align64(PREAMBLE_BYTES + new DataView(b.buffer).getUint32(12, true));
    setU32(b, 16, dataBytes % 2 ** 32);
    setU32(b, 20, Math.floor(dataBytes / 2 ** 32));
    const h = await open(path, 'w');
    await h.write(b, 0, b.length, 0);
    await h.truncate(size); // sparse: no disk space is used
    await h.close();
    const { error, rssMiB, ms } = await measured(() => loadModel(path, { backend: backendNames[0] }));
    expect(error).toBeInstanceOf(ModelFileError);
    expect((error as ModelFileError).problem).toBe('file-too-large');
    expect((error as Error).message).toMatch(/1099511627776 bytes/);
    expect(rssMiB).toBeLessThan(64);
    expect(ms).toBeLessThan(1000);
  });
});
