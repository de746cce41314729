// The compiled package (dist/, what `npm install` users import) trains through its worker thread too:
// the tests run the TypeScript sources, whose worker is bootstrapped differently.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const DIST = fileURLToPath(new URL('../../dist/index.js', import.meta.url));

describe('compiled package', () => {
  it('fits a model from dist/ in a worker thread', () => {
    expect(existsSync(DIST), `${DIST} is missing: run npm run build:ts`).toBe(true);
    const script = `
      const { SequenceModel } = await import(${JSON.stringify(new URL('../../dist/index.js', import.meta.url).href)});
      const m = await SequenceModel.create({ cell: 'gru', inputSize: 1, hiddenSize: 8, seed: 1 });
      const x = new Float32Array(64 * 8).map((_, i) => Math.sin(i / 5));
      const y = new Float32Array(64).map((_, i) => Math.sin(i));
      const r = await m.fit({ x, targets: y, count: 64, seqLen: 8 }, { epochs: 2 });
      console.log(JSON.stringify({ epochs: r.epochs, finite: r.history.loss.every(Number.isFinite) }));
      m.dispose();`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim())).toEqual({ epochs: 2, finite: true });
  });
});
