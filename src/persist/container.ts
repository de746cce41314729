// The outer layer every seqcast file shares (model files and forecaster files): the preamble and its
// sizes, the CRC-32 over the whole file, and the JSON header object. What the header must hold is
// each file kind's business (load.ts, forecast/forecaster-file.ts).
import { fileChecksum, PREAMBLE_BYTES, readPreamble, type Preamble } from './format.js';
import { ModelFileError } from './errors.js';

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A value quoted in a message, cut short: a corrupted header can hold anything. */
export const show = (v: unknown): string => {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
};

export interface Container {
  bytes: Uint8Array;
  preamble: Preamble;
  header: Record<string, unknown>;
}

/**
 * Checks the preamble (before anything is allocated from its sizes), the checksum and that the header
 * is a UTF-8 JSON object. `saveAgain` ends the messages a corrupted file gets, e.g. 'save the model again'.
 */
export function readContainer(input: Uint8Array | ArrayBuffer, where: string, saveAgain: string): Container {
  const bytes = input instanceof ArrayBuffer ? new Uint8Array(input) : input;
  if (!(bytes instanceof Uint8Array))
    throw new TypeError(`${where}: expected the file's bytes as a Uint8Array, Buffer or ArrayBuffer, got ${(input as object | null)?.constructor?.name ?? typeof input}`);
  const preamble = readPreamble(bytes.subarray(0, PREAMBLE_BYTES), bytes.length, where);
  const computed = fileChecksum(bytes);
  if (computed !== preamble.checksum) {
    const hex = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;
    throw new ModelFileError('checksum', `${where}: checksum mismatch: the file is corrupted (CRC-32 stored ${hex(preamble.checksum)}, computed ${hex(computed)}); copy the file again from its source or a backup, or ${saveAgain}`);
  }
  const edited = `the file is corrupted or was not written by seqcast: ${saveAgain}`;
  let text = '';
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(PREAMBLE_BYTES, PREAMBLE_BYTES + preamble.headerBytes));
  } catch {
    throw new ModelFileError('invalid-header', `${where}: the header is not valid UTF-8; ${edited}`);
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    throw new ModelFileError('invalid-header', `${where}: the header is not valid JSON (${(e as Error).message}); ${edited}`);
  }
  if (!isObject(header)) throw new ModelFileError('invalid-header', `${where}: the header must be a JSON object, got ${show(header)}; ${edited}`);
  return { bytes, preamble, header };
}
