// The layout copies against plain index arithmetic, for row widths on both sides of the short-row
// threshold (float-by-float copies below it, cached row views above), and the row-view cache under
// the two ways it could serve stale rows: the same array refilled between calls, and WASM memory
// growing (which detaches every view of the old memory).
import { describe, expect, it } from 'vitest';
import {
  convertLayout, deinterleaveDirection, gatherRows, interleaveDirection, reverseRowMap, scatterAddRows,
} from '../../src/model/time-layout.js';
import { Recurrent } from '../../src/model/recurrent.js';
import { Rng } from '../../src/random.js';
import { testBackends } from '../helpers/backends.js';

const backends = await testBackends();

function randomArray(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => rng.uniform(-1, 1));
}

/** convertLayout by its definition, one float at a time. */
function reference(tm: Float32Array, bf: Float32Array, B: number, T: number, W: number, toBatch: boolean, lengths: Int32Array | null): void {
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++)
      for (let k = 0; k < W; k++) {
        const ti = (t * B + b) * W + k;
        const bi = (b * T + t) * W + k;
        const pad = lengths !== null && t >= lengths[b];
        if (toBatch) bf[bi] = pad ? 0 : tm[ti];
        else tm[ti] = pad ? 0 : bf[bi];
      }
}

const WIDTHS = [1, 3, 15, 16, 17, 32, 33, 64];

describe('convertLayout', () => {
  it.each(WIDTHS)('W=%i: both directions equal the index arithmetic, with and without lengths', (W) => {
    const B = 3, T = 5;
    for (const lengths of [null, Int32Array.from([5, 2, 1])]) {
      const bf = randomArray(B * T * W, W);
      const tm = randomArray(B * T * W, W + 1);
      const want = tm.slice();
      const got = tm.slice();
      reference(want, bf, B, T, W, false, lengths);
      convertLayout(got, bf, B, T, W, false, lengths);
      expect(got).toEqual(want);

      const back = randomArray(B * T * W, W + 2);
      const wantBack = back.slice();
      reference(got, wantBack, B, T, W, true, lengths);
      convertLayout(got, back, B, T, W, true, lengths);
      expect(back).toEqual(wantBack);
    }
  });

  it('copies what the arrays hold now: refilling the same source between calls changes the result', () => {
    const B = 2, T = 3, W = 32;
    const tm = new Float32Array(B * T * W);
    const bf = new Float32Array(B * T * W);
    for (const seed of [1, 2, 3]) {
      tm.set(randomArray(tm.length, seed));
      convertLayout(tm, bf, B, T, W, true);
      const want = new Float32Array(bf.length);
      reference(tm, want, B, T, W, true, null);
      expect(bf).toEqual(want);
    }
  });

  it('one array read at two row widths gives each width its own rows', () => {
    const src = randomArray(4 * 3 * 32, 7);
    for (const W of [32, 16, 32]) {
      const B = 4, T = (src.length / W) / 4;
      const got = new Float32Array(src.length);
      const want = new Float32Array(src.length);
      convertLayout(src, got, B, T, W, true);
      reference(src, want, B, T, W, true, null);
      expect(got).toEqual(want);
    }
  });
});

