// The kernel contract: plain C++, no N-API types. assembly/lstm.ts mirrors it function for function.
//
// Layout rules (see ../shared/STYLE.md):
// - Buffers are flat float32, row-major and time-major: x is (T, B, I), h is (T, B, H).
// - Weights are (out, in) as in PyTorch, gate blocks of H rows in PyTorch order (LSTM: i, f, g, o).
// - Argument order: written buffers, read buffers, params, scratch, dims. Dims are explicit and last.
// - Backward ACCUMULATES (+=) into every d* buffer; the caller zeroes them.
// - A null pointer for an optional buffer (h0, c0, dh, dhT, dcT, dx, dh0, dc0) means "zeros" when read
//   and "not wanted" when written.
// - Kernels never allocate, throw, log or read globals other than the thread pool. Validation happens
//   in the binding and the TypeScript facade before the call.
// - Results never depend on the thread count: work is split across output rows/columns, never across a
//   reduction, so one backend run twice (with any thread count) is bit-identical.
#pragma once
#include <cstdint>

namespace seqcast {

// Floats of scratch each kernel needs (the TypeScript workspace plan asks for these).
//   forward scratch:  w_t      = 4H*I + 4H*H      (W_ih^T then W_hh^T, packed once per call)
//   backward scratch: dgates   = T*B*4H, dh_next = B*H, dc_next = B*H
inline int64_t lstm_forward_scratch_floats(int /*T*/, int /*B*/, int I, int H) {
  return int64_t(4) * H * I + int64_t(4) * H * H;
}

// LSTM over a whole sequence. gates holds the post-activation (i, f, g, o) of every step.
using LstmForwardFn = void (*)(float* h, float* c, float* gates,              // (T,B,H) (T,B,H) (T,B,4H)
                               const float* x, const float* h0, const float* c0,  // (T,B,I) (B,H)? (B,H)?
                               const float* w_ih, const float* w_hh,             // (4H,I) (4H,H)
                               const float* b_ih, const float* b_hh,             // (4H) (4H)
                               float* w_t,                                       // scratch 4H*(I+H)
                               int T, int B, int I, int H);

// Backpropagation through time for lstm_forward. dh is dL/dh_t for every step (the layer output),
// dhT/dcT the gradient arriving on the final state. Accumulates into every written buffer.
using LstmBackwardFn = void (*)(float* dx, float* dh0, float* dc0,                // (T,B,I)? (B,H)? (B,H)?
                                float* dw_ih, float* dw_hh,                       // (4H,I) (4H,H)
                                float* db_ih, float* db_hh,                       // (4H) (4H)
                                const float* dh, const float* dhT, const float* dcT,  // (T,B,H)? (B,H)? (B,H)?
                                const float* x, const float* h0, const float* c0, // (T,B,I) (B,H)? (B,H)?
                                const float* h, const float* c, const float* gates,  // saved by forward
                                const float* w_ih, const float* w_hh,             // (4H,I) (4H,H)
                                float* dgates, float* dh_next, float* dc_next,    // scratch (T,B,4H) (B,H) (B,H)
                                int T, int B, int I, int H);

// C (M,N) += A (M,K) * B (K,N), row-major with leading dimensions. Exposed for tests and the bench.
using GemmNnFn = void (*)(float* C, const float* A, const float* Bm, int M, int N, int K,
                          int ldc, int lda, int ldb);
// C (M,N) += A^T * B with A (K,M) and B (K,N): the weight-gradient product over all time steps.
using GemmTnFn = void (*)(float* C, const float* A, const float* Bm, int M, int N, int K,
                          int ldc, int lda, int ldb);

// One SIMD variant. dispatch.cpp fills it once at load from cpuid.
struct KernelTable {
  const char* variant;  // "avx512", "avx2", "neon", "scalar"
  LstmForwardFn lstm_forward;
  LstmBackwardFn lstm_backward;
  GemmNnFn gemm_nn;
  GemmTnFn gemm_tn;
};

const KernelTable& kernels();                 // the active table
bool set_variant(const char* name);           // tests and benches only; false if not available here
const char* const* available_variants(int* count);

// The persistent worker pool shared by every kernel.
void set_threads(int n);                       // n <= 0: all hardware threads
int get_threads();

}  // namespace seqcast
