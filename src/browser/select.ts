// Browser twin of backend/select.ts (the browser build puts it in that file's place): the WebAssembly
// backend only, its module fetched from the URL next to the bundle instead of read from disk. The
// browser has no native addon and no environment variables, so 'auto' means WASM without a warning.
import { BackendUnavailableError, type LoadAttempt } from '../errors.js';
import type { Backend, BackendInfo, BackendName } from '../backend/types.js';
import { instantiateWasm, type WasmBackend, type WasmSource } from '../backend/wasm.js';

// seqcast.wasm sits next to the built bundle (dist/browser/seqcast.js), and an application's bundler
// (Vite, webpack 5, Parcel) sees this `new URL(..., import.meta.url)` there and emits the file with
// the app. Built only lazily: the training worker, which gets the compiled module, never needs it.
const defaultWasmUrl = (): URL => new URL('./seqcast.wasm', import.meta.url);

export interface BackendOptions {
  /** 'auto' and 'wasm' load the WebAssembly backend; 'native' is refused (it needs Node.js). */
  backend?: 'auto' | BackendName;
  /** Accepted for the same API as in Node; WebAssembly kernels run on one thread. */
  threads?: number;
}

/** Where seqcast.wasm comes from: a URL (fetched), its bytes, a fetch() Response, or a compiled module. */
export type WasmInput = string | URL | WasmSource;

let source: WasmInput | null = null;
let loading: Promise<WasmBackend | null> | null = null;
const attempts: LoadAttempt[] = [];

/**
 * Where to load seqcast.wasm from, for pages that serve it elsewhere than next to the bundle (a CDN,
 * or bytes already in hand). Call it before the first model is created.
 */
export function setWasmSource(input: WasmInput): void {
  if (loading) throw new Error('setWasmSource: the WebAssembly backend is already loaded; call setWasmSource before creating the first model');
  if (input === null || input === undefined) throw new TypeError('setWasmSource: expected a URL, bytes, a Response or a WebAssembly.Module, got nothing');
  source = input;
}

function loadWasm(): Promise<WasmBackend | null> {
  if (!loading) {
    loading = (async () => {
      const input = source ?? defaultWasmUrl();
      const isUrl = typeof input === 'string' || input instanceof URL;
      const where = isUrl ? String(input) : 'the module given to setWasmSource';
      let module: WasmSource;
      if (isUrl) {
        try {
          module = await fetch(input);
        } catch (e) {
          attempts.push({ backend: 'wasm', where, reason: `fetch failed: ${(e as Error).message}` });
          return null;
        }
      } else module = input;
      return instantiateWasm(module, where, attempts);
    })();
    // A failed load (say, the network) is tried again on the next call rather than remembered.
    void loading.then((b) => {
      if (!b) loading = null;
    });
  }
  return loading;
}

const WASM_FIX =
  'serve seqcast.wasm next to the seqcast bundle with Content-Type application/wasm, or call setWasmSource(url or bytes) before creating a model';

export async function loadBackend(opts: BackendOptions = {}): Promise<Backend> {
  const wanted = opts.backend ?? 'auto';
  if (wanted !== 'auto' && wanted !== 'native' && wanted !== 'wasm')
    throw new RangeError(`backend must be 'auto', 'native' or 'wasm', got '${String(wanted)}'`);
  if (wanted === 'native')
    throw new BackendUnavailableError(
      'native',
      [{ backend: 'native', where: 'browser', reason: 'the native addon needs Node.js' }],
      "pass { backend: 'wasm' } (or 'auto') in the browser",
    );
  const backend = await loadWasm();
  if (!backend) throw new BackendUnavailableError('wasm', attempts, WASM_FIX);
  return backend;
}

/** The backends that load here: WebAssembly, when it does. */
export async function availableBackends(): Promise<Backend[]> {
  const b = await loadWasm();
  return b ? [b] : [];
}

export async function backendInfo(opts: BackendOptions = {}): Promise<BackendInfo> {
  return (await loadBackend(opts)).info();
}
