// Row-major single-precision GEMM with v128 register tiles. Mirrors gemm_nn / gemm_tn in
// native/kernels/*.cpp (same contract, see native/include/seqcast/kernels.h):
//   gemm_nn: C (M,N) += A (M,K) * B (K,N)
//   gemm_tn: C (M,N) += A^T * B with A (K,M), B (K,N)
// Leading dimensions ldc/lda/ldb are in floats. Any M, N, K >= 0 works (<= 0 is a no-op).
//
// Blocking: K in chunks of KC so a B panel (KC x 8 floats, one or two cache lines per row) stays in
// L1 while it is reused by every 4-row tile of an MC-row block of A (MC x KC floats, L2-resident).
// Register tile: 4 rows x 8 columns = 8 v128 accumulators + 2 B vectors + 1 broadcast, which fits the
// 16 xmm registers V8 allocates on x64 without spills (a 4 x 16 tile does not). Each k step issues
// 2 vector loads of B, 4 broadcast loads of A and 8 mul + 8 add. Tails: a 4-column v128 tile, then
// scalar columns; rows one at a time. Accumulators start at 0 and are added to C once per KC block,
// so the summation order (and the result) depends only on the shapes, never on the data.
import { f4, hsum } from "./simd";

const KC: i32 = 256;
const MC: i32 = 64;

// ---------------------------------------------------------------------------------------------
// A (M,K) row-major: element (m, k) at a + m*lda + 4k (byte strides below).

// @ts-ignore: decorator
@inline function nn_4x8(c: usize, ldc: usize, a: usize, lda: usize, b: usize, ldb: usize, kc: i32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let a0 = a, a1 = a + lda, a2 = a + 2 * lda, a3 = a + 3 * lda, pb = b;
  // Not unrolled on purpose: a 4x unrolled body measured ~30% slower under V8 (more live values).
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    let s = v128.load32_splat(a0);
    c00 = f32x4.add(c00, f32x4.mul(s, b0)); c01 = f32x4.add(c01, f32x4.mul(s, b1));
    s = v128.load32_splat(a1);
    c10 = f32x4.add(c10, f32x4.mul(s, b0)); c11 = f32x4.add(c11, f32x4.mul(s, b1));
    s = v128.load32_splat(a2);
    c20 = f32x4.add(c20, f32x4.mul(s, b0)); c21 = f32x4.add(c21, f32x4.mul(s, b1));
    s = v128.load32_splat(a3);
    c30 = f32x4.add(c30, f32x4.mul(s, b0)); c31 = f32x4.add(c31, f32x4.mul(s, b1));
    a0 += 4; a1 += 4; a2 += 4; a3 += 4; pb += ldb;
  }
  let pc = c;
  v128.store(pc, f32x4.add(v128.load(pc), c00)); v128.store(pc, f32x4.add(v128.load(pc, 16), c01), 16);
  pc += ldc;
  v128.store(pc, f32x4.add(v128.load(pc), c10)); v128.store(pc, f32x4.add(v128.load(pc, 16), c11), 16);
  pc += ldc;
  v128.store(pc, f32x4.add(v128.load(pc), c20)); v128.store(pc, f32x4.add(v128.load(pc, 16), c21), 16);
  pc += ldc;
  v128.store(pc, f32x4.add(v128.load(pc), c30)); v128.store(pc, f32x4.add(v128.load(pc, 16), c31), 16);
}

// @ts-ignore: decorator
@inline function nn_1x8(c: usize, a: usize, b: usize, ldb: usize, kc: i32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let a0 = a, pb = b;
  for (let k = 0; k < kc; k++) {
    const s = v128.load32_splat(a0);
    c00 = f32x4.add(c00, f32x4.mul(s, v128.load(pb)));
    c01 = f32x4.add(c01, f32x4.mul(s, v128.load(pb, 16)));
    a0 += 4; pb += ldb;
  }
  v128.store(c, f32x4.add(v128.load(c), c00)); v128.store(c, f32x4.add(v128.load(c, 16), c01), 16);
}

