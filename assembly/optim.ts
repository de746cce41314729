// Optimizer steps and gradient clipping over one flat parameter buffer. Mirrors adam_step, sgd_step,
// rmsprop_step, grad_norm and scale in native/kernels/*.cpp; the contract (formulas, flags, null
// buffers) is the "Training" section of native/include/seqcast/kernels.h. Pointers are byte addresses
// in this module's memory (0 = null), n is the element count.
//
// Hyper-parameters are f64 here, not f32 as in kernels.h. The JS caller passes the same numbers either
// way, but rounding beta2 = 0.999 to f32 first makes 1 - beta2 = 0.00099998713 instead of 0.001, a
// 1.3e-5 relative error in every exp_avg_sq: that alone fails the optimizer fixtures (rtol 1e-5),
// while PyTorch float32 stays within 3e-7. So every scalar is rounded to f32 exactly once, after the
// double arithmetic PyTorch does in Python (1 - beta1, 1 - lr*wd, ...): see splat() below.
//
// The formulas are PyTorch 1.13's single-tensor paths (torch/optim/adam.py, sgd.py, rmsprop.py), with
// float32 state and every tensor op rounded where PyTorch rounds it:
//   t.add_(u, alpha=a)         t + a*u          (two roundings: a*u, then +)
//   t.addcmul_(u, w, value=a)  t + (a*u)*w
//   t.addcdiv_(u, w, value=a)  t + (a*u)/w      (ATen's scalar_val * t1_val / t2_val)
// Python computes scalars such as 1 - beta1 or 1 - lr*wd in double and ATen casts them to float once;
// so do these kernels, outside the loops.
// f32x4 add/mul/div/sqrt are IEEE-exact per lane, so the v128 body and the tail (one zero-padded
// partial vector) round exactly like a scalar loop.
import { f4 } from "./simd";
import { ld, st } from "./cell";

// Flag bits, as in kernels.h (and src/backend/flags.ts).
const ADAM_AMSGRAD = 1, ADAM_DECOUPLED = 2;
const SGD_NESTEROV = 1, SGD_FIRST_STEP = 2;
const RMSPROP_CENTERED = 1;

// A double scalar as ATen applies it to a float tensor: rounded to f32 once, on all four lanes.
// @ts-ignore: decorator
@inline function splat(x: f64): v128 { return f32x4.splat(<f32>x); }

// a + s*b, PyTorch's add with alpha.
// @ts-ignore: decorator
@inline function axpy(a: v128, s: v128, b: v128): v128 { return f32x4.add(a, f32x4.mul(s, b)); }

// ---------------------------------------------------------------------------------------------
// Adam / AdamW

// One group of `len` lanes (4, or 1..3 for the tail) at float index i. amsgrad and decoupled are
// literal constants at every call site, so their branches fold away after inlining.
// @ts-ignore: decorator
@inline function adam_lanes(p: usize, m: usize, v: usize, vmax: usize, g: usize, i: i32, len: i32,
                            b1: v128, omb1: v128, b2: v128, omb2: v128, eps: v128, wd: v128,
                            decay: v128, step: v128, bc2: v128, has_wd: bool,
                            amsgrad: bool, decoupled: bool): void {
  const o = f4(i);
  let pv = ld(p + o, len), gv = ld(g + o, len);
  if (decoupled) pv = f32x4.mul(pv, decay);                            // param.mul_(1 - lr*wd)
  else if (has_wd) gv = axpy(gv, wd, pv);                              // grad.add(param, alpha=wd)
  const mv = axpy(f32x4.mul(ld(m + o, len), b1), omb1, gv);            // exp_avg.mul_(b1).add_(g, alpha=1-b1)
  const vv = f32x4.add(f32x4.mul(ld(v + o, len), b2), f32x4.mul(f32x4.mul(omb2, gv), gv));
  st(m + o, mv, len);                                                  // ^ exp_avg_sq.mul_(b2).addcmul_(g, g, value=1-b2)
  st(v + o, vv, len);
  let dv = vv;
  if (amsgrad) {                                                       // torch.maximum(vmax, v, out=vmax)
    dv = f32x4.max(ld(vmax + o, len), vv);                             // (NaN-propagating, as torch.maximum)
    st(vmax + o, dv, len);
  }
  const denom = f32x4.add(f32x4.div(f32x4.sqrt(dv), bc2), eps);        // (v.sqrt() / bc2_sqrt).add_(eps)
  st(p + o, f32x4.sub(pv, f32x4.div(f32x4.mul(step, mv), denom)), len); // p.addcdiv_(m, denom, value=-step_size)
}

