// End to end in a real browser (`npm run test:browser`): builds the browser bundle and the demo page
// with Vite, serves them, drives headless Chromium (Debian's package, through playwright-core; no
// browser download) and compares every number with the same run in Node on the WASM backend:
//   - a model file saved in Node predicts identically in the browser (bundled demo and plain module);
//   - a Forecaster saved in Node forecasts identically in the browser;
//   - the same seeded training in a Web Worker ends close to Node's worker thread (in practice equal);
//   - fit() cancels in the browser, with and without cross-origin isolation;
//   - no Node module or polyfill is in the bundles.
// CHROMIUM_PATH overrides /usr/bin/chromium; SEQCAST_SCREENSHOT the screenshot path.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as seqcast from '../../src/index.js';
import { buildBrowserBundle, BUNDLE_FILES } from '../../src/browser/build.mjs';
import { DEFAULT_RECIPE, trainAndForecast, type RecipeOptions } from '../../examples/browser/recipe.js';
import { serveStatic, type StaticServer } from './static-server.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// Outputs stay out of dist/, which npm publishes: test/browser/dist and examples/browser/dist are ignored by git.
const SCREENSHOT = process.env.SEQCAST_SCREENSHOT ?? join(root, 'test/browser/dist/demo-after-training.png');
const bundleDir = join(root, 'dist/browser');
const demoDir = join(root, 'examples/browser/dist');
const fixturesDir = join(root, 'test/browser/dist/fixtures');
const AIR = readFileSync(join(root, 'examples/browser/public/air_passengers.csv'), 'utf8');
// Small enough for a quick test, long enough for the two runs to have room to drift apart.
const RECIPE: RecipeOptions = { ...DEFAULT_RECIPE, epochs: 15, hiddenSize: 12, seed: 3 };
const FORECASTER = { horizon: 12, season: 12, epochs: 4, ensemble: 2, hiddenSize: 8, seed: 1 };
const airValues = Array.from(seqcast.readCsv(AIR, { source: 'air_passengers.csv' }).values[0]);

let browser: Browser;
let server: StaticServer;
let nodeModelInput: { x: number[]; seqLen: number; expected: number[][] };
let nodeForecast: number[];

/** The largest |a - b| relative to max(|b|, 1e-3), and whether every value is bitwise equal. */
function compare(a: number[], b: number[]): { maxRel: number; identical: boolean } {
  expect(a.length).toBe(b.length);
  let maxRel = 0;
  for (let i = 0; i < a.length; i++) maxRel = Math.max(maxRel, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), 1e-3));
  return { maxRel, identical: a.every((v, i) => Object.is(v, b[i])) };
}

