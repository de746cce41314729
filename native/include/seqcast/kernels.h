// The kernel contract: plain C++, no N-API types. assembly/lstm.ts mirrors it function for function.
//
// Layout rules (see ../shared/STYLE.md):
// - Buffers are flat float32, row-major and time-major: x is (T, B, I), h is (T, B, H).
// - Weights are (out, in) as in PyTorch, gate blocks of H rows in PyTorch order (LSTM: i, f, g, o).
// - Argument order: written buffers, read buffers, params, scratch, dims. Dims are explicit and last.
// - Backward ACCUMULATES (+=) into every d* buffer; the caller zeroes them.
// - A null pointer for an optional buffer (h0, c0, dh, dhT, dcT, dx, dh0, dc0, lengths) means "zeros"
//   (or "all rows have length T") when read and "not wanted" when written.
// - Variable lengths: lengths (B) int32 in [1, T], or null. Steps t >= lengths[b] of row b are padding:
//   forward CARRIES the state (h_t = h_{t-1}, c_t = c_{t-1}, with h_{-1} = h0 or 0) and writes zeros
//   to that row's saved gates; backward there sets that row's dgates to 0, adds dh[t] to dh_next and
//   passes dh_next/dc_next through unchanged. So h[T-1] is each row's final state, as PyTorch's packed
//   h_n. (The facade zeroes padded outputs and reverses each row within its length for reverse
//   directions.)
// - Kernels never allocate, throw, log or read globals other than the thread pool. Validation happens
//   in the binding and the TypeScript facade before the call.
// - Results never depend on the thread count: work is split across output rows/columns, never across a
//   reduction, so one backend run twice (with any thread count) is bit-identical.
#pragma once
#include <cstdint>

