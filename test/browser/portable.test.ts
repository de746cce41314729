// The browser build's portable pieces, run in Node (part of `npm test`): the WASM backend from every
// kind of source a page may have, the browser backend selection, and the build guard that keeps Node
// built-ins out of the bundle. The real browser is exercised by browser.e2e.ts (`npm run test:browser`).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { describe, expect, it } from 'vitest';
import type { LoadAttempt } from '../../src/errors.js';
import { instantiateWasm } from '../../src/backend/wasm.js';
import { browserOnly } from '../../src/browser/build.mjs';

const WASM = fileURLToPath(new URL('../../build/wasm/seqcast.wasm', import.meta.url));
const bytes = () => new Uint8Array(readFileSync(WASM));

/** A kernel call whose answer is known: y = w x + b for a 1x1 linear layer. */
function linearWorks(backend: NonNullable<Awaited<ReturnType<typeof instantiateWasm>>>): boolean {
  const [y, x, w, b] = [1, 1, 1, 1].map((n) => backend.alloc(n));
  x.array[0] = 3;
  w.array[0] = 2;
  b.array[0] = 0.5;
  backend.linear_forward({ y, x, w, b }, { N: 1, In: 1, O: 1 });
  return y.array[0] === 6.5;
}

describe('instantiateWasm (what browser/select.ts and backend/wasm-node.ts share)', () => {
  it.each([
    ['bytes', () => bytes()],
    ['a Response served as application/wasm (streaming compile)', () => new Response(bytes(), { headers: { 'content-type': 'application/wasm' } })],
    ['a Response served with another type (compiled from its bytes)', () => new Response(bytes(), { headers: { 'content-type': 'application/octet-stream' } })],
  ])('loads from %s', async (_, source) => {
    const attempts: LoadAttempt[] = [];
    const backend = await instantiateWasm(source(), 'test', attempts);
    expect(attempts).toEqual([]);
    expect(backend!.info().variant).toBe('wasm-simd128');
    expect(linearWorks(backend!)).toBe(true);
    // The compiled module is kept, so a training worker can instantiate it again without fetching.
    const again = await instantiateWasm(backend!.module!, 'module', attempts);
    expect(linearWorks(again!)).toBe(true);
  });

  it('records why not, naming the source, for an HTTP error and for bytes that are not WebAssembly', async () => {
    const attempts: LoadAttempt[] = [];
    expect(await instantiateWasm(new Response('missing', { status: 404, statusText: 'Not Found' }), 'https://x.test/seqcast.wasm', attempts)).toBeNull();
    expect(await instantiateWasm(new TextEncoder().encode('<html>'), 'page.html', attempts)).toBeNull();
    expect(attempts[0]).toEqual({ backend: 'wasm', where: 'https://x.test/seqcast.wasm', reason: 'failed to instantiate: HTTP 404 Not Found' });
    expect(attempts[1].where).toBe('page.html');
    expect(attempts[1].reason).toMatch(/^failed to instantiate: .*magic/);
  });
});

describe('browser backend selection (src/browser/select.ts)', () => {
  it('loads WASM from the source it was given, refuses native, and will not change source once loaded', async () => {
    const select = await import('../../src/browser/select.js');
    expect(() => select.setWasmSource(undefined as never)).toThrow('setWasmSource: expected a URL, bytes, a Response or a WebAssembly.Module, got nothing');
    select.setWasmSource(bytes());
    const backend = await select.loadBackend();
    expect(backend.info()).toEqual({ name: 'wasm', variant: 'wasm-simd128', threads: 1, fallbackReason: null });
    expect(await select.loadBackend({ backend: 'wasm' })).toBe(backend);
    expect(await select.availableBackends()).toEqual([backend]);
    await expect(select.loadBackend({ backend: 'native' })).rejects.toThrow(
      `Could not load the native backend for ${process.platform}-${process.arch} (Node ${process.versions.node}).\n` +
        "  browser: the native addon needs Node.js\nPossible solutions: pass { backend: 'wasm' } (or 'auto') in the browser",
    );
    await expect(select.loadBackend({ backend: 'gpu' as never })).rejects.toThrow("backend must be 'auto', 'native' or 'wasm', got 'gpu'");
    expect(() => select.setWasmSource(bytes())).toThrow('setWasmSource: the WebAssembly backend is already loaded');
  });

  it('names the URL and the fix when the module cannot be fetched, and tries again on the next call', async () => {
    const select = await import('../../src/browser/select.js?fresh' as string) as typeof import('../../src/browser/select.js');
    select.setWasmSource('http://127.0.0.1:9/seqcast.wasm'); // port 9 (discard): connection refused
    const first = await select.loadBackend().then(() => null, (e: Error) => e);
    expect(first?.name).toBe('BackendUnavailableError');
    expect(first?.message).toMatch(/^Could not load the wasm backend for .*\n {2}http:\/\/127\.0\.0\.1:9\/seqcast\.wasm: fetch failed: /);
    expect(first?.message).toContain('Possible solutions: serve seqcast.wasm next to the seqcast bundle with Content-Type application/wasm');
    select.setWasmSource(bytes()); // allowed again: nothing was loaded
    expect((await select.loadBackend()).name).toBe('wasm');
  });
});

describe('the browser build guard (src/browser/build.mjs)', () => {
  it('fails the build on a static import of a Node built-in, naming the importer and the fix', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'seqcast-guard-'));
    writeFileSync(join(dir, 'entry.js'), "import { readFileSync } from 'node:fs';\nexport const read = () => readFileSync('x');\n");
    const failure = await build({
      configFile: false, logLevel: 'silent', root: dir, plugins: [browserOnly()],
      build: { write: false, lib: { entry: join(dir, 'entry.js'), formats: ['es'] } },
    }).then(() => null, (e: Error) => e.message);
    expect(failure).toContain(`${join(dir, 'entry.js')} imports the Node built-in 'node:fs': Node-only code must stay out of the browser build`);
  });

  it('turns a dynamic import of Node-only code into a module that fails with what to use instead', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'seqcast-guard-'));
    writeFileSync(join(dir, 'entry.js'), "export const load = async () => (await import('node:fs/promises')).readFile('x');\n");
    const out = await build({
      configFile: false, logLevel: 'silent', root: dir, plugins: [browserOnly()],
      build: { write: false, minify: false, lib: { entry: join(dir, 'entry.js'), formats: ['es'] }, rolldownOptions: { output: { codeSplitting: false } } },
    });
    const { output } = (Array.isArray(out) ? out[0] : out) as { output: Array<{ type: string; code?: string }> };
    const code = output.map((o) => o.code ?? '').join('\n');
    expect(code).not.toMatch(/["'`]node:/);
    expect(code).toContain('this function reads or writes files (it imports fs/promises), which needs Node.js; in the browser pass bytes instead');
  });
});
