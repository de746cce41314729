// saveModel is atomic: whatever fails (serialization, a write half-way through, the flush, the
// rename), the previous file at the path is intact byte for byte and no temporary file is left.
// Failures are injected into node:fs/promises as saveModel sees it.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as fsp from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { loadModel, saveModel } from '../../src/persist/files.js';
import { testBackends } from '../helpers/backends.js';
import { bitsEqual, CONFIGS, makeModel, randomInput } from './helpers.js';

const inject = vi.hoisted(() => ({ failWriteAfter: -1, failSync: false, failRename: false }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...real,
    open: async (...args: Parameters<typeof real.open>) => {
      const handle = await real.open(...args);
      if (args[1] !== 'wx') return handle;
      const write = handle.write.bind(handle) as (b: Uint8Array, o: number, n: number) => Promise<{ bytesWritten: number }>;
      const sync = handle.sync.bind(handle);
      return Object.assign(Object.create(handle), {
        write: async (b: Uint8Array, o: number, n: number) => {
          // writes part of the bytes, as a full disk would, then fails
          if (inject.failWriteAfter >= 0) {
            if (inject.failWriteAfter > 0) await write(b, o, Math.min(n, inject.failWriteAfter));
            throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
          }
          return write(b, o, n);
        },
        sync: async () => {
          if (inject.failSync) throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
          return sync();
        },
        close: () => handle.close(),
      });
    },
    rename: async (...args: Parameters<typeof real.rename>) => {
      if (inject.failRename) throw Object.assign(new Error('EXDEV: simulated crash before rename'), { code: 'EXDEV' });
      return real.rename(...args);
    },
  };
});

const [backend] = await testBackends();
const name = backend.info().name;
const dir = mkdtempSync(join(tmpdir(), 'seqcast-atomic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => Object.assign(inject, { failWriteAfter: -1, failSync: false, failRename: false }));

const leftovers = (): string[] => readdirSync(dir).filter((f) => f.endsWith('.tmp'));

describe('saveModel writes atomically', () => {
  const path = join(dir, 'model.seqcast');
  const oldModel = makeModel(CONFIGS[1].options, backend, 1);
  const newModel = makeModel(CONFIGS[1].options, backend, 2);

  it('writes a new file, then replaces it whole', async () => {
    await saveModel(path, oldModel, { metadata: { version: 'old' } });
    expect((await loadModel(path, { backend: name })).metadata).toEqual({ version: 'old' });
    await saveModel(path, newModel, { metadata: { version: 'new' } });
    const loaded = await loadModel(path, { backend: name });
    expect(loaded.metadata).toEqual({ version: 'new' });
    const x = randomInput(2 * 4 * 2, 3);
    expect(bitsEqual(loaded.model.predict(x, { batchSize: 2, seqLen: 4 })[0], newModel.predict(x, { batchSize: 2, seqLen: 4 })[0])).toBe(true);
    expect(leftovers()).toEqual([]);
    await saveModel(path, oldModel, { metadata: { version: 'old' } });
  });

  const cases: Array<[string, () => void, RegExp | string]> = [
    ['serialization throws (metadata that is not JSON)', () => undefined, 'metadata must be JSON-serializable'],
    ['a write fails half-way (disk full)', () => (inject.failWriteAfter = 1000), 'ENOSPC'],
    ['a write fails at once', () => (inject.failWriteAfter = 0), 'ENOSPC'],
    ['fsync fails', () => (inject.failSync = true), 'EIO'],
    ['the rename fails', () => (inject.failRename = true), 'EXDEV: simulated crash before rename'],
  ];
  it.each(cases)('when %s, the old file is intact and no temporary file is left', async (label, arm, message) => {
    const before = readFileSync(path);
    arm();
    const metadata = label.startsWith('serialization') ? { bad: 1n } : { version: 'new' };
    await expect(saveModel(path, newModel, { metadata: metadata as never })).rejects.toThrow(message);
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(leftovers()).toEqual([]);
    expect((await loadModel(path, { backend: name })).metadata).toEqual({ version: 'old' });
  });

  it('a failed first save leaves no file at all', async () => {
    const fresh = join(dir, 'fresh.seqcast');
    inject.failWriteAfter = 100;
    await expect(saveModel(fresh, newModel)).rejects.toThrow('ENOSPC');
    expect(existsSync(fresh)).toBe(false);
    expect(leftovers()).toEqual([]);
  });

  it('a missing folder or a folder at the path fails without leaving anything', async () => {
    await expect(saveModel(join(dir, 'no', 'such', 'dir', 'm.seqcast'), newModel)).rejects.toThrow(/ENOENT/);
    const folder = join(dir, 'a-folder');
    await fsp.mkdir(folder, { recursive: true });
    writeFileSync(join(folder, 'keep.txt'), 'x');
    await expect(saveModel(folder, newModel)).rejects.toThrow();
    expect(readdirSync(folder)).toEqual(['keep.txt']);
    expect(leftovers()).toEqual([]);
    await expect(saveModel('' as never, newModel)).rejects.toThrow(new TypeError('saveModel: path must be a non-empty string or a file: URL, got ""'));
  });
});
