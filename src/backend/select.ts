// Backend selection: native when the addon loads, else WASM. Overridable per call with
// { backend: 'native' | 'wasm' } and process-wide with SEQCAST_BACKEND=native|wasm|auto.
import { BackendUnavailableError, type LoadAttempt } from '../errors.js';
import { loadNative } from './native.js';
import type { Backend, BackendInfo, BackendName } from './types.js';
import { loadWasm } from './wasm-node.js';

export interface BackendOptions {
  /** Which backend to use; default 'auto' (or SEQCAST_BACKEND). */
  backend?: 'auto' | BackendName;
  /** Kernel threads for the native backend; default all cores. */
  threads?: number;
}

const NATIVE_FIX = 'run `npm run build:native` (needs cmake >= 3.15 and a C++17 compiler), or pass { backend: \'wasm\' }';
const WASM_FIX = 'run `npm run build:wasm` (AssemblyScript), or reinstall the package';

function readEnvOverride(): 'auto' | BackendName | undefined {
  const v = process.env.SEQCAST_BACKEND?.trim().toLowerCase();
  if (!v) return undefined;
  if (v === 'auto' || v === 'native' || v === 'wasm') return v;
  throw new RangeError(`SEQCAST_BACKEND must be 'native', 'wasm' or 'auto', got '${process.env.SEQCAST_BACKEND}'`);
}

// One instance of each backend per process: the addon and the WASM module are loaded once.
const loaded = new Map<BackendName, Promise<Backend | null>>();
const attempts: LoadAttempt[] = [];
let warned = false;

function load(name: BackendName): Promise<Backend | null> {
  let p = loaded.get(name);
  if (!p) {
    p = name === 'native' ? Promise.resolve(loadNative(attempts)) : loadWasm(attempts);
    loaded.set(name, p);
  }
  return p;
}

export async function loadBackend(opts: BackendOptions = {}): Promise<Backend> {
  const wanted = opts.backend ?? readEnvOverride() ?? 'auto';
  if (wanted !== 'auto' && wanted !== 'native' && wanted !== 'wasm')
    throw new RangeError(`backend must be 'auto', 'native' or 'wasm', got '${String(wanted)}'`);
  let backend: Backend | null = null;
  if (wanted !== 'wasm') {
    backend = await load('native');
    if (!backend && wanted === 'native') throw new BackendUnavailableError('native', attempts, NATIVE_FIX);
  }
  if (!backend) {
    const reason = wanted === 'auto' ? attempts.filter((a) => a.backend === 'native').map((a) => a.reason).join('; ') : null;
    backend = await load('wasm');
    if (!backend) throw new BackendUnavailableError('wasm', attempts, WASM_FIX);
    backend.fallbackReason = reason;
    if (wanted === 'auto' && !warned) {
      warned = true;
      process.emitWarning(`seqcast: native backend unavailable, using WebAssembly (slower): ${reason}`, {
        code: 'SEQCAST_NATIVE_UNAVAILABLE',
        detail:
          'To build the native backend: run `npm run build:native` (needs cmake >= 3.15 and a C++17 compiler). ' +
          "To choose WebAssembly without this warning: pass { backend: 'wasm' } or set SEQCAST_BACKEND=wasm.",
      });
    }
  }
  if (opts.threads !== undefined) backend.setThreads(opts.threads);
  return backend;
}

/** Every backend that loads here, for tests and the bench: native first when built. */
export async function availableBackends(): Promise<Backend[]> {
  const out: Backend[] = [];
  for (const name of ['native', 'wasm'] as const) {
    const b = await load(name);
    if (b) out.push(b);
  }
  return out;
}

/** The backend in use (as loadBackend would pick it), its dispatched SIMD level and thread count. */
export async function backendInfo(opts: BackendOptions = {}): Promise<BackendInfo> {
  return (await loadBackend(opts)).info();
}
