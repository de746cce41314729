// Dense layer (PyTorch's nn.Linear), forward and backward. Mirrors linear_forward / linear_backward in
// native/kernels/*.cpp; the contract is the "Training" section of native/include/seqcast/kernels.h.
// Pointers are byte addresses in this module's memory (0 = null), dims are i32.
//   y (N, O) = x (N, In) · Wᵀ + b,   W (O, In) as in PyTorch, b (O) or null.
// The head of a forecaster is narrow (O = 1..8) and its input a hidden state (In = 8..512), so the
// forward is a set of dot products along In (contiguous in both x and W) rather than a GEMM with a
// strided Wᵀ: no packing, so no scratch, and every row of x is read from memory once.
import { f4, hsum } from "./simd";
import { ld } from "./cell";
import { gemm_nn, gemm_tn } from "./gemm";

// Sum of four lanes plus the bias element (bias = 0: none), written to y.
// @ts-ignore: decorator
@inline function put(y: usize, acc: v128, b: usize): void {
  const s = hsum(acc);
  store<f32>(y, b != 0 ? s + load<f32>(b) : s);
}

// 4 rows of x against 2 rows of W: 8 v128 accumulators along In, the last In % 4 columns as one
// zero-padded partial load (the padding adds 0 * 0). Register budget as gemm.ts: 8 accumulators,
// 2 W vectors and one x vector at a time fit V8's 16 xmm registers.
// @ts-ignore: decorator
@inline function dot_4x2(y: usize, ldy: usize, x: usize, ldx: usize, w: usize, b: usize, In: i32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  const w0 = w, w1 = w + ldx, x0 = x, x1 = x + ldx, x2 = x + 2 * ldx, x3 = x + 3 * ldx;
  const Iv = In & ~3, tail = In & 3;
  for (let k = 0; k < Iv; k += 4) {
    const o = f4(k);
    const a = v128.load(w0 + o), c = v128.load(w1 + o);
    let s = v128.load(x0 + o);
    c00 = f32x4.add(c00, f32x4.mul(s, a)); c01 = f32x4.add(c01, f32x4.mul(s, c));
    s = v128.load(x1 + o);
    c10 = f32x4.add(c10, f32x4.mul(s, a)); c11 = f32x4.add(c11, f32x4.mul(s, c));
    s = v128.load(x2 + o);
    c20 = f32x4.add(c20, f32x4.mul(s, a)); c21 = f32x4.add(c21, f32x4.mul(s, c));
    s = v128.load(x3 + o);
    c30 = f32x4.add(c30, f32x4.mul(s, a)); c31 = f32x4.add(c31, f32x4.mul(s, c));
  }
  if (tail != 0) {                                                     // In tail
    const o = f4(Iv);
    const a = ld(w0 + o, tail), c = ld(w1 + o, tail);
    let s = ld(x0 + o, tail);
    c00 = f32x4.add(c00, f32x4.mul(s, a)); c01 = f32x4.add(c01, f32x4.mul(s, c));
    s = ld(x1 + o, tail);
    c10 = f32x4.add(c10, f32x4.mul(s, a)); c11 = f32x4.add(c11, f32x4.mul(s, c));
    s = ld(x2 + o, tail);
    c20 = f32x4.add(c20, f32x4.mul(s, a)); c21 = f32x4.add(c21, f32x4.mul(s, c));
    s = ld(x3 + o, tail);
    c30 = f32x4.add(c30, f32x4.mul(s, a)); c31 = f32x4.add(c31, f32x4.mul(s, c));
  }
  const b1 = b != 0 ? b + 4 : 0;
  put(y, c00, b); put(y + 4, c01, b1); y += ldy;
  put(y, c10, b); put(y + 4, c11, b1); y += ldy;
  put(y, c20, b); put(y + 4, c21, b1); y += ldy;
  put(y, c30, b); put(y + 4, c31, b1);
}

// 4 rows of x against the last row of W (odd O).
// @ts-ignore: decorator
@inline function dot_4x1(y: usize, ldy: usize, x: usize, ldx: usize, w: usize, b: usize, In: i32): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  const x0 = x, x1 = x + ldx, x2 = x + 2 * ldx, x3 = x + 3 * ldx;
  const Iv = In & ~3, tail = In & 3;
  for (let k = 0; k < Iv; k += 4) {
    const o = f4(k);
    const a = v128.load(w + o);
    c0 = f32x4.add(c0, f32x4.mul(v128.load(x0 + o), a));
    c1 = f32x4.add(c1, f32x4.mul(v128.load(x1 + o), a));
    c2 = f32x4.add(c2, f32x4.mul(v128.load(x2 + o), a));
    c3 = f32x4.add(c3, f32x4.mul(v128.load(x3 + o), a));
  }
  if (tail != 0) {                                                     // In tail
    const o = f4(Iv);
    const a = ld(w + o, tail);
    c0 = f32x4.add(c0, f32x4.mul(ld(x0 + o, tail), a));
    c1 = f32x4.add(c1, f32x4.mul(ld(x1 + o, tail), a));
    c2 = f32x4.add(c2, f32x4.mul(ld(x2 + o, tail), a));
    c3 = f32x4.add(c3, f32x4.mul(ld(x3 + o, tail), a));
  }
  put(y, c0, b); y += ldy;
  put(y, c1, b); y += ldy;
  put(y, c2, b); y += ldy;
  put(y, c3, b);
}

