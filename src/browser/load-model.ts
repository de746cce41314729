// Model files in the browser: the Node side's loadModel(path) reads a file; here the bytes come from
// a URL (fetched), a fetch() Response, or a Blob/File from <input type="file"> or drag and drop.
// The bytes are then checked and built exactly as in Node (persist/load.ts).
import { deserializeModel, type LoadedModel } from '../persist/load.js';
import type { BackendOptions } from './select.js';

export type ModelSource = string | URL | Response | Blob | ArrayBuffer | Uint8Array;

/** The bytes of a model file from wherever a page gets them. */
export async function modelBytes(source: ModelSource, where = 'loadModel'): Promise<Uint8Array> {
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  if (typeof Blob === 'function' && source instanceof Blob) return new Uint8Array(await source.arrayBuffer());
  let response: Response;
  if (typeof source === 'string' || source instanceof URL) response = await fetch(source);
  else if (typeof Response === 'function' && source instanceof Response) response = source;
  else throw new TypeError(`${where}: expected a URL, a Response, a Blob/File or bytes, got ${Object.prototype.toString.call(source)}`);
  if (!response.ok)
    throw new Error(`${where}: ${response.url || String(source)} answered HTTP ${response.status}; check the address of the model file`);
  return new Uint8Array(await response.arrayBuffer());
}

/** Loads a model file written by saveModel()/serializeModel() in Node (or here) onto the WASM backend. */
export async function loadModel(source: ModelSource, opts: BackendOptions = {}): Promise<LoadedModel> {
  return deserializeModel(await modelBytes(source), opts);
}
