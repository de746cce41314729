// The matrix products under every kernel, against plain float64 loops: odd sizes hit the SIMD tails,
// leading dimensions wider than the rows check strided access, and C is accumulated into (+=).
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/random.js';
import { closeness } from '../helpers/close.js';
import { testBackends } from '../helpers/backends.js';
import { randomValues } from '../helpers/random.js';

const SIZES = [
  { M: 1, N: 1, K: 1 },
  { M: 7, N: 13, K: 5 },
  { M: 33, N: 65, K: 17 },
  { M: 64, N: 128, K: 96 },
  { M: 6, N: 31, K: 300 },
];

function reference(kind: 'nn' | 'tn', C: Float64Array, A: Float64Array, B: Float64Array, M: number, N: number, K: number,
  ldc: number, lda: number, ldb: number): Float64Array {
  const out = Float64Array.from(C);
  for (let m = 0; m < M; m++)
    for (let n = 0; n < N; n++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += (kind === 'nn' ? A[m * lda + k] : A[k * lda + m]) * B[k * ldb + n];
      out[m * ldc + n] += s;
    }
  return out;
}

const backends = await testBackends();
describe.each(backends.map((b) => ({ name: b.info().name, backend: b })))('gemm on $name', ({ backend }) => {
  for (const kind of ['nn', 'tn'] as const) {
    it.each(SIZES)(`gemm_${kind} accumulates A·B for %o`, ({ M, N, K }) => {
      const rng = new Rng(M * 1000 + N * 10 + K);
      const ldc = N + 3;
      const lda = (kind === 'nn' ? K : M) + 2;
      const ldb = N + 1;
      const rowsA = kind === 'nn' ? M : K;
      const Cd = randomValues(rng, M * ldc);
      const Ad = randomValues(rng, rowsA * lda);
      const Bd = randomValues(rng, K * ldb);
      const C = backend.alloc(Cd.length);
      const A = backend.alloc(Ad.length);
      const B = backend.alloc(Bd.length);
      C.array.set(Cd);
      A.array.set(Ad);
      B.array.set(Bd);
      const args = { C, A, B, M, N, K, ldc, lda, ldb };
      if (kind === 'nn') backend.gemm_nn(args);
      else backend.gemm_tn(args);
      const want = reference(kind, Cd, Ad, Bd, M, N, K, ldc, lda, ldb);
      const r = closeness(C.array, want, { atol: 1e-5 * Math.sqrt(K), rtol: 1e-5 }, `gemm_${kind} C`, [M, ldc]);
      for (const b of [C, A, B]) backend.free(b);
      expect(r.ok, r.message).toBe(true);
    });
  }
});