// @ts-ignore: decorator
@inline function nn_4x4(c: usize, ldc: usize, a: usize, lda: usize, b: usize, ldb: usize, kc: i32): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  let a0 = a, a1 = a + lda, a2 = a + 2 * lda, a3 = a + 3 * lda, pb = b;
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(pb);
    c0 = f32x4.add(c0, f32x4.mul(v128.load32_splat(a0), b0));
    c1 = f32x4.add(c1, f32x4.mul(v128.load32_splat(a1), b0));
    c2 = f32x4.add(c2, f32x4.mul(v128.load32_splat(a2), b0));
    c3 = f32x4.add(c3, f32x4.mul(v128.load32_splat(a3), b0));
    a0 += 4; a1 += 4; a2 += 4; a3 += 4; pb += ldb;
  }
  let pc = c;
  v128.store(pc, f32x4.add(v128.load(pc), c0)); pc += ldc;
  v128.store(pc, f32x4.add(v128.load(pc), c1)); pc += ldc;
  v128.store(pc, f32x4.add(v128.load(pc), c2)); pc += ldc;
  v128.store(pc, f32x4.add(v128.load(pc), c3));
}

// @ts-ignore: decorator
@inline function nn_1x4(c: usize, a: usize, b: usize, ldb: usize, kc: i32): void {
  let c0 = f32x4.splat(0);
  let a0 = a, pb = b;
  for (let k = 0; k < kc; k++) {
    c0 = f32x4.add(c0, f32x4.mul(v128.load32_splat(a0), v128.load(pb)));
    a0 += 4; pb += ldb;
  }
  v128.store(c, f32x4.add(v128.load(c), c0));
}

// One column of C (N tail): four independent scalar dot products of A rows with a B column.
// @ts-ignore: decorator
@inline function nn_4x1(c: usize, ldc: usize, a: usize, lda: usize, b: usize, ldb: usize, kc: i32): void {
  let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
  let a0 = a, a1 = a + lda, a2 = a + 2 * lda, a3 = a + 3 * lda, pb = b;
  for (let k = 0; k < kc; k++) {
    const bk = load<f32>(pb);
    s0 += load<f32>(a0) * bk; s1 += load<f32>(a1) * bk;
    s2 += load<f32>(a2) * bk; s3 += load<f32>(a3) * bk;
    a0 += 4; a1 += 4; a2 += 4; a3 += 4; pb += ldb;
  }
  store<f32>(c, load<f32>(c) + s0);
  store<f32>(c + ldc, load<f32>(c + ldc) + s1);
  store<f32>(c + 2 * ldc, load<f32>(c + 2 * ldc) + s2);
  store<f32>(c + 3 * ldc, load<f32>(c + 3 * ldc) + s3);
}

// @ts-ignore: decorator
@inline function nn_1x1(c: usize, a: usize, b: usize, ldb: usize, kc: i32): void {
  let s: f32 = 0;
  let a0 = a, pb = b;
  for (let k = 0; k < kc; k++) {
    s += load<f32>(a0) * load<f32>(pb);
    a0 += 4; pb += ldb;
  }
  store<f32>(c, load<f32>(c) + s);
}

function block_nn(c: usize, ldc: usize, a: usize, lda: usize, b: usize, ldb: usize,
                  mc: i32, n: i32, kc: i32): void {
  let j = 0;
  for (; j + 8 <= n; j += 8) {
    const cj = c + f4(j), bj = b + f4(j);
    let i = 0;
    for (; i + 4 <= mc; i += 4) nn_4x8(cj + <usize>i * ldc, ldc, a + <usize>i * lda, lda, bj, ldb, kc);
    for (; i < mc; i++) nn_1x8(cj + <usize>i * ldc, a + <usize>i * lda, bj, ldb, kc);
  }
  if (j + 4 <= n) {
    const cj = c + f4(j), bj = b + f4(j);
    let i = 0;
    for (; i + 4 <= mc; i += 4) nn_4x4(cj + <usize>i * ldc, ldc, a + <usize>i * lda, lda, bj, ldb, kc);
    for (; i < mc; i++) nn_1x4(cj + <usize>i * ldc, a + <usize>i * lda, bj, ldb, kc);
    j += 4;
  }
  for (; j < n; j++) {                                               // scalar column tail
    const cj = c + f4(j), bj = b + f4(j);
    let i = 0;
    for (; i + 4 <= mc; i += 4) nn_4x1(cj + <usize>i * ldc, ldc, a + <usize>i * lda, lda, bj, ldb, kc);
    for (; i < mc; i++) nn_1x1(cj + <usize>i * ldc, a + <usize>i * lda, bj, ldb, kc);
  }
}

