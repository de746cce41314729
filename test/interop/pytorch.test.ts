// A trained SequenceModel exported to safetensors runs in PyTorch (nn.LSTM/GRU/RNN + nn.Linear, loaded
// with a strict load_state_dict) with the same outputs, and a PyTorch model's state_dict runs here.
// Needs /usr/bin/python3 with torch; without it these tests skip and say why.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportSafetensors, importSafetensors } from '../../src/interop/model-safetensors.js';
import { readSafetensors, writeSafetensors } from '../../src/interop/safetensors.js';
import { SequenceModel } from '../../src/model/sequence-model.js';
import type { CellKind } from '../../src/layout/cells.js';
import { Rng } from '../../src/random.js';
import { testBackends } from '../helpers/backends.js';
import { closeness } from '../helpers/close.js';

const PYTHON = process.env.SEQCAST_TORCH_PYTHON ?? '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./torch_roundtrip.py', import.meta.url));
const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
const hasTorch = probe.status === 0;
const skipNote = hasTorch ? '' : ` [skipped: ${PYTHON} cannot import torch: ${probe.stderr?.trim().split('\n').pop() || probe.error?.message || `exit status ${probe.status}`}]`;
if (!hasTorch) console.warn(`pytorch.test.ts:${skipNote}`);

const dir = mkdtempSync(join(tmpdir(), 'seqcast-torch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function python(...args: string[]): void {
  const r = spawnSync(PYTHON, [SCRIPT, ...args], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`${SCRIPT} ${args.join(' ')} failed (status ${r.status}):\n${r.stderr}`);
}

const TOL = { atol: 1e-5, rtol: 1e-4 };
const CASES: Array<{ cell: CellKind; numLayers: number; bidirectional: boolean; nonlinearity?: 'relu' }> = [
  { cell: 'lstm', numLayers: 2, bidirectional: false },
  { cell: 'gru', numLayers: 1, bidirectional: true },
  { cell: 'rnn', numLayers: 2, bidirectional: false, nonlinearity: 'relu' },
];

// PyTorch's side is made once for both backends (one Python process: importing torch takes seconds).
const FROM_TORCH = ['lstm', 'gru', 'rnn'] as const;
beforeAll(() => {
  if (hasTorch) python('make', dir, ...FROM_TORCH);
}, 120_000);

describe.each(await testBackends())('PyTorch interop on $name', (backend) => {
  it.skipIf(!hasTorch)(`trained LSTM, GRU and RNN models exported to safetensors give the same outputs in PyTorch${skipNote}`, async () => {
    const I = 3, H = 6, B = 4, T = 9;
    const ours: Record<string, Float32Array> = {};
    const files: string[] = [];
    for (const c of CASES) {
      const model = new SequenceModel({ ...c, inputSize: I, hiddenSize: H, seed: 4, heads: [{ outputs: 2 }] }, backend);
      const rng = new Rng(8);
      const N = 64;
      const x = Float32Array.from({ length: N * T * I }, () => rng.uniform(-1, 1));
      const targets = Float32Array.from({ length: N * 2 }, (_, i) => x[Math.floor(i / 2) * T * I] * (i % 2 ? 1 : -1));
      const before = model.stateDict()['rnn.weight_hh_l0'].data.slice();
      await model.fit({ x, targets, count: N, seqLen: T }, { epochs: 3, batchSize: 16, optimizer: { name: 'adam', lr: 1e-2 } });
      expect(model.stateDict()['rnn.weight_hh_l0'].data).not.toEqual(before); // it did train
      const input = x.subarray(0, B * T * I);
      [ours[c.cell]] = model.predict(input, { batchSize: B, seqLen: T });
      const tag = join(dir, `${backend.name}-${c.cell}`);
      writeFileSync(`${tag}.safetensors`, exportSafetensors(model));
      writeFileSync(`${tag}-x.safetensors`, writeSafetensors({ x: { shape: [B, T, I], data: input.slice() } }));
      files.push(`${tag}.safetensors`, `${tag}-x.safetensors`, `${tag}-y.safetensors`);
      model.dispose();
    }
    python('check', ...files);
    for (const c of CASES) {
      const torchOut = readSafetensors(readFileSync(join(dir, `${backend.name}-${c.cell}-y.safetensors`))).tensors;
      const r = closeness(ours[c.cell], torchOut.y.data, TOL, `${c.cell} (layers ${c.numLayers}, bidirectional ${c.bidirectional}) head output vs PyTorch`);
      expect(r.ok, r.message).toBe(true);
      expect(torchOut.output.shape).toEqual([B, T, (c.bidirectional ? 2 : 1) * H]);
    }
  });

  it.skipIf(!hasTorch).each(FROM_TORCH)(`a PyTorch %s state_dict loads here and gives PyTorch's outputs${skipNote}`, async (cell) => {
    const { model, notes } = await importSafetensors(readFileSync(join(dir, `${cell}.safetensors`)), { backend: backend.name });
    expect(notes).toEqual([]);
    expect(model.options).toMatchObject({ cell, inputSize: 3, hiddenSize: 5, numLayers: 2, bidirectional: false });
    const io = readSafetensors(readFileSync(join(dir, `${cell}-io.safetensors`))).tensors;
    const [B, T] = io.x.shape;
    const [got] = model.predict(io.x.data, { batchSize: B, seqLen: T });
    const r = closeness(got, io.y.data, TOL, `${cell} ours vs PyTorch`);
    expect(r.ok, r.message).toBe(true);
    model.dispose();
  });
});
