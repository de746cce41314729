// Reading the PyTorch fixtures in ../shared/fixtures (format in its README): every file describes
// itself, so a folder is walked and each JSON file with a `format` of rnn-fixtures/1 is a fixture.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEFAULT_FIXTURE_DIR = fileURLToPath(new URL('../../../shared/fixtures/pytorch', import.meta.url));

export interface FixtureArray {
  shape: number[];
  data: number[];
}

export interface Fixture {
  path: string;
  /** Path relative to the walked folder, for messages. */
  file: string;
  kind: string;
  name: string;
  body: Record<string, any>;
}

/** Every fixture file under `dir`, sorted by path; index files and other JSON are skipped. */
export function findFixtures(dir: string): Fixture[] {
  const out: Fixture[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d).sort()) {
      const p = join(d, entry);
      if (statSync(p).isDirectory()) walk(p);
      else if (entry.endsWith('.json')) {
        const body = JSON.parse(readFileSync(p, 'utf8'));
        if (body?.format !== 'rnn-fixtures/1' || typeof body.kind !== 'string' || body.kind === undefined) continue;
        if (!('name' in body)) continue; // index.json carries format too, but no name
        out.push({ path: p, file: relative(dir, p), kind: body.kind, name: body.name, body });
      }
    }
  };
  walk(dir);
  return out;
}

export const f64 = (a: FixtureArray | null | undefined): Float64Array | null =>
  a ? Float64Array.from(a.data) : null;
export const f32 = (a: FixtureArray | null | undefined): Float32Array | null =>
  a ? Float32Array.from(a.data) : null;