// @ts-ignore: decorator
@inline function adam_loop(p: usize, m: usize, v: usize, vmax: usize, g: usize, n: i32,
                           b1: v128, omb1: v128, b2: v128, omb2: v128, eps: v128, wd: v128,
                           decay: v128, step: v128, bc2: v128, has_wd: bool,
                           amsgrad: bool, decoupled: bool): void {
  const nv = n & ~3, tail = n & 3;
  for (let i = 0; i < nv; i += 4) {
    adam_lanes(p, m, v, vmax, g, i, 4, b1, omb1, b2, omb2, eps, wd, decay, step, bc2, has_wd, amsgrad, decoupled);
  }
  if (tail != 0) {
    adam_lanes(p, m, v, vmax, g, nv, tail, b1, omb1, b2, omb2, eps, wd, decay, step, bc2, has_wd, amsgrad, decoupled);
  }
}

// p (n), m (n), v (n), vmax (n, or 0 unless amsgrad), g (n). step_size = lr/(1-b1^t) and
// bc2_sqrt = sqrt(1-b2^t) come from the caller (computed in double from the step count).
//   decoupled (AdamW): p *= 1 - lr*wd;  else g' = g + wd*p (skipped when wd = 0, as PyTorch)
//   m = b1*m + (1-b1)*g';  v = b2*v + (1-b2)*g'^2;  amsgrad: vmax = max(vmax, v), used instead of v
//   p -= step_size * m / (sqrt(v)/bc2_sqrt + eps)
export function adam_step(p: usize, m: usize, v: usize, vmax: usize, g: usize, n: i32,
                          lr: f64, beta1: f64, beta2: f64, eps: f64, weight_decay: f64,
                          step_size: f64, bc2_sqrt: f64, flags: i32): void {
  if (n <= 0) return;
  const b1 = splat(beta1), omb1 = splat(1 - beta1);
  const b2 = splat(beta2), omb2 = splat(1 - beta2);
  const ev = splat(eps), wd = splat(weight_decay), decay = splat(1 - lr * weight_decay);
  const step = splat(step_size), bc2 = splat(bc2_sqrt);
  const has_wd = weight_decay != 0;
  const ams = (flags & ADAM_AMSGRAD) != 0, dec = (flags & ADAM_DECOUPLED) != 0;
  if (ams) {
    if (dec) adam_loop(p, m, v, vmax, g, n, b1, omb1, b2, omb2, ev, wd, decay, step, bc2, has_wd, true, true);
    else adam_loop(p, m, v, vmax, g, n, b1, omb1, b2, omb2, ev, wd, decay, step, bc2, has_wd, true, false);
  } else {
    if (dec) adam_loop(p, m, v, vmax, g, n, b1, omb1, b2, omb2, ev, wd, decay, step, bc2, has_wd, false, true);
    else adam_loop(p, m, v, vmax, g, n, b1, omb1, b2, omb2, ev, wd, decay, step, bc2, has_wd, false, false);
  }
}

// ---------------------------------------------------------------------------------------------
// SGD

// @ts-ignore: decorator
@inline function sgd_lanes(p: usize, buf: usize, g: usize, i: i32, len: i32, lr: v128, mu: v128,
                           omd: v128, wd: v128, has_wd: bool, has_mu: bool, first: bool,
                           nesterov: bool): void {
  const o = f4(i);
  const pv = ld(p + o, len);
  let gv = ld(g + o, len);
  if (has_wd) gv = axpy(gv, wd, pv);                                   // d_p.add(param, alpha=wd)
  if (has_mu) {
    // first step: buf = clone(d_p); after: buf.mul_(mu).add_(d_p, alpha=1-dampening)
    const bv = first ? gv : axpy(f32x4.mul(ld(buf + o, len), mu), omd, gv);
    st(buf + o, bv, len);
    gv = nesterov ? axpy(gv, mu, bv) : bv;                             // d_p.add(buf, alpha=mu) or buf
  }
  st(p + o, f32x4.sub(pv, f32x4.mul(lr, gv)), len);                    // param.add_(d_p, alpha=-lr)
}

// @ts-ignore: decorator
@inline function sgd_loop(p: usize, buf: usize, g: usize, n: i32, lr: v128, mu: v128, omd: v128,
                          wd: v128, has_wd: bool, has_mu: bool, first: bool, nesterov: bool): void {
  const nv = n & ~3, tail = n & 3;
  for (let i = 0; i < nv; i += 4) sgd_lanes(p, buf, g, i, 4, lr, mu, omd, wd, has_wd, has_mu, first, nesterov);
  if (tail != 0) sgd_lanes(p, buf, g, nv, tail, lr, mu, omd, wd, has_wd, has_mu, first, nesterov);
}

