// Builds the browser bundle: dist/browser/seqcast.js (an ES module for bundlers and <script
// type="module"> alike), its training worker and seqcast.wasm next to it. Three Node-only seams are
// swapped for their browser twins (node file -> src/browser file), and any other static import of a
// Node built-in fails the build, so no Node API or polyfill can slip into the browser graph. A
// dynamic import() of Node-only code (inside methods documented as Node only, such as
// Forecaster.save/load) becomes a module that fails with a message saying what to use instead.
//   node src/browser/build.mjs [outDir]      (default dist/browser)
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = fileURLToPath(new URL('../..', import.meta.url));
const at = (p) => fileURLToPath(new URL(`../../${p}`, import.meta.url));

/** The only files whose Node and browser versions differ. */
export const BROWSER_TWINS = {
  [at('src/backend/select.ts')]: at('src/browser/select.ts'),
  [at('src/train/fit-thread.ts')]: at('src/browser/fit-thread.ts'),
  [at('src/persist/version.ts')]: at('src/browser/version.ts'),
};

/**
 * Dependencies whose default build assumes Node, mapped to the browser build their maintainers ship.
 * csv-parse's main build uses the global Buffer; its browser build carries its own Buffer code.
 */
export const DEPENDENCY_BROWSER_BUILDS = { 'csv-parse/sync': 'csv-parse/browser/esm/sync' };

const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** Node-only modules that portable code reaches only by dynamic import(), from Node-only methods. */
const NODE_ONLY_DYNAMIC = new Set([at('src/persist/files.ts')]);
const NODE_ONLY_PREFIX = '\0seqcast-node-only:';

/** Swaps in the browser twins and refuses Node built-ins, naming the file that imported one. */
export function browserOnly() {
  return {
    name: 'seqcast-browser-only',
    enforce: 'pre',
    async resolveId(source, importer, options) {
      const builtin = NODE_BUILTINS.has(source) || NODE_BUILTINS.has(source.split('/')[0]);
      if (builtin && options?.kind === 'dynamic-import') return NODE_ONLY_PREFIX + source;
      if (builtin)
        this.error(`${importer ?? 'entry'} imports the Node built-in '${source}': Node-only code must stay out of the browser build ` +
          '(move it to a Node-only module, or give that module a browser twin in src/browser/build.mjs)');
      const wanted = DEPENDENCY_BROWSER_BUILDS[source] ?? source;
      const resolved = await this.resolve(wanted, importer, { ...options, skipSelf: true });
      if (resolved && options?.kind === 'dynamic-import' && NODE_ONLY_DYNAMIC.has(resolved.id)) return NODE_ONLY_PREFIX + source;
      const twin = resolved && BROWSER_TWINS[resolved.id];
      return twin ? { id: twin } : resolved;
    },
    load(id) {
      if (!id.startsWith(NODE_ONLY_PREFIX)) return null;
      const what = JSON.stringify(id.slice(NODE_ONLY_PREFIX.length).replace(/^node:/, ''));
      return `throw new Error("seqcast: this function reads or writes files (it imports " + ${what} + "), which needs Node.js; ` +
        `in the browser pass bytes instead: toBytes()/fromBytes(), serializeModel()/loadModel(url | Response | File)");`;
    },
  };
}

export const packageVersion = JSON.parse(readFileSync(at('package.json'), 'utf8')).version;

/** Vite settings shared by the library build and the demo (which builds from the sources). */
export const browserViteConfig = {
  configFile: false,
  define: { __SEQCAST_VERSION__: JSON.stringify(packageVersion) },
  plugins: [browserOnly()],
  worker: { format: 'es', plugins: () => [browserOnly()] },
};

/**
 * Library builds keep `new URL('./x', import.meta.url)` and `new Worker(new URL(...))` exactly as
 * written: the application's bundler must see them to emit seqcast.wasm and the worker, and Vite
 * would otherwise rewrite them to `'' + import.meta.url`, which no bundler recognizes.
 */
function keepRuntimeUrls() {
  const rewriters = new Set(['vite:asset-import-meta-url', 'vite:worker-import-meta-url']);
  return {
    name: 'seqcast-keep-runtime-urls',
    configResolved(config) {
      for (let i = config.plugins.length - 1; i >= 0; i--) if (rewriters.has(config.plugins[i].name)) config.plugins.splice(i, 1);
    },
  };
}

/** One self-contained ES module (plus its source map) from one entry. */
async function buildLibrary(entry, fileName, outDir) {
  await build({
    ...browserViteConfig,
    plugins: [browserOnly(), keepRuntimeUrls()],
    root,
    logLevel: 'warn',
    build: {
      outDir,
      emptyOutDir: false,
      target: 'es2022',
      sourcemap: true,
      minify: true,
      lib: { entry, formats: ['es'], fileName: () => fileName },
      rolldownOptions: { output: { codeSplitting: false, minify: true } },
    },
  });
}

/**
 * dist/browser/: seqcast.js (the entry), seqcast-worker.js (fit()'s Web Worker, started by
 * seqcast.js from next to itself) and seqcast.wasm (fetched by seqcast.js from next to itself).
 */
export async function buildBrowserBundle(outDir = at('dist/browser')) {
  const wasm = at('build/wasm/seqcast.wasm');
  if (!existsSync(wasm)) throw new Error(`${wasm} is missing: run \`npm run build:wasm\` first`);
  await buildLibrary(at('src/browser/index.ts'), 'seqcast.js', outDir);
  await buildLibrary(at('src/browser/fit-web-worker.ts'), 'seqcast-worker.js', outDir);
  // Copied, not imported: library mode would inline it as base64 (a third larger, compiled only
  // after the whole string is decoded).
  copyFileSync(wasm, `${outDir}/seqcast.wasm`);
  return outDir;
}

/** The files buildBrowserBundle() writes that a page loads (source maps aside). */
export const BUNDLE_FILES = ['seqcast.js', 'seqcast-worker.js', 'seqcast.wasm'];

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = await buildBrowserBundle(process.argv[2]);
  console.log(`browser bundle written to ${out}`);
}