namespace seqcast {

// Floats of scratch each kernel needs (src/layout/cells.ts plans the same sizes).
//   LSTM forward:  w_t = 4H*I + 4H*H + B*4H       (packed weights, then one step's projection when
//                                                  inference only; layout private to each backend)
//   LSTM backward: dgates (Tc,B,4H), dh_next (B,H), dc_next (B,H)
//   GRU forward:   w_t = 3H*I + 3H*H + B*3H + B*3H (packed weights, the per-step h_prev W_hh^T, and
//                                                  one step's projection when inference only)
//   GRU backward:  dgates (Tc,B,3H), dgates_hn (Tc,B,H), dh_next (B,H)
//   RNN forward:   w_t = H*I + H*H
//   RNN backward:  dgates (Tc,B,H), dh_next (B,H)
// with Tc = backward_chunk_steps(T, B). Scratch contents are private to each backend (native and
// WASM may pack differently).
inline int64_t lstm_forward_scratch_floats(int /*T*/, int B, int I, int H) {
  return int64_t(4) * H * I + int64_t(4) * H * H + int64_t(4) * B * H;
}
inline int64_t gru_forward_scratch_floats(int /*T*/, int B, int I, int H) {
  return int64_t(3) * H * I + int64_t(3) * H * H + int64_t(6) * B * H;
}
inline int64_t rnn_forward_scratch_floats(int /*T*/, int /*B*/, int I, int H) {
  return int64_t(H) * I + int64_t(H) * H;
}

// Backward keeps the gate gradients (dgates, GRU's dgates_hn) of a chunk of Tc steps, not of all T:
// once steps [t0, t0 + Tc) are done (t descending), their weight gradients and dx are products over
// the chunk's Tc*B rows, and the buffer is reused for the steps before. Chunks start at multiples
// of Tc, so the last one (the first processed) may be shorter. The products lose nothing to the
// split once a chunk has several hundred rows (the GEMM reloads C every KC = 256 of K anyway):
// at LSTM W3 (T=128 B=64 H=256, 2 layers) chunks of 256 to 2048 rows trained forward + backward
// within the noise (a few %) of one product over all T*B rows, at 1 and 2 threads.
// At least 2 steps: threads write step t-1's dgates while others still read step t's (the product
// dh_{t-1} += dgates_t W_hh), so the two steps must not share the buffer's slot.
constexpr int kBackwardChunkRows = 256;
inline int backward_chunk_steps(int T, int B) {
  if (T <= 2 || B <= 0) return T;
  const int steps = B >= kBackwardChunkRows ? 1 : (kBackwardChunkRows + B - 1) / B;  // no overflow at huge B
  return steps < 2 ? 2 : steps < T ? steps : T;
}

// LSTM over a whole sequence. gates holds the post-activation (i, f, g, o) of every step. gates null
// = inference only: h and c are the same (bit for bit), nothing is saved for backward, and each step's
// projection stays in the w_t scratch instead of a (T,B,4H) buffer written and read back.
using LstmForwardFn = void (*)(float* h, float* c, float* gates,              // (T,B,H) (T,B,H) (T,B,4H)?
                               const float* x, const int32_t* lengths,           // (T,B,I) (B)?
                               const float* h0, const float* c0,                 // (B,H)? (B,H)?
                               const float* w_ih, const float* w_hh,             // (4H,I) (4H,H)
                               const float* b_ih, const float* b_hh,             // (4H) (4H)
                               float* w_t,                                       // scratch 4H*(I+H+B)
                               int T, int B, int I, int H);

// Backpropagation through time for lstm_forward. dh is dL/dh_t for every step (the layer output),
// dhT/dcT the gradient arriving on the final state. Accumulates into every written buffer.
using LstmBackwardFn = void (*)(float* dx, float* dh0, float* dc0,                // (T,B,I)? (B,H)? (B,H)?
                                float* dw_ih, float* dw_hh,                       // (4H,I) (4H,H)
                                float* db_ih, float* db_hh,                       // (4H) (4H)
                                const float* dh, const float* dhT, const float* dcT,  // (T,B,H)? (B,H)? (B,H)?
                                const float* x, const int32_t* lengths,           // (T,B,I) (B)?
                                const float* h0, const float* c0,                 // (B,H)? (B,H)?
                                const float* h, const float* c, const float* gates,  // saved by forward
                                const float* w_ih, const float* w_hh,             // (4H,I) (4H,H)
                                float* dgates, float* dh_next, float* dc_next,    // scratch (Tc,B,4H) (B,H) (B,H)
                                int T, int B, int I, int H);

// GRU over a whole sequence, PyTorch's formula (gate order r, z, n; r multiplies W_hn h + b_hn):
//   r = sigmoid(W_ir x + b_ir + W_hr h + b_hr), z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
//   n = tanh(W_in x + b_in + r * (W_hn h + b_hn)),  h' = (1 - z) * n + z * h
// gates holds post-activation (r, z, n); hn holds W_hn h_prev + b_hn of every step (backward needs it).
// gates and hn both null = inference only, as for LSTM.
using GruForwardFn = void (*)(float* h, float* gates, float* hn,                 // (T,B,H) (T,B,3H)? (T,B,H)?
                              const float* x, const int32_t* lengths, const float* h0,  // (T,B,I) (B)? (B,H)?
                              const float* w_ih, const float* w_hh,              // (3H,I) (3H,H)
                              const float* b_ih, const float* b_hh,              // (3H) (3H)
                              float* w_t,                                        // scratch 3H*(I+H) + 6BH
                              int T, int B, int I, int H);

// BPTT for gru_forward. db_ih and db_hh differ in the n block (b_hn sits inside the reset product).
using GruBackwardFn = void (*)(float* dx, float* dh0,                           // (T,B,I)? (B,H)?
                               float* dw_ih, float* dw_hh,                       // (3H,I) (3H,H)
                               float* db_ih, float* db_hh,                       // (3H) (3H)
                               const float* dh, const float* dhT,                // (T,B,H)? (B,H)?
                               const float* x, const int32_t* lengths, const float* h0,  // (T,B,I) (B)? (B,H)?
                               const float* h, const float* gates, const float* hn,  // saved by forward
                               const float* w_ih, const float* w_hh,             // (3H,I) (3H,H)
                               float* dgates, float* dgates_hn, float* dh_next,  // scratch (Tc,B,3H) (Tc,B,H) (B,H)
                               int T, int B, int I, int H);

// Plain (Elman) RNN: h' = act(W_ih x + b_ih + W_hh h + b_hh), act = tanh (relu = 0) or relu (relu = 1).
// relu'(0) is taken as 0, as PyTorch's threshold_backward.
using RnnForwardFn = void (*)(float* h,                                          // (T,B,H)
                              const float* x, const int32_t* lengths, const float* h0,  // (T,B,I) (B)? (B,H)?
                              const float* w_ih, const float* w_hh,              // (H,I) (H,H)
                              const float* b_ih, const float* b_hh,              // (H) (H)
                              float* w_t,                                        // scratch H*(I+H)
                              int T, int B, int I, int H, int relu);

using RnnBackwardFn = void (*)(float* dx, float* dh0,                           // (T,B,I)? (B,H)?
                               float* dw_ih, float* dw_hh,                       // (H,I) (H,H)
                               float* db_ih, float* db_hh,                       // (H) (H)
                               const float* dh, const float* dhT,                // (T,B,H)? (B,H)?
                               const float* x, const int32_t* lengths, const float* h0,  // (T,B,I) (B)? (B,H)?
                               const float* h,                                   // saved by forward
                               const float* w_ih, const float* w_hh,             // (H,I) (H,H)
                               float* dgates, float* dh_next,                    // scratch (Tc,B,H) (B,H)
                               int T, int B, int I, int H, int relu);

// ---- Training: dense heads, optimizer steps and gradient clipping, each over one flat buffer.

// Dense layer (PyTorch's nn.Linear): y (N,O) = x (N,In) W^T + b, W (O,In), b (O) or null.
using LinearForwardFn = void (*)(float* y, const float* x, const float* w, const float* b,
                                 int N, int In, int O);
// Backward of linear_forward, accumulating: dx += dy W (dx null: not wanted), dw += dy^T x,
// db += column sums of dy (db null: no bias).
using LinearBackwardFn = void (*)(float* dx, float* dw, float* db, const float* dy,
                                  const float* x, const float* w, int N, int In, int O);

// Optimizer steps over every parameter at once (PyTorch 1.13 single-tensor formulas, float32 state).
// Hyper-parameters are double, as PyTorch's Python floats: derived scalars such as 1 - beta2 are
// formed in double and rounded to float once (rounding beta2 = 0.999 to float first makes 1 - beta2
// off by 1.3e-5 relative, more than the fixtures allow). Step-count scalars come from the caller.
// Adam / AdamW:
//   flags & ADAM_DECOUPLED (AdamW): p *= 1 - lr*wd;   else g' = g + wd*p
//   m = b1*m + (1-b1)*g';  v = b2*v + (1-b2)*g'^2;  flags & ADAM_AMSGRAD: vmax = max(vmax, v), v := vmax
//   p -= step_size * m / (sqrt(v) / bc2_sqrt + eps)   (step_size = lr/(1-b1^t), bc2_sqrt = sqrt(1-b2^t))
constexpr int ADAM_AMSGRAD = 1, ADAM_DECOUPLED = 2;
using AdamStepFn = void (*)(float* p, float* m, float* v, float* vmax,           // vmax null unless amsgrad
                            const float* g, int n, double lr, double beta1, double beta2, double eps,
                            double weight_decay, double step_size, double bc2_sqrt, int flags);
// SGD: g' = g + wd*p; with momentum mu > 0: buf = first step ? g' : mu*buf + (1-dampening)*g',
//   g' = nesterov ? g' + mu*buf : buf;  then p -= lr*g'.
constexpr int SGD_NESTEROV = 1, SGD_FIRST_STEP = 2;
using SgdStepFn = void (*)(float* p, float* buf, const float* g, int n,          // buf null if mu = 0
                           double lr, double momentum, double dampening, double weight_decay, int flags);
// RMSprop: g' = g + wd*p; sq = a*sq + (1-a)*g'^2;
//   centered: ga = a*ga + (1-a)*g', avg = sqrt(sq - ga^2) + eps; else avg = sqrt(sq) + eps
//   momentum mu > 0: buf = mu*buf + g'/avg, p -= lr*buf; else p -= lr*g'/avg.
constexpr int RMSPROP_CENTERED = 1;
using RmspropStepFn = void (*)(float* p, float* sq, float* ga, float* buf,       // ga, buf null when unused
                               const float* g, int n, double lr, double alpha, double eps,
                               double weight_decay, double momentum, int flags);
// Norm of a flat buffer, accumulated in double in a fixed order (deterministic):
// norm_type 2: sqrt(sum g^2), 1: sum |g|, 0: max |g| (the inf-norm).
using GradNormFn = double (*)(const float* g, int n, int norm_type);
// x *= alpha (gradient clipping's rescale; float, as PyTorch multiplies by a float32 tensor).
using ScaleFn = void (*)(float* x, int n, float alpha);

// C (M,N) += A (M,K) * B (K,N), row-major with leading dimensions. Exposed for tests and the bench.
using GemmNnFn = void (*)(float* C, const float* A, const float* Bm, int M, int N, int K,
                          int ldc, int lda, int ldb);
// C (M,N) += A^T * B with A (K,M) and B (K,N): the weight-gradient product over all time steps.
using GemmTnFn = void (*)(float* C, const float* A, const float* Bm, int M, int N, int K,
                          int ldc, int lda, int ldb);

// ---- Streaming (batch 1, one step, state carried): src/model/stream.ts via native/binding/stream.cpp
// (assembly/stream.ts: the same two kernels for WASM).
// A stack of unidirectional layers of one cell kind plus a dense head. stream_pack packs a layer's
// weights once (layout private to the variant that packed it: step with the same table);
// stream_step advances every layer's h (and c) by one step on x and writes the head's y (O > 0).
// Results equal the *_forward kernels (T = 1, B = 1) followed by linear_forward on the same variant.
constexpr int STREAM_LSTM = 0, STREAM_GRU = 1, STREAM_RNN_TANH = 2, STREAM_RNN_RELU = 3;
inline int stream_gates(int cell) { return cell == STREAM_LSTM ? 4 : cell == STREAM_GRU ? 3 : 1; }
inline int64_t stream_packed_floats(int cell, int I, int H) { return int64_t(stream_gates(cell)) * H * (I + H); }
inline int64_t stream_scratch_floats(int cell, int H) { return int64_t(2) * stream_gates(cell) * H + 2 * int64_t(H); }
struct StreamLayer {
  const float* w_p;          // stream_pack's output, stream_packed_floats(cell, I, H)
  const float *b_ih, *b_hh;  // (GH) (GH)
  float* h;                  // (H) state: h_{t-1} in, h_t out
  float* c;                  // (H) LSTM cell state, in and out; null for GRU and RNN
  int I;                     // input width: the input size for layer 0, H above
};
using StreamPackFn = void (*)(float* w_p, const float* w_ih, const float* w_hh, int cell, int I, int H);
using StreamStepFn = void (*)(float* y, const float* x,                        // (O) (I of layer 0)
                              const StreamLayer* layers,                       // (L)
                              const float* head_w, const float* head_b,        // (O,H) (O)?
                              float* scratch,                                  // stream_scratch_floats
                              int cell, int L, int H, int O);

// One SIMD variant. dispatch.cpp fills it once at load from cpuid.
struct KernelTable {
  const char* variant;  // "avx512", "avx2", "neon", "scalar"
  LstmForwardFn lstm_forward;
  LstmBackwardFn lstm_backward;
  GruForwardFn gru_forward;
  GruBackwardFn gru_backward;
  RnnForwardFn rnn_forward;
  RnnBackwardFn rnn_backward;
  LinearForwardFn linear_forward;
  LinearBackwardFn linear_backward;
  AdamStepFn adam_step;
  SgdStepFn sgd_step;
  RmspropStepFn rmsprop_step;
  GradNormFn grad_norm;
  ScaleFn scale;
  GemmNnFn gemm_nn;
  GemmTnFn gemm_tn;
  StreamPackFn stream_pack;
  StreamStepFn stream_step;
};

const KernelTable& kernels();                 // the active table
bool set_variant(const char* name);           // tests and benches only; false if not available here
const char* const* available_variants(int* count);

// The persistent worker pool shared by every kernel.
void set_threads(int n);                       // n <= 0: all hardware threads
int get_threads();

}  // namespace seqcast