describe('direction helpers', () => {
  it.each([3, 16, 20])('H=%i: gather, interleave and their inverses move the rows the map names', (H) => {
    const T = 4, B = 3;
    const lengths = Int32Array.from([4, 1, 3]);
    const map = reverseRowMap(T, B, lengths);
    const src = randomArray(T * B * H, H);
    const gathered = new Float32Array(src.length);
    gatherRows(gathered, src, map, H);
    for (let r = 0; r < T * B; r++) expect(gathered.subarray(r * H, r * H + H)).toEqual(src.subarray(map[r] * H, map[r] * H + H));

    const out = new Float32Array(T * B * 2 * H);
    interleaveDirection(out, src, null, H, 0);
    interleaveDirection(out, gathered, map, H, 1);
    for (let r = 0; r < T * B; r++) {
      expect(out.subarray(r * 2 * H, r * 2 * H + H)).toEqual(src.subarray(r * H, r * H + H));
      // the reverse half of row r holds gathered row map[r], which is src row r (the map is its own inverse)
      expect(out.subarray(r * 2 * H + H, (r + 1) * 2 * H)).toEqual(src.subarray(r * H, r * H + H));
    }

    const back0 = new Float32Array(src.length);
    const back1 = new Float32Array(src.length);
    deinterleaveDirection(back0, out, null, H, 0);
    deinterleaveDirection(back1, out, map, H, 1);
    expect(back0).toEqual(src);
    expect(back1).toEqual(gathered);

    const acc = src.slice();
    scatterAddRows(acc, gathered, map, H);
    for (let i = 0; i < acc.length; i++) expect(acc[i]).toBe(Math.fround(src[i] + src[i]));
  });
});

describe.each(backends.map((b) => ({ name: b.info().name, backend: b })))('row views on $name', ({ backend }) => {
  it('a layer gives the same outputs and gradients after its memory was reallocated or grown', () => {
    const cfg = { cell: 'gru' as const, inputSize: 2, hiddenSize: 32, numLayers: 2, bidirectional: true, seed: 5 };
    const B = 3, T = 6;
    const x = randomArray(B * T * 2, 1);
    const dOutput = randomArray(B * T * 64, 2);
    const opts = { batchSize: B, seqLen: T, lengths: [6, 3, 1] };
    const layer = new Recurrent(cfg, backend);
    const first = layer.forward(x, opts).output.slice();
    const firstDx = layer.backward({ dOutput }).dx.slice();
    // A large allocation grows WASM memory, detaching every view of the old memory (native: no-op).
    const big = backend.alloc(8 << 20);
    const again = layer.forward(x, opts).output;
    const againDx = layer.backward({ dOutput }).dx;
    expect(again).toEqual(first);
    expect(againDx).toEqual(firstDx);
    // A new shape re-plans the workspace; coming back must not reuse the old shape's views.
    layer.forward(randomArray(2 * 4 * 2, 3), { batchSize: 2, seqLen: 4 });
    expect(layer.forward(x, opts).output).toEqual(first);
    expect(layer.backward({ dOutput }).dx).toEqual(firstDx);
    backend.free(big);
    layer.dispose();
  });
});

describe.each(backends.filter((b) => b.convertLayout).map((b) => ({ name: b.info().name, backend: b })))(
  "the backend's own layout copy on $name",
  ({ backend }) => {
    it.each([1, 3, 16, 33, 128])('matches the definition for rows of %i floats, both ways, with and without lengths', (W) => {
      const B = 5, T = 7;
      for (const lengths of [null, Int32Array.from([7, 1, 4, 7, 2])]) {
        const tm = randomArray(T * B * W, W);
        const bf = randomArray(T * B * W, W + 1);
        const [wantTm, wantBf] = [tm.slice(), bf.slice()];
        reference(tm, wantBf, B, T, W, true, lengths);
        backend.convertLayout!(tm, bf, B, T, W, true, lengths);
        expect(bf).toEqual(wantBf);
        bf.set(randomArray(T * B * W, W + 2));
        reference(wantTm, bf, B, T, W, false, lengths);
        backend.convertLayout!(tm, bf, B, T, W, false, lengths);
        expect(tm).toEqual(wantTm);
      }
    });

    it('refuses arrays of the wrong size and lengths out of range', () => {
      const tm = new Float32Array(2 * 3 * 4);
      expect(() => backend.convertLayout!(tm, new Float32Array(23), 2, 3, 4, true, null)).toThrow(/bf must have B\*T\*W = 24 elements/);
      expect(() => backend.convertLayout!(tm, new Float32Array(24), 2, 3, 4, true, Int32Array.from([3, 4]))).toThrow(/lengths\[1\] must be in \[1, T=3\]/);
    });
  },
);