// p (n), buf (n, or 0 when momentum = 0), g (n).
//   g' = g + wd*p;  momentum != 0: buf = first step ? g' : mu*buf + (1-dampening)*g',
//   g' = nesterov ? g' + mu*buf : buf;  p -= lr*g'.
export function sgd_step(p: usize, buf: usize, g: usize, n: i32, lr: f64, momentum: f64,
                         dampening: f64, weight_decay: f64, flags: i32): void {
  if (n <= 0) return;
  const lv = splat(lr), mu = splat(momentum), omd = splat(1 - dampening), wd = splat(weight_decay);
  const has_wd = weight_decay != 0;
  const nesterov = (flags & SGD_NESTEROV) != 0, first = (flags & SGD_FIRST_STEP) != 0;
  if (momentum == 0) sgd_loop(p, buf, g, n, lv, mu, omd, wd, has_wd, false, false, false);
  else if (first) {
    if (nesterov) sgd_loop(p, buf, g, n, lv, mu, omd, wd, has_wd, true, true, true);
    else sgd_loop(p, buf, g, n, lv, mu, omd, wd, has_wd, true, true, false);
  } else {
    if (nesterov) sgd_loop(p, buf, g, n, lv, mu, omd, wd, has_wd, true, false, true);
    else sgd_loop(p, buf, g, n, lv, mu, omd, wd, has_wd, true, false, false);
  }
}

// ---------------------------------------------------------------------------------------------
// RMSprop

// @ts-ignore: decorator
@inline function rmsprop_lanes(p: usize, sq: usize, ga: usize, buf: usize, g: usize, i: i32, len: i32,
                               lr: v128, a: v128, oma: v128, eps: v128, wd: v128, mu: v128,
                               has_wd: bool, centered: bool, has_mu: bool): void {
  const o = f4(i);
  const pv = ld(p + o, len);
  let gv = ld(g + o, len);
  if (has_wd) gv = axpy(gv, wd, pv);                                   // grad.add(param, alpha=wd)
  // square_avg.mul_(alpha).addcmul_(g, g, value=1-alpha)
  const sv = f32x4.add(f32x4.mul(ld(sq + o, len), a), f32x4.mul(f32x4.mul(oma, gv), gv));
  st(sq + o, sv, len);
  let avg: v128;
  if (centered) {
    const gav = axpy(f32x4.mul(ld(ga + o, len), a), oma, gv);          // grad_avg.mul_(a).add_(g, alpha=1-a)
    st(ga + o, gav, len);
    avg = f32x4.sqrt(f32x4.sub(sv, f32x4.mul(gav, gav)));              // square_avg.addcmul(ga, ga, value=-1).sqrt_()
  } else {
    avg = f32x4.sqrt(sv);
  }
  avg = f32x4.add(avg, eps);                                           // avg.add_(eps)
  if (has_mu) {
    const bv = f32x4.add(f32x4.mul(ld(buf + o, len), mu), f32x4.div(gv, avg)); // buf.mul_(mu).addcdiv_(g, avg)
    st(buf + o, bv, len);
    st(p + o, f32x4.sub(pv, f32x4.mul(lr, bv)), len);                  // param.add_(buf, alpha=-lr)
  } else {
    st(p + o, f32x4.sub(pv, f32x4.div(f32x4.mul(lr, gv), avg)), len);  // param.addcdiv_(g, avg, value=-lr)
  }
}

// @ts-ignore: decorator
@inline function rmsprop_loop(p: usize, sq: usize, ga: usize, buf: usize, g: usize, n: i32, lr: v128,
                              a: v128, oma: v128, eps: v128, wd: v128, mu: v128, has_wd: bool,
                              centered: bool, has_mu: bool): void {
  const nv = n & ~3, tail = n & 3;
  for (let i = 0; i < nv; i += 4) {
    rmsprop_lanes(p, sq, ga, buf, g, i, 4, lr, a, oma, eps, wd, mu, has_wd, centered, has_mu);
  }
  if (tail != 0) rmsprop_lanes(p, sq, ga, buf, g, nv, tail, lr, a, oma, eps, wd, mu, has_wd, centered, has_mu);
}

