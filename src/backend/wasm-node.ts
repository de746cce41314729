// Node side of the WASM backend: reads build/wasm/seqcast.wasm from disk (fetch() cannot read file:
// URLs in Node). The browser fetches the same URL instead (browser/select.ts).
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { LoadAttempt } from '../errors.js';
import { instantiateWasm, type WasmBackend } from './wasm.js';

/** From src/backend/ and from dist/backend/ alike, the module is two folders up. */
export const WASM_MODULE_URL = new URL('../../build/wasm/seqcast.wasm', import.meta.url);

/** Instantiates the module from the package's file, or records why not in `attempts` and returns null. */
export async function loadWasm(attempts: LoadAttempt[]): Promise<WasmBackend | null> {
  const where = fileURLToPath(WASM_MODULE_URL);
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = await readFile(where);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    attempts.push({ backend: 'wasm', where, reason: code === 'ENOENT' ? 'not found' : (e as Error).message });
    return null;
  }
  return instantiateWasm(bytes, where, attempts);
}