async function openPage(path: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1000, height: 620 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(`${server.url}${path}`);
  (page as Page & { errors: string[] }).errors = errors;
  return page;
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `Chromium not found at ${CHROMIUM}. Install Debian's package (\`sudo apt-get install -y chromium\`) ` +
        'or set CHROMIUM_PATH to a Chromium/Chrome binary; this test never downloads a browser.',
    );
  await buildBrowserBundle(bundleDir);
  await build({ configFile: join(root, 'examples/browser/vite.config.mjs'), logLevel: 'warn' });

  // Node side, on the WASM backend: a model file and a forecaster file, and what they predict here.
  mkdirSync(fixturesDir, { recursive: true });
  const trained = await trainAndForecast(seqcast, AIR, 'air_passengers.csv', { ...RECIPE, epochs: 5 });
  writeFileSync(join(fixturesDir, 'model.seqcast'), seqcast.serializeModel(trained.model, { pipeline: trained.pipeline }));
  const data = trained.pipeline.prepare(seqcast.readCsv(AIR, { source: 'air_passengers.csv' }));
  const windows = 20;
  const x = Array.from(data.train.x.subarray(0, windows * data.train.seqLen));
  nodeModelInput = { x, seqLen: data.train.seqLen, expected: trained.model.predict(Float32Array.from(x), { batchSize: windows, seqLen: data.train.seqLen }).map((a) => Array.from(a)) };
  trained.model.dispose();
  const forecaster = new seqcast.Forecaster(FORECASTER, { backend: 'wasm' });
  await forecaster.fit(airValues);
  writeFileSync(join(fixturesDir, 'forecaster.seqcast'), forecaster.toBytes());
  nodeForecast = Array.from(forecaster.forecast());
  forecaster.dispose();

  const plain = `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>plain module</title>
<script type="module">import * as seqcast from '/bundle/seqcast.js'; window.seqcast = seqcast; document.title = 'ready';</script>`;
  server = await serveStatic({ '/bundle/': bundleDir, '/fixtures/': fixturesDir, '/': demoDir }, { '/plain.html': plain });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('the demo page (built by Vite against seqcast/browser)', () => {
  it('trains in a Web Worker as Node does, draws the loss curve and the forecast band', async () => {
    const page = await openPage('/index.html');
    expect(await page.evaluate(() => window.seqcastDemo.ready)).toBe('wasm-simd128');
    const browserRun = await page.evaluate((opts) => window.seqcastDemo.run('air_passengers.csv', opts), RECIPE);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    console.log(`screenshot of the demo after training: ${SCREENSHOT}`);

    const nodeRun = await trainAndForecast(seqcast, AIR, 'air_passengers.csv', RECIPE);
    nodeRun.model.dispose();
    expect(browserRun.crossOriginIsolated).toBe(true);
    expect(browserRun.loss.length).toBeGreaterThan(1);
    expect(browserRun.loss).toHaveLength(nodeRun.fit.history.loss.length); // early stopping chose the same epoch
    const loss = compare(browserRun.loss, nodeRun.fit.history.loss);
    const raw = compare(browserRun.raw, nodeRun.raw);
    const mean = compare(browserRun.mean, nodeRun.forecast.mean);
    console.log(`seeded training, browser vs Node (WASM): loss max rel diff ${loss.maxRel} (identical: ${loss.identical}), ` +
      `forecast max rel diff ${mean.maxRel} (identical: ${mean.identical})`);
    expect(loss.maxRel).toBeLessThan(1e-5);
    expect(raw.maxRel).toBeLessThan(1e-4);
    expect(mean.maxRel).toBeLessThan(1e-4);
    for (let i = 0; i < RECIPE.horizon; i++) {
      expect(browserRun.lower[i]).toBeLessThanOrEqual(browserRun.mean[i]);
      expect(browserRun.upper[i]).toBeGreaterThanOrEqual(browserRun.mean[i]);
    }

    // What the screenshot shows: one loss polyline per curve, one point per epoch, and the band.
    const drawn = await page.evaluate(() => ({
      lossLines: Array.from(document.querySelectorAll('#loss polyline')).map((p) => p.getAttribute('points')!.split(' ').length),
      band: document.querySelectorAll('#forecast polygon').length,
      status: document.getElementById('status')!.textContent,
    }));
    expect(drawn.lossLines).toEqual([browserRun.loss.length, browserRun.valLoss.length]);
    expect(drawn.band).toBe(1);
    expect(drawn.status).toContain(`trained ${browserRun.loss.length} epochs`);
    expect((page as Page & { errors: string[] }).errors).toEqual([]);
    await page.close();
  });

  it('trains on a CSV chosen with the file input, and names the line of a bad cell in the status', async () => {
    const page = await openPage('/index.html');
    await page.evaluate(() => window.seqcastDemo.ready);
    await page.setInputFiles('#file', join(root, 'examples/browser/public/nottem.csv'));
    await page.waitForFunction(() => document.getElementById('status')!.textContent!.startsWith('nottem.csv loaded'));
    await page.fill('#epochs', '3');
    await page.click('#train');
    await page.waitForFunction(() => /Done\.$|error/.test(document.getElementById('status')!.textContent! + document.getElementById('status')!.className));
    expect(await page.textContent('#status')).toMatch(/^nottem\.csv: trained \d+ epochs in [\d.]+ s on wasm-simd128; best validation loss/);

    await page.setInputFiles('#file', { name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('date,value\n2000-01-01,1\n2000-02-01,abc\n') });
    await page.waitForFunction(() => document.getElementById('status')!.textContent!.startsWith('bad.csv loaded'));
    await page.click('#train');
    await page.waitForFunction(() => document.getElementById('status')!.className === 'error');
    const status = await page.textContent('#status');
    console.log(`the demo on a bad CSV: ${status}`);
    expect(status).toMatch(/^bad\.csv: .*line 3/);
    expect((page as Page & { errors: string[] }).errors).toEqual([]);
    await page.close();
  });

  it('predicts with a model file saved by Node exactly as Node does', async () => {
    const page = await openPage('/index.html');
    await page.evaluate(() => window.seqcastDemo.ready);
    const got = await page.evaluate(({ x, seqLen }) => window.seqcastDemo.predictWithModelFile('/fixtures/model.seqcast', x, seqLen), nodeModelInput);
    expect(got).toEqual(nodeModelInput.expected);
    await page.close();
  });

  it('forecasts with a Forecaster saved by Node exactly as Node does', async () => {
    const page = await openPage('/index.html');
    await page.evaluate(() => window.seqcastDemo.ready);
    expect(await page.evaluate(() => window.seqcastDemo.forecastWithForecasterFile('/fixtures/forecaster.seqcast'))).toEqual(nodeForecast);
    await page.close();
  });
});