export function gemm_nn(C: usize, A: usize, B: usize, M: i32, N: i32, K: i32,
                        ldc: i32, lda: i32, ldb: i32): void {
  if (M <= 0 || N <= 0 || K <= 0) return;
  const ldcb = f4(ldc), ldab = f4(lda), ldbb = f4(ldb);
  for (let k0 = 0; k0 < K; k0 += KC) {
    const kc = min(KC, K - k0);
    for (let m0 = 0; m0 < M; m0 += MC) {
      block_nn(C + <usize>m0 * ldcb, ldcb, A + <usize>m0 * ldab + f4(k0), ldab,
               B + <usize>k0 * ldbb, ldbb, min(MC, M - m0), N, kc);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// A (K,M) row-major: element (m, k) at a + k*lda + 4m, so the 4 rows of a tile are 4 adjacent
// floats and their broadcasts use immediate offsets from one pointer.

// @ts-ignore: decorator
@inline function tn_4x8(c: usize, ldc: usize, a: usize, lda: usize, b: usize, ldb: usize, kc: i32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let pa = a, pb = b;
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    let s = v128.load32_splat(pa);
    c00 = f32x4.add(c00, f32x4.mul(s, b0)); c01 = f32x4.add(c01, f32x4.mul(s, b1));
    s = v128.load32_splat(pa, 4);
    c10 = f32x4.add(c10, f32x4.mul(s, b0)); c11 = f32x4.add(c11, f32x4.mul(s, b1));
    s = v128.load32_splat(pa, 8);
    c20 = f32x4.add(c20, f32x4.mul(s, b0)); c21 = f32x4.add(c21, f32x4.mul(s, b1));
    s = v128.load32_splat(pa, 12);
    c30 = f32x4.add(c30, f32x4.mul(s, b0)); c31 = f32x4.add(c31, f32x4.mul(s, b1));
    pa += lda; pb += ldb;
  }
  let pc = c;
  v128.store(pc, f32x4.add(v128.load(pc), c00)); v128.store(pc, f32x4.add(v128.load(pc, 16), c01), 16);
  pc += ldc;
  v128.store(pc, f32x4.add(v128.load(pc), c10)); v128.store(pc, f32x4.add(v128.load(pc, 16), c11), 16);
  pc += ldc;
  v128.store(pc, f32x4.add(v128.load(pc), c20)); v128.store(pc, f32x4.add(v128.load(pc, 16), c21), 16);
  pc += ldc;
  v128.store(pc, f32x4.add(v128.load(pc), c30)); v128.store(pc, f32x4.add(v128.load(pc, 16), c31), 16);
}

// @ts-ignore: decorator
@inline function tn_1x8(c: usize, a: usize, lda: usize, b: usize, ldb: usize, kc: i32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let pa = a, pb = b;
  for (let k = 0; k < kc; k++) {
    const s = v128.load32_splat(pa);
    c00 = f32x4.add(c00, f32x4.mul(s, v128.load(pb)));
    c01 = f32x4.add(c01, f32x4.mul(s, v128.load(pb, 16)));
    pa += lda; pb += ldb;
  }
  v128.store(c, f32x4.add(v128.load(c), c00)); v128.store(c, f32x4.add(v128.load(c, 16), c01), 16);
}

// @ts-ignore: decorator
@inline function tn_4x4(c: usize, ldc: usize, a: usize, lda: usize, b: usize, ldb: usize, kc: i32): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  let pa = a, pb = b;
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(pb);
    c0 = f32x4.add(c0, f32x4.mul(v128.load32_splat(pa), b0));
    c1 = f32x4.add(c1, f32x4.mul(v128.load32_splat(pa, 4), b0));
    c2 = f32x4.add(c2, f32x4.mul(v128.load32_splat(pa, 8), b0));
    c3 = f32x4.add(c3, f32x4.mul(v128.load32_splat(pa, 12), b0));
    pa += lda; pb += ldb;
  }
  let pc = c;
  v128.store(pc, f32x4.add(v128.load(pc), c0)); pc += ldc;
  v128.store(pc, f32x4.add(v128.load(pc), c1)); pc += ldc;
  v128.store(pc, f32x4.add(v128.load(pc), c2)); pc += ldc;
  v128.store(pc, f32x4.add(v128.load(pc), c3));
}