// One row of x (N tail) against rows [0, O) of W, two at a time.
function dot_row(y: usize, x: usize, w: usize, b: usize, In: i32, O: i32): void {
  const ldw = f4(In), Iv = In & ~3, tail = In & 3;
  let j = 0;
  for (; j + 2 <= O; j += 2) {
    const w0 = w + <usize>j * ldw, w1 = w0 + ldw;
    let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
    for (let k = 0; k < Iv; k += 4) {
      const o = f4(k), s = v128.load(x + o);
      c0 = f32x4.add(c0, f32x4.mul(s, v128.load(w0 + o)));
      c1 = f32x4.add(c1, f32x4.mul(s, v128.load(w1 + o)));
    }
    if (tail != 0) {                                                   // In tail
      const o = f4(Iv), s = ld(x + o, tail);
      c0 = f32x4.add(c0, f32x4.mul(s, ld(w0 + o, tail)));
      c1 = f32x4.add(c1, f32x4.mul(s, ld(w1 + o, tail)));
    }
    put(y + f4(j), c0, b != 0 ? b + f4(j) : 0);
    put(y + f4(j + 1), c1, b != 0 ? b + f4(j + 1) : 0);
  }
  if (j < O) {                                                         // odd O
    const w0 = w + <usize>j * ldw;
    let c0 = f32x4.splat(0);
    for (let k = 0; k < Iv; k += 4) {
      const o = f4(k);
      c0 = f32x4.add(c0, f32x4.mul(v128.load(x + o), v128.load(w0 + o)));
    }
    if (tail != 0) {                                                   // In tail
      const o = f4(Iv);
      c0 = f32x4.add(c0, f32x4.mul(ld(x + o, tail), ld(w0 + o, tail)));
    }
    put(y + f4(j), c0, b != 0 ? b + f4(j) : 0);
  }
}

// y (N, O) = x (N, In) · w (O, In)ᵀ + b (O); b = 0: no bias. y is written, not accumulated.
// Loop order: 4 rows of x outer, pairs of W rows inner, so the 4 x rows (4*In floats) and all of W
// (O*In floats, 16 KiB at O = 8, In = 512) stay in L1 and x streams from memory once. Each output is
// one dot product in a fixed lane order, so the result depends on the shapes only, never on the data.
export function linear_forward(y: usize, x: usize, w: usize, b: usize, N: i32, In: i32, O: i32): void {
  if (N <= 0 || O <= 0) return;
  const ldx = f4(In), ldy = f4(O);
  let n = 0;
  for (; n + 4 <= N; n += 4) {
    const yn = y + <usize>n * ldy, xn = x + <usize>n * ldx;
    let j = 0;
    for (; j + 2 <= O; j += 2) {
      dot_4x2(yn + f4(j), ldy, xn, ldx, w + <usize>j * ldx, b != 0 ? b + f4(j) : 0, In);
    }
    if (j < O) dot_4x1(yn + f4(j), ldy, xn, ldx, w + <usize>j * ldx, b != 0 ? b + f4(j) : 0, In);
  }
  for (; n < N; n++) dot_row(y + <usize>n * ldy, x + <usize>n * ldx, w, b, In, O);   // N tail
}

// Backward of linear_forward, accumulating into every d* buffer (the caller zeroes them):
//   forward: y = x·Wᵀ + b  =>  dx += dy·W,  dW += dyᵀ·x,  db += Σ_n dy[n, :]
// dx = 0: not wanted (first layer); db = 0: no bias. Both products are the gemm.ts kernels, whose
// summation order depends only on the shapes:
//   dx (N, In) += dy (N, O) · W (O, In)          gemm_nn, M = N, N = In, K = O
//   dw (O, In) += dyᵀ · x, dy (N, O), x (N, In)   gemm_tn, M = O, N = In, K = N
export function linear_backward(dx: usize, dw: usize, db: usize, dy: usize, x: usize, w: usize,
                                N: i32, In: i32, O: i32): void {
  if (N <= 0 || O <= 0) return;
  if (dx != 0) gemm_nn(dx, dy, w, N, In, O, In, O, In);
  gemm_tn(dw, dy, x, O, In, N, In, O, In);
  if (db != 0) colsum(db, dy, N, O);
}

// db (O) += column sums of dy (N, O): four columns per v128 accumulator over all N rows (the sum runs
// down the rows in order), added to db once; the O % 4 last columns are scalar sums in the same order.
function colsum(db: usize, dy: usize, N: i32, O: i32): void {
  const ldy = f4(O), Ov = O & ~3;
  for (let j = 0; j < Ov; j += 4) {
    let acc = f32x4.splat(0);
    let p = dy + f4(j);
    for (let n = 0; n < N; n++) { acc = f32x4.add(acc, v128.load(p)); p += ldy; }
    v128.store(db + f4(j), f32x4.add(v128.load(db + f4(j)), acc));
  }
  for (let j = Ov; j < O; j++) {                                       // O tail
    let s: f32 = 0;
    let p = dy + f4(j);
    for (let n = 0; n < N; n++) { s += load<f32>(p); p += ldy; }
    store<f32>(db + f4(j), load<f32>(db + f4(j)) + s);
  }
}
