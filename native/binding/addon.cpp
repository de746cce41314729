// N-API exports of the kernel contract (native/include/seqcast/kernels.h). Thin: unpack and
// validate (args.h), call the active kernel table, return. Names are snake_case and arguments come
// in exactly the kernels.h order: Float32Array for buffers, Int32Array (or null) for lengths,
// numbers for dims, hyper-parameters, flags and the relu flag. The optimizer and norm kernels take
// their n from p (or g, x) instead of a dim. alloc() hands out 64-byte-aligned zeroed arenas.
// src/backend/native.ts is the only caller.
#include <napi.h>
#include <seqcast/kernels.h>

#include <cstdint>
#include <cstring>
#include <new>

#include "../kernels/threads.h"
#include "args.h"
#include "layout.h"
#include "stream.h"

namespace seqcast {
namespace binding {
namespace {

using Fl = const char*;

Napi::Value LstmForward(const Napi::CallbackInfo& info) {
  Args a(info, "lstm_forward", 16);
  const int T = a.dim(12, "T"), B = a.dim(13, "B"), I = a.dim(14, "I"), H = a.dim(15, "H");
  const int64_t TBH = int64_t(T) * B * H, BH = int64_t(B) * H;
  float* h = a.f32(0, "h", TBH, "T*B*H");
  float* c = a.f32(1, "c", TBH, "T*B*H");
  float* gates = a.f32_opt(2, "gates", 4 * TBH, "T*B*4*H");  // null: inference only
  const float* x = a.f32(3, "x", int64_t(T) * B * I, "T*B*I");
  const int32_t* lengths = a.lengths(4, B, T);
  const float* h0 = a.f32_opt(5, "h0", BH, "B*H");
  const float* c0 = a.f32_opt(6, "c0", BH, "B*H");
  const float* w_ih = a.f32(7, "w_ih", int64_t(4) * H * I, "4*H*I");
  const float* w_hh = a.f32(8, "w_hh", int64_t(4) * H * H, "4*H*H");
  const float* b_ih = a.f32(9, "b_ih", int64_t(4) * H, "4*H");
  const float* b_hh = a.f32(10, "b_hh", int64_t(4) * H, "4*H");
  float* w_t = a.f32_min(11, "w_t", lstm_forward_scratch_floats(T, B, I, H), "4*H*(I+H)+4*B*H");
  kernels().lstm_forward(h, c, gates, x, lengths, h0, c0, w_ih, w_hh, b_ih, b_hh, w_t, T, B, I, H);
  return info.Env().Undefined();
}

Napi::Value LstmBackward(const Napi::CallbackInfo& info) {
  Args a(info, "lstm_backward", 26);
  const int T = a.dim(22, "T"), B = a.dim(23, "B"), I = a.dim(24, "I"), H = a.dim(25, "H");
  const int64_t TBH = int64_t(T) * B * H, BH = int64_t(B) * H, TBI = int64_t(T) * B * I;
  const int64_t TcBH = int64_t(backward_chunk_steps(T, B)) * B * H;  // dgates scratch per gate block
  float* dx = a.f32_opt(0, "dx", TBI, "T*B*I");
  float* dh0 = a.f32_opt(1, "dh0", BH, "B*H");
  float* dc0 = a.f32_opt(2, "dc0", BH, "B*H");
  float* dw_ih = a.f32(3, "dw_ih", int64_t(4) * H * I, "4*H*I");
  float* dw_hh = a.f32(4, "dw_hh", int64_t(4) * H * H, "4*H*H");
  float* db_ih = a.f32(5, "db_ih", int64_t(4) * H, "4*H");
  float* db_hh = a.f32(6, "db_hh", int64_t(4) * H, "4*H");
  const float* dh = a.f32_opt(7, "dh", TBH, "T*B*H");
  const float* dhT = a.f32_opt(8, "dhT", BH, "B*H");
  const float* dcT = a.f32_opt(9, "dcT", BH, "B*H");
  const float* x = a.f32(10, "x", TBI, "T*B*I");
  const int32_t* lengths = a.lengths(11, B, T);
  const float* h0 = a.f32_opt(12, "h0", BH, "B*H");
  const float* c0 = a.f32_opt(13, "c0", BH, "B*H");
  const float* h = a.f32(14, "h", TBH, "T*B*H");
  const float* c = a.f32(15, "c", TBH, "T*B*H");
  const float* gates = a.f32(16, "gates", 4 * TBH, "T*B*4*H");
  const float* w_ih = a.f32(17, "w_ih", int64_t(4) * H * I, "4*H*I");
  const float* w_hh = a.f32(18, "w_hh", int64_t(4) * H * H, "4*H*H");
  float* dgates = a.f32_min(19, "dgates", 4 * TcBH, "Tc*B*4*H (Tc = backward_chunk_steps(T, B))");
  float* dh_next = a.f32_min(20, "dh_next", BH, "B*H");
  float* dc_next = a.f32_min(21, "dc_next", BH, "B*H");
  kernels().lstm_backward(dx, dh0, dc0, dw_ih, dw_hh, db_ih, db_hh, dh, dhT, dcT, x, lengths, h0, c0,
                          h, c, gates, w_ih, w_hh, dgates, dh_next, dc_next, T, B, I, H);
  return info.Env().Undefined();
}

Napi::Value GruForward(const Napi::CallbackInfo& info) {
  Args a(info, "gru_forward", 15);
  const int T = a.dim(11, "T"), B = a.dim(12, "B"), I = a.dim(13, "I"), H = a.dim(14, "H");
  const int64_t TBH = int64_t(T) * B * H, BH = int64_t(B) * H;
  float* h = a.f32(0, "h", TBH, "T*B*H");
  float* gates = a.f32_opt(1, "gates", 3 * TBH, "T*B*3*H");  // null (with hn): inference only
  float* hn = a.f32_if(gates != nullptr, 2, "hn", TBH, "T*B*H", "when gates is given");
  if (!gates && hn)
    throw Napi::TypeError::New(info.Env(), "gru_forward: hn must be null when gates is null (inference saves neither)");
  const float* x = a.f32(3, "x", int64_t(T) * B * I, "T*B*I");
  const int32_t* lengths = a.lengths(4, B, T);
  const float* h0 = a.f32_opt(5, "h0", BH, "B*H");
  const float* w_ih = a.f32(6, "w_ih", int64_t(3) * H * I, "3*H*I");
  const float* w_hh = a.f32(7, "w_hh", int64_t(3) * H * H, "3*H*H");
  const float* b_ih = a.f32(8, "b_ih", int64_t(3) * H, "3*H");
  const float* b_hh = a.f32(9, "b_hh", int64_t(3) * H, "3*H");
  float* w_t = a.f32_min(10, "w_t", gru_forward_scratch_floats(T, B, I, H), "3*H*(I+H)+6*B*H");
  kernels().gru_forward(h, gates, hn, x, lengths, h0, w_ih, w_hh, b_ih, b_hh, w_t, T, B, I, H);
  return info.Env().Undefined();
}

Napi::Value GruBackward(const Napi::CallbackInfo& info) {
  Args a(info, "gru_backward", 23);
  const int T = a.dim(19, "T"), B = a.dim(20, "B"), I = a.dim(21, "I"), H = a.dim(22, "H");
  const int64_t TBH = int64_t(T) * B * H, BH = int64_t(B) * H, TBI = int64_t(T) * B * I;
  const int64_t TcBH = int64_t(backward_chunk_steps(T, B)) * B * H;  // dgates scratch per gate block
  float* dx = a.f32_opt(0, "dx", TBI, "T*B*I");
  float* dh0 = a.f32_opt(1, "dh0", BH, "B*H");
  float* dw_ih = a.f32(2, "dw_ih", int64_t(3) * H * I, "3*H*I");
  float* dw_hh = a.f32(3, "dw_hh", int64_t(3) * H * H, "3*H*H");
  float* db_ih = a.f32(4, "db_ih", int64_t(3) * H, "3*H");
  float* db_hh = a.f32(5, "db_hh", int64_t(3) * H, "3*H");
  const float* dh = a.f32_opt(6, "dh", TBH, "T*B*H");
  const float* dhT = a.f32_opt(7, "dhT", BH, "B*H");
  const float* x = a.f32(8, "x", TBI, "T*B*I");
  const int32_t* lengths = a.lengths(9, B, T);
  const float* h0 = a.f32_opt(10, "h0", BH, "B*H");
  const float* h = a.f32(11, "h", TBH, "T*B*H");
  const float* gates = a.f32(12, "gates", 3 * TBH, "T*B*3*H");
  const float* hn = a.f32(13, "hn", TBH, "T*B*H");
  const float* w_ih = a.f32(14, "w_ih", int64_t(3) * H * I, "3*H*I");
  const float* w_hh = a.f32(15, "w_hh", int64_t(3) * H * H, "3*H*H");
  float* dgates = a.f32_min(16, "dgates", 3 * TcBH, "Tc*B*3*H (Tc = backward_chunk_steps(T, B))");
  float* dgates_hn = a.f32_min(17, "dgates_hn", TcBH, "Tc*B*H (Tc = backward_chunk_steps(T, B))");
  float* dh_next = a.f32_min(18, "dh_next", BH, "B*H");
  kernels().gru_backward(dx, dh0, dw_ih, dw_hh, db_ih, db_hh, dh, dhT, x, lengths, h0, h, gates, hn,
                         w_ih, w_hh, dgates, dgates_hn, dh_next, T, B, I, H);
  return info.Env().Undefined();
}

Napi::Value RnnForward(const Napi::CallbackInfo& info) {
  Args a(info, "rnn_forward", 14);
  const int T = a.dim(9, "T"), B = a.dim(10, "B"), I = a.dim(11, "I"), H = a.dim(12, "H");
  const int relu = a.flag(13, "relu");
  const int64_t TBH = int64_t(T) * B * H, BH = int64_t(B) * H;
  float* h = a.f32(0, "h", TBH, "T*B*H");
  const float* x = a.f32(1, "x", int64_t(T) * B * I, "T*B*I");
  const int32_t* lengths = a.lengths(2, B, T);
  const float* h0 = a.f32_opt(3, "h0", BH, "B*H");
  const float* w_ih = a.f32(4, "w_ih", int64_t(H) * I, "H*I");
  const float* w_hh = a.f32(5, "w_hh", int64_t(H) * H, "H*H");
  const float* b_ih = a.f32(6, "b_ih", H, "H");
  const float* b_hh = a.f32(7, "b_hh", H, "H");
  float* w_t = a.f32_min(8, "w_t", rnn_forward_scratch_floats(T, B, I, H), "H*(I+H)");
  kernels().rnn_forward(h, x, lengths, h0, w_ih, w_hh, b_ih, b_hh, w_t, T, B, I, H, relu);
  return info.Env().Undefined();
}

Napi::Value RnnBackward(const Napi::CallbackInfo& info) {
  Args a(info, "rnn_backward", 21);
  const int T = a.dim(16, "T"), B = a.dim(17, "B"), I = a.dim(18, "I"), H = a.dim(19, "H");
  const int relu = a.flag(20, "relu");
  const int64_t TBH = int64_t(T) * B * H, BH = int64_t(B) * H, TBI = int64_t(T) * B * I;
  const int64_t TcBH = int64_t(backward_chunk_steps(T, B)) * B * H;  // dgates scratch per gate block
  float* dx = a.f32_opt(0, "dx", TBI, "T*B*I");
  float* dh0 = a.f32_opt(1, "dh0", BH, "B*H");
  float* dw_ih = a.f32(2, "dw_ih", int64_t(H) * I, "H*I");
  float* dw_hh = a.f32(3, "dw_hh", int64_t(H) * H, "H*H");
  float* db_ih = a.f32(4, "db_ih", H, "H");
  float* db_hh = a.f32(5, "db_hh", H, "H");
  const float* dh = a.f32_opt(6, "dh", TBH, "T*B*H");
  const float* dhT = a.f32_opt(7, "dhT", BH, "B*H");
  const float* x = a.f32(8, "x", TBI, "T*B*I");
  const int32_t* lengths = a.lengths(9, B, T);
  const float* h0 = a.f32_opt(10, "h0", BH, "B*H");
  const float* h = a.f32(11, "h", TBH, "T*B*H");
  const float* w_ih = a.f32(12, "w_ih", int64_t(H) * I, "H*I");
  const float* w_hh = a.f32(13, "w_hh", int64_t(H) * H, "H*H");
  float* dgates = a.f32_min(14, "dgates", TcBH, "Tc*B*H (Tc = backward_chunk_steps(T, B))");
  float* dh_next = a.f32_min(15, "dh_next", BH, "B*H");
  kernels().rnn_backward(dx, dh0, dw_ih, dw_hh, db_ih, db_hh, dh, dhT, x, lengths, h0, h, w_ih, w_hh,
                         dgates, dh_next, T, B, I, H, relu);
  return info.Env().Undefined();
}

// gemm_nn: C (M,N) += A (M,K) B (K,N); gemm_tn: C += A^T B with A (K,M).
template <bool TA>
Napi::Value Gemm(const Napi::CallbackInfo& info) {
  const char* name = TA ? "gemm_tn" : "gemm_nn";
  Args a(info, name, 9);
  const int M = a.dim(3, "M"), N = a.dim(4, "N"), K = a.dim(5, "K");
  const int ldc = a.dim(6, "ldc"), lda = a.dim(7, "lda"), ldb = a.dim(8, "ldb");
  const int a_cols = TA ? M : K, a_rows = TA ? K : M;
  if (ldc < N) a.range_error("ldc must be >= N = " + std::to_string(N) + ", got " + std::to_string(ldc));
  if (lda < a_cols)
    a.range_error(std::string("lda must be >= ") + (TA ? "M" : "K") + " = " +
                  std::to_string(a_cols) + ", got " + std::to_string(lda));
  if (ldb < N) a.range_error("ldb must be >= N = " + std::to_string(N) + ", got " + std::to_string(ldb));
  float* C = a.f32_min(0, "C", int64_t(M - 1) * ldc + N, "(M-1)*ldc+N");
  const float* A = a.f32_min(1, "A", int64_t(a_rows - 1) * lda + a_cols,
                             TA ? "(K-1)*lda+M" : "(M-1)*lda+K");
  const float* Bm = a.f32_min(2, "B", int64_t(K - 1) * ldb + N, "(K-1)*ldb+N");
  const KernelTable& k = kernels();
  (TA ? k.gemm_tn : k.gemm_nn)(C, A, Bm, M, N, K, ldc, lda, ldb);
  return info.Env().Undefined();
}

Napi::Value LinearForward(const Napi::CallbackInfo& info) {
  Args a(info, "linear_forward", 7);
  const int N = a.dim(4, "N"), In = a.dim(5, "In"), O = a.dim(6, "O");
  float* y = a.f32(0, "y", int64_t(N) * O, "N*O");
  const float* x = a.f32(1, "x", int64_t(N) * In, "N*In");
  const float* w = a.f32(2, "w", int64_t(O) * In, "O*In");
  const float* b = a.f32_opt(3, "b", O, "O");
  kernels().linear_forward(y, x, w, b, N, In, O);
  return info.Env().Undefined();
}

Napi::Value LinearBackward(const Napi::CallbackInfo& info) {
  Args a(info, "linear_backward", 9);
  const int N = a.dim(6, "N"), In = a.dim(7, "In"), O = a.dim(8, "O");
  float* dx = a.f32_opt(0, "dx", int64_t(N) * In, "N*In");
  float* dw = a.f32(1, "dw", int64_t(O) * In, "O*In");
  float* db = a.f32_opt(2, "db", O, "O");
  const float* dy = a.f32(3, "dy", int64_t(N) * O, "N*O");
  const float* x = a.f32(4, "x", int64_t(N) * In, "N*In");
  const float* w = a.f32(5, "w", int64_t(O) * In, "O*In");
  kernels().linear_backward(dx, dw, db, dy, x, w, N, In, O);
  return info.Env().Undefined();
}

// Optimizer state and gradients have p's length n; hyper-parameters are finite numbers (double).
Napi::Value AdamStep(const Napi::CallbackInfo& info) {
  Args a(info, "adam_step", 13);
  const int flags = a.flags(12, "flags", ADAM_AMSGRAD | ADAM_DECOUPLED);
  int n = 0;
  float* p = a.f32_any(0, "p", &n);
  float* m = a.f32(1, "m", n, "p.length");
  float* v = a.f32(2, "v", n, "p.length");
  float* vmax = a.f32_if(flags & ADAM_AMSGRAD, 3, "vmax", n, "p.length", "when flags has ADAM_AMSGRAD");
  const float* g = a.f32(4, "g", n, "p.length");
  const double lr = a.real(5, "lr"), beta1 = a.real(6, "beta1"), beta2 = a.real(7, "beta2");
  const double eps = a.real(8, "eps"), weight_decay = a.real(9, "weight_decay");
  const double step_size = a.real(10, "step_size"), bc2_sqrt = a.real(11, "bc2_sqrt");
  kernels().adam_step(p, m, v, (flags & ADAM_AMSGRAD) ? vmax : nullptr, g, n, lr, beta1, beta2, eps,
                      weight_decay, step_size, bc2_sqrt, flags);
  return info.Env().Undefined();
}

// A momentum must be >= 0 (PyTorch: "Invalid momentum value"); buf is required when it is not 0.
double momentum_arg(const Args& a, size_t i) {
  const double mu = a.real(i, "momentum");
  if (mu < 0.0) a.range_error("momentum must be >= 0, got " + Args::number(mu));
  return mu;
}

Napi::Value SgdStep(const Napi::CallbackInfo& info) {
  Args a(info, "sgd_step", 8);
  const int flags = a.flags(7, "flags", SGD_NESTEROV | SGD_FIRST_STEP);
  const double lr = a.real(3, "lr"), momentum = momentum_arg(a, 4);
  const double dampening = a.real(5, "dampening"), weight_decay = a.real(6, "weight_decay");
  int n = 0;
  float* p = a.f32_any(0, "p", &n);
  float* buf = a.f32_if(momentum != 0.0, 1, "buf", n, "p.length", "when momentum != 0");
  const float* g = a.f32(2, "g", n, "p.length");
  kernels().sgd_step(p, momentum != 0.0 ? buf : nullptr, g, n, lr, momentum, dampening, weight_decay,
                     flags);
  return info.Env().Undefined();
}

Napi::Value RmspropStep(const Napi::CallbackInfo& info) {
  Args a(info, "rmsprop_step", 11);
  const int flags = a.flags(10, "flags", RMSPROP_CENTERED);
  const double lr = a.real(5, "lr"), alpha = a.real(6, "alpha"), eps = a.real(7, "eps");
  const double weight_decay = a.real(8, "weight_decay"), momentum = momentum_arg(a, 9);
  const bool centered = (flags & RMSPROP_CENTERED) != 0;
  int n = 0;
  float* p = a.f32_any(0, "p", &n);
  float* sq = a.f32(1, "sq", n, "p.length");
  float* ga = a.f32_if(centered, 2, "ga", n, "p.length", "when flags has RMSPROP_CENTERED");
  float* buf = a.f32_if(momentum != 0.0, 3, "buf", n, "p.length", "when momentum != 0");
  const float* g = a.f32(4, "g", n, "p.length");
  kernels().rmsprop_step(p, sq, centered ? ga : nullptr, momentum != 0.0 ? buf : nullptr, g, n, lr,
                         alpha, eps, weight_decay, momentum, flags);
  return info.Env().Undefined();
}

// norm_type: 2, 1, or 0 for the inf-norm (src/backend/validate.ts normCode).
Napi::Value GradNorm(const Napi::CallbackInfo& info) {
  Args a(info, "grad_norm", 2);
  int n = 0;
  const float* g = a.f32_any(0, "g", &n);
  const int norm_type = a.integer(1, "norm_type");
  if (norm_type < 0 || norm_type > 2)
    a.range_error("norm_type must be 2, 1 or 0 (the inf-norm), got " + std::to_string(norm_type));
  return Napi::Number::New(info.Env(), kernels().grad_norm(g, n, norm_type));
}

Napi::Value Scale(const Napi::CallbackInfo& info) {
  Args a(info, "scale", 2);
  int n = 0;
  float* x = a.f32_any(0, "x", &n);
  kernels().scale(x, n, a.f32num(1, "alpha"));
  return info.Env().Undefined();
}

// alloc(n): n zeroed floats in 64-byte-aligned native memory (cache-line-aligned arenas: no SIMD
// load straddles two lines, and two threads never share a line at a 16-float boundary). The
// Float32Array views an external ArrayBuffer whose finalizer frees the block once the buffer and
// every view of it (subarray() included) are collected.
constexpr size_t kAlign = 64;

void free_aligned(napi_env, void* data, void*) { ::operator delete(data, std::align_val_t(kAlign)); }

Napi::Value Alloc(const Napi::CallbackInfo& info) {
  Args a(info, "alloc", 1);
  const int n = a.integer(0, "n");
  if (n < 0) a.range_error("n must be a non-negative integer, got " + std::to_string(n));
  Napi::Env env = info.Env();
  const size_t bytes = size_t(n) * sizeof(float);
  const size_t padded = bytes == 0 ? kAlign : (bytes + kAlign - 1) / kAlign * kAlign;
  void* data = ::operator new(padded, std::align_val_t(kAlign), std::nothrow);
  if (data == nullptr)
    throw Napi::RangeError::New(env, a.prefix() + "out of memory allocating " + std::to_string(n) +
                                         " floats (" + std::to_string(padded) + " bytes)");
  std::memset(data, 0, padded);
  napi_value ab = nullptr;
  if (napi_create_external_arraybuffer(env, data, bytes, free_aligned, nullptr, &ab) == napi_ok)
    return Napi::Float32Array::New(env, size_t(n), Napi::ArrayBuffer(env, ab), 0);
  // Runtimes that forbid external buffers (a V8 sandbox, e.g. Electron): an ordinary ArrayBuffer
  // (zero-filled, never moved by the GC) with 64 spare bytes, viewed from its first aligned float.
  ::operator delete(data, std::align_val_t(kAlign));
  Napi::ArrayBuffer buf = Napi::ArrayBuffer::New(env, bytes + kAlign);
  const size_t offset = (kAlign - reinterpret_cast<uintptr_t>(buf.Data()) % kAlign) % kAlign;
  return Napi::Float32Array::New(env, size_t(n), buf, offset);
}

Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  Args a(info, "set_threads", 1);
  set_threads(a.integer(0, "n"));
  return info.Env().Undefined();
}

Napi::Value GetThreads(const Napi::CallbackInfo& info) {
  Args a(info, "get_threads", 0);
  return Napi::Number::New(info.Env(), get_threads());
}

Napi::Value SetVariant(const Napi::CallbackInfo& info) {
  Args a(info, "set_variant", 1);
  const std::string name = a.str(0, "name");
  return Napi::Boolean::New(info.Env(), set_variant(name.c_str()));
}

Napi::Value Info(const Napi::CallbackInfo& info) {
  Args a(info, "info", 0);
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("variant", kernels().variant);
  int n = 0;
  const char* const* names = available_variants(&n);
  Napi::Array arr = Napi::Array::New(env, size_t(n));
  for (int i = 0; i < n; ++i) arr.Set(uint32_t(i), names[i]);
  o.Set("variants", arr);
  o.Set("threads", get_threads());
  o.Set("hardwareThreads", pool::hardware_threads());
  return o;
}

// Tests only: multiply-adds per step (or per product) below which kernels stay single-threaded.
// _set_parallel_threshold(0) forces threading on tiny shapes so thread-count invariance can be
// checked; returns the previous value.
Napi::Value SetParallelThreshold(const Napi::CallbackInfo& info) {
  Args a(info, "_set_parallel_threshold", 1);
  const Napi::Value v = info[0];
  if (!v.IsNumber()) throw Napi::TypeError::New(info.Env(), a.prefix() + "macs must be a number");
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= 0) || d > 9.0e15)
    a.range_error("macs must be a non-negative number, got " + std::to_string(d));
  const int64_t prev = pool::min_parallel_work();
  pool::set_min_parallel_work(int64_t(d));
  return Napi::Number::New(info.Env(), double(prev));
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  kernels();  // pick_best() once, at load
  exports.Set("lstm_forward", Napi::Function::New(env, LstmForward, "lstm_forward"));
  exports.Set("lstm_backward", Napi::Function::New(env, LstmBackward, "lstm_backward"));
  exports.Set("gru_forward", Napi::Function::New(env, GruForward, "gru_forward"));
  exports.Set("gru_backward", Napi::Function::New(env, GruBackward, "gru_backward"));
  exports.Set("rnn_forward", Napi::Function::New(env, RnnForward, "rnn_forward"));
  exports.Set("rnn_backward", Napi::Function::New(env, RnnBackward, "rnn_backward"));
  exports.Set("gemm_nn", Napi::Function::New(env, Gemm<false>, "gemm_nn"));
  exports.Set("gemm_tn", Napi::Function::New(env, Gemm<true>, "gemm_tn"));
  exports.Set("linear_forward", Napi::Function::New(env, LinearForward, "linear_forward"));
  exports.Set("linear_backward", Napi::Function::New(env, LinearBackward, "linear_backward"));
  exports.Set("adam_step", Napi::Function::New(env, AdamStep, "adam_step"));
  exports.Set("sgd_step", Napi::Function::New(env, SgdStep, "sgd_step"));
  exports.Set("rmsprop_step", Napi::Function::New(env, RmspropStep, "rmsprop_step"));
  exports.Set("grad_norm", Napi::Function::New(env, GradNorm, "grad_norm"));
  exports.Set("scale", Napi::Function::New(env, Scale, "scale"));
  exports.Set("alloc", Napi::Function::New(env, Alloc, "alloc"));
  exports.Set("set_threads", Napi::Function::New(env, SetThreads, "set_threads"));
  exports.Set("get_threads", Napi::Function::New(env, GetThreads, "get_threads"));
  exports.Set("set_variant", Napi::Function::New(env, SetVariant, "set_variant"));
  exports.Set("info", Napi::Function::New(env, Info, "info"));
  exports.Set("_set_parallel_threshold",
              Napi::Function::New(env, SetParallelThreshold, "_set_parallel_threshold"));
  register_stream(env, exports);  // stream_bind (stream.cpp)
  register_layout(env, exports);  // convert_layout (layout.cpp)
  return exports;
}

}  // namespace
}  // namespace binding
}  // namespace seqcast

static Napi::Object InitSeqcast(Napi::Env env, Napi::Object exports) {
  return seqcast::binding::Init(env, exports);
}
NODE_API_MODULE(seqcast, InitSeqcast)