// p (n), sq (n), ga (n, or 0 unless centered), buf (n, or 0 unless momentum > 0), g (n).
//   g' = g + wd*p;  sq = a*sq + (1-a)*g'^2;
//   centered: ga = a*ga + (1-a)*g', avg = sqrt(sq - ga^2) + eps;  else avg = sqrt(sq) + eps
//   momentum > 0: buf = mu*buf + g'/avg, p -= lr*buf;  else p -= lr*g'/avg.
export function rmsprop_step(p: usize, sq: usize, ga: usize, buf: usize, g: usize, n: i32, lr: f64,
                             alpha: f64, eps: f64, weight_decay: f64, momentum: f64, flags: i32): void {
  if (n <= 0) return;
  const lv = splat(lr), a = splat(alpha), oma = splat(1 - alpha);
  const ev = splat(eps), wd = splat(weight_decay), mu = splat(momentum);
  const has_wd = weight_decay != 0;
  const centered = (flags & RMSPROP_CENTERED) != 0, has_mu = momentum > 0;
  if (centered) {
    if (has_mu) rmsprop_loop(p, sq, ga, buf, g, n, lv, a, oma, ev, wd, mu, has_wd, true, true);
    else rmsprop_loop(p, sq, ga, buf, g, n, lv, a, oma, ev, wd, mu, has_wd, true, false);
  } else {
    if (has_mu) rmsprop_loop(p, sq, ga, buf, g, n, lv, a, oma, ev, wd, mu, has_wd, false, true);
    else rmsprop_loop(p, sq, ga, buf, g, n, lv, a, oma, ev, wd, mu, has_wd, false, false);
  }
}

// ---------------------------------------------------------------------------------------------
// Gradient clipping

// Norm of g (n), accumulated in f64 (a product of two f32 is exact in f64, so each square is exact):
//   norm_type 2: sqrt(Σ g²),  1: Σ |g|,  0: max |g| (the inf-norm, exact in f32).
// Fixed order, so the result depends on n only, never on the data or the run: 8 lanes per step into
// four f64x2 accumulators (lane i % 8), combined as ((l0+l1)+(l2+l3)) + ((l4+l5)+(l6+l7)), then the
// last n % 8 elements added in order. A NaN anywhere gives NaN (f32x4.max and f32.max propagate it).
export function grad_norm(g: usize, n: i32, norm_type: i32): f64 {
  if (n <= 0) return 0;
  const n8 = n & ~7;
  if (norm_type == 0) {
    let mx = f32x4.splat(0);
    let i = 0;
    for (; i + 4 <= n; i += 4) mx = f32x4.max(mx, f32x4.abs(v128.load(g + f4(i))));
    let r = max(max(f32x4.extract_lane(mx, 0), f32x4.extract_lane(mx, 1)),
                max(f32x4.extract_lane(mx, 2), f32x4.extract_lane(mx, 3)));
    for (; i < n; i++) r = max(r, abs(load<f32>(g + f4(i))));         // tail
    return <f64>r;
  }
  const l1 = norm_type == 1;
  let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
  for (let i = 0; i < n8; i += 8) {
    const o = f4(i);
    const u = v128.load(g + o), w = v128.load(g + o, 16);
    const u0 = f64x2.promote_low_f32x4(u), u1 = f64x2.promote_low_f32x4(v128.shuffle<f32>(u, u, 2, 3, 2, 3));
    const w0 = f64x2.promote_low_f32x4(w), w1 = f64x2.promote_low_f32x4(v128.shuffle<f32>(w, w, 2, 3, 2, 3));
    if (l1) {
      a0 = f64x2.add(a0, f64x2.abs(u0)); a1 = f64x2.add(a1, f64x2.abs(u1));
      a2 = f64x2.add(a2, f64x2.abs(w0)); a3 = f64x2.add(a3, f64x2.abs(w1));
    } else {
      a0 = f64x2.add(a0, f64x2.mul(u0, u0)); a1 = f64x2.add(a1, f64x2.mul(u1, u1));
      a2 = f64x2.add(a2, f64x2.mul(w0, w0)); a3 = f64x2.add(a3, f64x2.mul(w1, w1));
    }
  }
  let s = ((f64x2.extract_lane(a0, 0) + f64x2.extract_lane(a0, 1))
         + (f64x2.extract_lane(a1, 0) + f64x2.extract_lane(a1, 1)))
        + ((f64x2.extract_lane(a2, 0) + f64x2.extract_lane(a2, 1))
         + (f64x2.extract_lane(a3, 0) + f64x2.extract_lane(a3, 1)));
  for (let i = n8; i < n; i++) {                                       // tail
    const x = <f64>load<f32>(g + f4(i));
    s += l1 ? abs(x) : x * x;
  }
  return l1 ? s : sqrt(s);
}

// x (n) *= alpha (clip_grad_norm_'s rescale by the clip coefficient).
export function scale(x: usize, n: i32, alpha: f32): void {
  const av = f32x4.splat(alpha);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = f4(i);
    v128.store(x + o, f32x4.mul(v128.load(x + o), av));
  }
  for (; i < n; i++) {                                                 // tail
    const o = f4(i);
    store<f32>(x + o, load<f32>(x + o) * alpha);
  }
}
