// Node file helpers. saveModel writes atomically: the bytes go to a temporary file in the same
// folder, which is flushed to disk (fsync) and then renamed over the destination; rename within one
// file system is atomic, so `path` holds either the old file or the complete new one, never a mix.
// Serialization runs first, so a model that cannot be saved leaves `path` untouched. loadModel
// checks the preamble against the file size before reading the rest.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:buffer';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BackendOptions } from '../backend/select.js';
import { loadBackend } from '../backend/select.js';
import type { SequenceModel } from '../model/sequence-model.js';
import { ModelFileError } from './errors.js';
import { PREAMBLE_BYTES, readPreamble } from './format.js';
import { buildModel, parseModelFile, type LoadedModel } from './load.js';
import { serializeModel, type SerializeOptions } from './save.js';

function toPath(where: string, path: unknown): string {
  if (path instanceof URL) return fileURLToPath(path);
  if (typeof path !== 'string' || path === '') throw new TypeError(`${where}: path must be a non-empty string or a file: URL, got ${JSON.stringify(path) ?? typeof path}`);
  return path;
}

/** Makes a rename durable; some platforms (Windows) cannot open folders, where this is skipped. */
async function syncFolder(folder: string): Promise<void> {
  let handle;
  try {
    handle = await open(folder, 'r');
    await handle.sync();
  } catch {
    // best effort: the data itself was already synced before the rename
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/**
 * Saves the model (and optionally its pipeline and metadata) to one model file at `path`,
 * atomically: on any failure the previous file at `path`, if any, is left as it was and no
 * temporary file remains.
 */
export async function saveModel(path: string | URL, model: SequenceModel, opts: SerializeOptions = {}): Promise<void> {
  await writeFileAtomic(toPath('saveModel', path), serializeModel(model, opts));
}

/** Writes `bytes` to `target` atomically (temporary file, fsync, rename), as saveModel does. */
export async function writeFileAtomic(target: string, bytes: Uint8Array): Promise<void> {
  const folder = dirname(target);
  const temp = join(folder, `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let created = false;
  try {
    const handle = await open(temp, 'wx');
    created = true;
    try {
      let written = 0;
      while (written < bytes.length) written += (await handle.write(bytes, written, bytes.length - written)).bytesWritten;
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
    created = false;
  } finally {
    if (created) await unlink(temp).catch(() => undefined);
  }
  await syncFolder(folder);
}

/** Loads a model file written by saveModel() on the backend asked for (default 'auto'). */
export async function loadModel(path: string | URL, opts: BackendOptions = {}): Promise<LoadedModel> {
  const file = toPath('loadModel', path);
  const where = `loadModel: ${file}`;
  const handle = await open(file, 'r');
  let bytes: Uint8Array;
  try {
    const { size } = await handle.stat();
    // The preamble first: a file whose sizes do not add up is refused before the rest is read.
    const head = new Uint8Array(Math.min(PREAMBLE_BYTES, size));
    await handle.read(head, 0, head.length, 0);
    readPreamble(head, size, where);
    // A file too big for one buffer is refused by name, not by a RangeError from the allocation.
    if (size > constants.MAX_LENGTH)
      throw new ModelFileError(
        'file-too-large',
        `${where}: the file is ${size} bytes, more than the ${constants.MAX_LENGTH} bytes Node.js can hold in one buffer; ` +
          'it is corrupted or not a seqcast model file: copy the file again from its source, or save the model again',
      );
    bytes = new Uint8Array(size);
    let read = 0;
    while (read < size) {
      const n = (await handle.read(bytes, read, size - read, read)).bytesRead;
      if (n === 0) break;
      read += n;
    }
    bytes = bytes.subarray(0, read);
  } finally {
    await handle.close();
  }
  const parsed = parseModelFile(bytes, where);
  return buildModel(parsed, await loadBackend(opts), where);
}