// @ts-ignore: decorator
@inline function tn_1x4(c: usize, a: usize, lda: usize, b: usize, ldb: usize, kc: i32): void {
  let c0 = f32x4.splat(0);
  let pa = a, pb = b;
  for (let k = 0; k < kc; k++) {
    c0 = f32x4.add(c0, f32x4.mul(v128.load32_splat(pa), v128.load(pb)));
    pa += lda; pb += ldb;
  }
  v128.store(c, f32x4.add(v128.load(c), c0));
}

// One column of C (N tail) for 4 rows: the 4 A values are adjacent, so accumulate them as one v128
// against the broadcast B element and scatter the 4 lanes down the C column.
// @ts-ignore: decorator
@inline function tn_4x1(c: usize, ldc: usize, a: usize, lda: usize, b: usize, ldb: usize, kc: i32): void {
  let acc = f32x4.splat(0);
  let pa = a, pb = b;
  for (let k = 0; k < kc; k++) {
    acc = f32x4.add(acc, f32x4.mul(v128.load(pa), v128.load32_splat(pb)));
    pa += lda; pb += ldb;
  }
  store<f32>(c, load<f32>(c) + f32x4.extract_lane(acc, 0));
  store<f32>(c + ldc, load<f32>(c + ldc) + f32x4.extract_lane(acc, 1));
  store<f32>(c + 2 * ldc, load<f32>(c + 2 * ldc) + f32x4.extract_lane(acc, 2));
  store<f32>(c + 3 * ldc, load<f32>(c + 3 * ldc) + f32x4.extract_lane(acc, 3));
}

// @ts-ignore: decorator
@inline function tn_1x1(c: usize, a: usize, lda: usize, b: usize, ldb: usize, kc: i32): void {
  let s: f32 = 0;
  let pa = a, pb = b;
  for (let k = 0; k < kc; k++) {
    s += load<f32>(pa) * load<f32>(pb);
    pa += lda; pb += ldb;
  }
  store<f32>(c, load<f32>(c) + s);
}

function block_tn(c: usize, ldc: usize, a: usize, lda: usize, b: usize, ldb: usize,
                  mc: i32, n: i32, kc: i32): void {
  let j = 0;
  for (; j + 8 <= n; j += 8) {
    const cj = c + f4(j), bj = b + f4(j);
    let i = 0;
    for (; i + 4 <= mc; i += 4) tn_4x8(cj + <usize>i * ldc, ldc, a + f4(i), lda, bj, ldb, kc);
    for (; i < mc; i++) tn_1x8(cj + <usize>i * ldc, a + f4(i), lda, bj, ldb, kc);
  }
  if (j + 4 <= n) {
    const cj = c + f4(j), bj = b + f4(j);
    let i = 0;
    for (; i + 4 <= mc; i += 4) tn_4x4(cj + <usize>i * ldc, ldc, a + f4(i), lda, bj, ldb, kc);
    for (; i < mc; i++) tn_1x4(cj + <usize>i * ldc, a + f4(i), lda, bj, ldb, kc);
    j += 4;
  }
  for (; j < n; j++) {                                               // scalar column tail
    const cj = c + f4(j), bj = b + f4(j);
    let i = 0;
    for (; i + 4 <= mc; i += 4) tn_4x1(cj + <usize>i * ldc, ldc, a + f4(i), lda, bj, ldb, kc);
    for (; i < mc; i++) tn_1x1(cj + <usize>i * ldc, a + f4(i), lda, bj, ldb, kc);
  }
}

