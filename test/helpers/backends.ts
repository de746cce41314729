// The backends a test run covers: every backend that loads here, or only the one named by
// SEQCAST_BACKEND (so `SEQCAST_BACKEND=wasm npm test` is a WASM-only run).
import { availableBackends, loadBackend } from '../../src/backend/select.js';
import type { Backend } from '../../src/backend/types.js';

export async function testBackends(): Promise<Backend[]> {
  const only = process.env.SEQCAST_BACKEND;
  if (only === 'native' || only === 'wasm') return [await loadBackend({ backend: only })];
  return availableBackends();
}