describe('the bundle as a plain ES module (no bundler)', () => {
  type Plain = Window & { seqcast: typeof import('../../src/browser/index.js') };

  it('loads a model file by URL and predicts exactly as Node does', async () => {
    const page = await openPage('/plain.html');
    await page.waitForFunction(() => document.title === 'ready');
    const got = await page.evaluate(async ({ x, seqLen }) => {
      const { model } = await (window as unknown as Plain).seqcast.loadModel('/fixtures/model.seqcast');
      return model.predict(Float32Array.from(x), { batchSize: x.length / seqLen, seqLen }).map((a) => Array.from(a));
    }, nodeModelInput);
    expect(got).toEqual(nodeModelInput.expected);
    // The same file as a File object, as <input type="file"> or drag and drop give it.
    const fromFile = await page.evaluate(async ({ x, seqLen }) => {
      const bytes = await (await fetch('/fixtures/model.seqcast')).arrayBuffer();
      const { model } = await (window as unknown as Plain).seqcast.loadModel(new File([bytes], 'model.seqcast'));
      return model.predict(Float32Array.from(x), { batchSize: x.length / seqLen, seqLen }).map((a) => Array.from(a));
    }, nodeModelInput);
    expect(fromFile).toEqual(nodeModelInput.expected);
    const missing = await page.evaluate(() =>
      (window as unknown as Plain).seqcast.loadModel('/fixtures/nothing.seqcast').then(() => 'loaded', (e: Error) => e.message));
    expect(missing).toBe(`loadModel: ${server.url}/fixtures/nothing.seqcast answered HTTP 404; check the address of the model file`);
    await page.close();
  });

  it('trains a Forecaster (one Web Worker per ensemble member) to the forecast Node trains', async () => {
    const page = await openPage('/plain.html');
    await page.waitForFunction(() => document.title === 'ready');
    const got = await page.evaluate(async ({ options, values }) => {
      const forecaster = new (window as unknown as Plain).seqcast.Forecaster(options);
      await forecaster.fit(values);
      return Array.from(forecaster.forecast());
    }, { options: FORECASTER, values: airValues });
    const { maxRel } = compare(got, nodeForecast);
    expect(maxRel).toBeLessThan(1e-5);
    await page.close();
  });

  it("refuses the native backend with the browser's reason and fix", async () => {
    const page = await openPage('/plain.html');
    await page.waitForFunction(() => document.title === 'ready');
    const message = await page.evaluate(() =>
      (window as unknown as Plain).seqcast.loadBackend({ backend: 'native' }).then(() => 'loaded', (e: Error) => `${e.name}: ${e.message}`));
    expect(message).toBe(
      "BackendUnavailableError: Could not load the native backend for this browser.\n  browser: the native addon needs Node.js\nPossible solutions: pass { backend: 'wasm' } (or 'auto') in the browser",
    );
    await page.close();
  });

  for (const isolated of [true, false])
    it(`fit() reports progress and cancels by AbortSignal (${isolated ? 'cross-origin isolated' : 'no SharedArrayBuffer'})`, async () => {
      const page = await openPage(`/plain.html${isolated ? '' : '?isolated=0'}`);
      await page.waitForFunction(() => document.title === 'ready');
      const r = await page.evaluate(async () => {
        const { SequenceModel } = (window as unknown as Plain).seqcast;
        const model = await SequenceModel.create({ cell: 'gru', inputSize: 1, hiddenSize: 8, seed: 5 });
        const count = 256;
        const seqLen = 16;
        const x = Float32Array.from({ length: count * seqLen }, (_, i) => Math.sin(i / 7));
        const targets = Float32Array.from({ length: count }, (_, n) => Math.sin((n * seqLen + seqLen) / 7));
        const before = Array.from(model.params.array);
        const controller = new AbortController();
        let events = 0;
        const outcome = await model
          .fit({ x, targets, count, seqLen }, {
            epochs: 10_000,
            batchSize: 8,
            signal: controller.signal,
            onProgress: () => {
              if (++events === 5) controller.abort(new Error('stopped by the test'));
            },
          })
          .then(() => 'resolved', (e: Error) => e.message);
        const after = Array.from(model.params.array);
        const [prediction] = model.predict(x.subarray(0, seqLen), { batchSize: 1, seqLen });
        return { outcome, events, changed: after.some((v, i) => v !== before[i]), prediction: prediction[0], isolated: crossOriginIsolated };
      });
      expect(r.isolated).toBe(isolated);
      expect(r.outcome).toBe('stopped by the test');
      expect(r.events).toBeGreaterThanOrEqual(5);
      expect(Number.isFinite(r.prediction)).toBe(true);
      // Isolated: the loop stops after the current batch and the model keeps what it learned, as in
      // Node. Without SharedArrayBuffer the worker is ended and the model keeps its weights from before fit().
      expect(r.changed).toBe(isolated);
      await page.close();
    });
});

describe('the browser bundles', () => {
  it('hold no Node module, no Node polyfill and no Node global', () => {
    const files = [
      ...BUNDLE_FILES.filter((f) => f.endsWith('.js')).map((f) => join(bundleDir, f)),
      ...readdirSync(join(demoDir, 'assets')).filter((f) => f.endsWith('.js')).map((f) => join(demoDir, 'assets', f)),
    ];
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const hits = [
        /\b(?:from|import)\s*\(?\s*["'`]node:/.exec(text),
        /\brequire\s*\(/.exec(text),
        /__vite-browser-external/.exec(text),
        /\bprocess\.(?:env|platform|versions|emitWarning|execArgv)\b/.exec(text),
      ].filter((m) => m !== null);
      expect(hits.map((m) => `${file}: ...${text.slice(Math.max(0, m!.index - 60), m!.index + 40)}...`)).toEqual([]);
    }
    expect(dirname(files[0])).toBe(bundleDir);
  });
});