export function gemm_tn(C: usize, A: usize, B: usize, M: i32, N: i32, K: i32,
                        ldc: i32, lda: i32, ldb: i32): void {
  if (M <= 0 || N <= 0 || K <= 0) return;
  const ldcb = f4(ldc), ldab = f4(lda), ldbb = f4(ldb);
  for (let k0 = 0; k0 < K; k0 += KC) {
    const kc = min(KC, K - k0);
    for (let m0 = 0; m0 < M; m0 += MC) {
      block_tn(C + <usize>m0 * ldcb, ldcb, A + <usize>k0 * ldab + f4(m0), ldab,
               B + <usize>k0 * ldbb, ldbb, min(MC, M - m0), N, kc);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Packed right-hand side for the forward pass: W (G, K) row-major (PyTorch's (out, in)), any G, is
// stored as Wᵀ cut into panels of 8 columns, each panel K x 8 contiguous (the last one K x (G % 8)).
// Column j of Wᵀ lives in the panel starting at float j*K. Streaming a contiguous panel avoids the
// 4 KiB-strided rows of a plain Wᵀ (H = 256: 1024 floats per row), which alias in L1 and halved the
// throughput of the per-step product.
export function pack_panels(dst: usize, w: usize, G: i32, K: i32): void {
  for (let j0 = 0; j0 < G; j0 += 8) {
    const nr = min(8, G - j0);
    const p = dst + f4(j0 * K);
    for (let jj = 0; jj < nr; jj++) {
      const src = w + f4((j0 + jj) * K);
      for (let k = 0; k < K; k++) store<f32>(p + f4(k * nr + jj), load<f32>(src + f4(k)));
    }
  }
}

// C (M, G) += A (M, K) * Wᵀ with Wᵀ packed by pack_panels. M is cut into MC-row blocks (L2) and
// every panel (L1) is applied to the block before moving on, so A is read from memory once.
export function gemm_packed(C: usize, A: usize, P: usize, M: i32, G: i32, K: i32, ldc: i32, lda: i32): void {
  if (M <= 0 || G <= 0 || K <= 0) return;
  for (let m0 = 0; m0 < M; m0 += MC) {
    const mc = min(MC, M - m0);
    const cm = C + f4(m0 * ldc), am = A + f4(m0 * lda);
    for (let j0 = 0; j0 < G; j0 += 8) {
      const nr = min(8, G - j0);
      gemm_nn(cm + f4(j0), am, P + f4(j0 * K), mc, nr, K, ldc, lda, nr);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// "D4" layout, used only for lstm_backward's dgates scratch (T, B, 4H): within each step the
// (R, G) matrix (R = B rows, G = 4H columns, G % 4 == 0) is stored as G/4 column blocks, each block
// R rows x 4 floats contiguous:  element (r, j) at  ((j >> 2) * R + r) * 4 + (j & 3).
// Both consumers then read contiguous memory: the per-step product dgates_t · w_hh takes a 4 x 4
// block of A from one 64-byte line, and the weight gradients dgatesᵀ · [x | h] walk 4 gate columns
// down the rows 16 bytes at a time, instead of striding 4H floats (4 KiB at H = 256) per row.

// Address of element (r, j) of a D4 matrix with R rows.
// @ts-ignore: decorator
@inline export function d4_at(base: usize, R: i32, r: i32, j: i32): usize {
  return base + f4(((j >> 2) * R + r) * 4 + (j & 3));
}

// C (R rows, N) += A (R, K) * W (K, N), A in D4 layout with R rows, K % 4 == 0, W row-major (ldw).
// Register tile 4 rows x 8 columns as in nn_4x8; per block of 4 k the 16 A values of the tile are
// one 64-byte line, addressed with immediate offsets from a single pointer.
// @ts-ignore: decorator
@inline function d4nn_4x8(c: usize, ldc: usize, a: usize, astep: usize, w: usize, ldw: usize, kb: i32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let pa = a, pb = w;
  for (let q = 0; q < kb; q++) {
    for (let kk: usize = 0; kk < 16; kk += 4) {                      // the 4 k of one block
      const b0 = v128.load(pb), b1 = v128.load(pb, 16);
      const p = pa + kk;
      let s = v128.load32_splat(p);
      c00 = f32x4.add(c00, f32x4.mul(s, b0)); c01 = f32x4.add(c01, f32x4.mul(s, b1));
      s = v128.load32_splat(p, 16);
      c10 = f32x4.add(c10, f32x4.mul(s, b0)); c11 = f32x4.add(c11, f32x4.mul(s, b1));
      s = v128.load32_splat(p, 32);
      c20 = f32x4.add(c20, f32x4.mul(s, b0)); c21 = f32x4.add(c21, f32x4.mul(s, b1));
      s = v128.load32_splat(p, 48);
      c30 = f32x4.add(c30, f32x4.mul(s, b0)); c31 = f32x4.add(c31, f32x4.mul(s, b1));
      pb += ldw;
    }
    pa += astep;
  }
  let pc = c;
  v128.store(pc, f32x4.add(v128.load(pc), c00)); v128.store(pc, f32x4.add(v128.load(pc, 16), c01), 16);
  pc += ldc;
  v128.store(pc, f32x4.add(v128.load(pc), c10)); v128.store(pc, f32x4.add(v128.load(pc, 16), c11), 16);
  pc += ldc;
  v128.store(pc, f32x4.add(v128.load(pc), c20)); v128.store(pc, f32x4.add(v128.load(pc, 16), c21), 16);
  pc += ldc;
  v128.store(pc, f32x4.add(v128.load(pc), c30)); v128.store(pc, f32x4.add(v128.load(pc, 16), c31), 16);
}

// Any tile of nr rows (1..4) x nc columns (nc = 4 or 8 with v128, or 1 scalar column) of the D4
// product, used for the row and column tails. Plain loops: tails are a small share of the work.
function d4nn_tail(c: usize, ldc: usize, a: usize, astep: usize, w: usize, ldw: usize, kb: i32,
                   nr: i32, nc: i32): void {
  for (let r = 0; r < nr; r++) {
    const pr = c + <usize>r * ldc;
    if (nc >= 4) {
      for (let v = 0; v < nc; v += 4) {
        let acc = f32x4.splat(0);
        let pa = a + f4(r * 4), pb = w + f4(v);
        for (let q = 0; q < kb; q++) {
          for (let kk: usize = 0; kk < 16; kk += 4) {
            acc = f32x4.add(acc, f32x4.mul(v128.load32_splat(pa + kk), v128.load(pb)));
            pb += ldw;
          }
          pa += astep;
        }
        v128.store(pr + f4(v), f32x4.add(v128.load(pr + f4(v)), acc));
      }
    } else {
      let acc = f32x4.splat(0);
      let pa = a + f4(r * 4), pb = w;
      for (let q = 0; q < kb; q++) {                                 // 4 k per block as one v128
        let bv = f32x4.splat(load<f32>(pb));
        bv = f32x4.replace_lane(bv, 1, load<f32>(pb + ldw));
        bv = f32x4.replace_lane(bv, 2, load<f32>(pb + 2 * ldw));
        bv = f32x4.replace_lane(bv, 3, load<f32>(pb + 3 * ldw));
        acc = f32x4.add(acc, f32x4.mul(v128.load(pa), bv));
        pa += astep; pb += 4 * ldw;
      }
      store<f32>(pr, load<f32>(pr) + hsum(acc));
    }
  }
}

export function gemm_nn_d4(C: usize, A: usize, W: usize, R: i32, N: i32, K: i32, ldc: i32, ldw: i32): void {
  if (R <= 0 || N <= 0 || K <= 0) return;
  const ldcb = f4(ldc), ldwb = f4(ldw), astep = f4(R * 4);
  for (let k0 = 0; k0 < K; k0 += KC) {                               // KC % 4 == 0
    const kb = min(KC, K - k0) >> 2;
    const ak = A + f4(k0 * R), wk = W + <usize>k0 * ldwb;
    let j = 0;
    for (; j + 8 <= N; j += 8) {
      let r = 0;
      for (; r + 4 <= R; r += 4) d4nn_4x8(C + <usize>r * ldcb + f4(j), ldcb, ak + f4(r * 4), astep, wk + f4(j), ldwb, kb);
      if (r < R) d4nn_tail(C + <usize>r * ldcb + f4(j), ldcb, ak + f4(r * 4), astep, wk + f4(j), ldwb, kb, R - r, 8);
    }
    if (j + 4 <= N) {
      d4nn_tail(C + f4(j), ldcb, ak, astep, wk + f4(j), ldwb, kb, R, 4);   // rows one at a time
      j += 4;
    }
    for (; j < N; j++) d4nn_tail(C + f4(j), ldcb, ak, astep, wk + f4(j), ldwb, kb, R, 1);
  }
}

// C (M, N) += sum over steps t in [0, T) of A_t[:, :M]ᵀ (M, R) * Bm_t (R, N): A_t is the D4 matrix
// (R rows, G columns) at A + t*R*G floats, of which the first M columns (M % 4 == 0, M <= G) are
// used; Bm_t is the rows t*R .. t*R+R-1 of a row-major Bm (ldb). Tile 4 gate columns (one
// D4 block) x 8 columns of Bm; the 4 broadcasts come from one 16-byte run of A.
// @ts-ignore: decorator
@inline function d4tn_4x8(c: usize, ldc: usize, a: usize, tstep: usize, T: i32, R: i32,
                          b: usize, ldb: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let pb = b, at = a;
  for (let t = 0; t < T; t++) {
    let pa = at;
    for (let r = 0; r < R; r++) {
      const b0 = v128.load(pb), b1 = v128.load(pb, 16);
      let s = v128.load32_splat(pa);
      c00 = f32x4.add(c00, f32x4.mul(s, b0)); c01 = f32x4.add(c01, f32x4.mul(s, b1));
      s = v128.load32_splat(pa, 4);
      c10 = f32x4.add(c10, f32x4.mul(s, b0)); c11 = f32x4.add(c11, f32x4.mul(s, b1));
      s = v128.load32_splat(pa, 8);
      c20 = f32x4.add(c20, f32x4.mul(s, b0)); c21 = f32x4.add(c21, f32x4.mul(s, b1));
      s = v128.load32_splat(pa, 12);
      c30 = f32x4.add(c30, f32x4.mul(s, b0)); c31 = f32x4.add(c31, f32x4.mul(s, b1));
      pa += 16; pb += ldb;
    }
    at += tstep;
  }
  let pc = c;
  v128.store(pc, f32x4.add(v128.load(pc), c00)); v128.store(pc, f32x4.add(v128.load(pc, 16), c01), 16);
  pc += ldc;
  v128.store(pc, f32x4.add(v128.load(pc), c10)); v128.store(pc, f32x4.add(v128.load(pc, 16), c11), 16);
  pc += ldc;
  v128.store(pc, f32x4.add(v128.load(pc), c20)); v128.store(pc, f32x4.add(v128.load(pc, 16), c21), 16);
  pc += ldc;
  v128.store(pc, f32x4.add(v128.load(pc), c30)); v128.store(pc, f32x4.add(v128.load(pc, 16), c31), 16);
}

// Column tails of the D4 transposed product: 4 gate columns x 4 columns of Bm (v128 over Bm), or
// x 1 column (v128 over the 4 gate columns against a broadcast Bm element, scattered down C).
function d4tn_tail(c: usize, ldc: usize, a: usize, tstep: usize, T: i32, R: i32, b: usize, ldb: usize,
                   nc: i32): void {
  if (nc == 4) {
    let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
    let pb = b, at = a;
    for (let t = 0; t < T; t++) {
      let pa = at;
      for (let r = 0; r < R; r++) {
        const b0 = v128.load(pb);
        c0 = f32x4.add(c0, f32x4.mul(v128.load32_splat(pa), b0));
        c1 = f32x4.add(c1, f32x4.mul(v128.load32_splat(pa, 4), b0));
        c2 = f32x4.add(c2, f32x4.mul(v128.load32_splat(pa, 8), b0));
        c3 = f32x4.add(c3, f32x4.mul(v128.load32_splat(pa, 12), b0));
        pa += 16; pb += ldb;
      }
      at += tstep;
    }
    let pc = c;
    v128.store(pc, f32x4.add(v128.load(pc), c0)); pc += ldc;
    v128.store(pc, f32x4.add(v128.load(pc), c1)); pc += ldc;
    v128.store(pc, f32x4.add(v128.load(pc), c2)); pc += ldc;
    v128.store(pc, f32x4.add(v128.load(pc), c3));
  } else {
    let acc = f32x4.splat(0);
    let pb = b, at = a;
    for (let t = 0; t < T; t++) {
      let pa = at;
      for (let r = 0; r < R; r++) {
        acc = f32x4.add(acc, f32x4.mul(v128.load(pa), v128.load32_splat(pb)));
        pa += 16; pb += ldb;
      }
      at += tstep;
    }
    store<f32>(c, load<f32>(c) + f32x4.extract_lane(acc, 0));
    store<f32>(c + ldc, load<f32>(c + ldc) + f32x4.extract_lane(acc, 1));
    store<f32>(c + 2 * ldc, load<f32>(c + 2 * ldc) + f32x4.extract_lane(acc, 2));
    store<f32>(c + 3 * ldc, load<f32>(c + 3 * ldc) + f32x4.extract_lane(acc, 3));
  }
}

export function gemm_tn_d4(C: usize, A: usize, Bm: usize, T: i32, R: i32, G: i32, M: i32, N: i32,
                           ldc: i32, ldb: i32): void {
  if (T <= 0 || R <= 0 || M <= 0 || N <= 0) return;
  const ldcb = f4(ldc), ldbb = f4(ldb), tstep = f4(R * G);
  // Steps in chunks of about KC rows so the Bm panel and the A blocks are reused from cache.
  const TC = max(1, KC / R);
  for (let t0 = 0; t0 < T; t0 += TC) {
    const tc = min(TC, T - t0);
    const at = A + <usize>t0 * tstep, bt = Bm + <usize>(t0 * R) * ldbb;
    for (let m0 = 0; m0 < M; m0 += MC) {
      const mc = min(MC, M - m0);
      let j = 0;
      for (; j + 8 <= N; j += 8) {
        for (let m = m0; m < m0 + mc; m += 4) {
          d4tn_4x8(C + <usize>m * ldcb + f4(j), ldcb, at + f4(m * R), tstep, tc, R, bt + f4(j), ldbb);
        }
      }
      if (j + 4 <= N) {
        for (let m = m0; m < m0 + mc; m += 4) {
          d4tn_tail(C + <usize>m * ldcb + f4(j), ldcb, at + f4(m * R), tstep, tc, R, bt + f4(j), ldbb, 4);
        }
        j += 4;
      }
      for (; j < N; j++) {
        for (let m = m0; m < m0 + mc; m += 4) {
          d4tn_tail(C + <usize>m * ldcb + f4(j), ldcb, at + f4(m * R), tstep, tc, R, bt + f4(j), ldbb, 1);
        }
      }
    }
  }
}
