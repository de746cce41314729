// Register-blocked GEMM shared by every variant (scalar.cpp, avx2.cpp, avx512.cpp instantiate it
// with their own vector-ops struct V, compiled with that file's flags). No mirror in assembly/
// beyond the dot/axpy loops of simd.ts.
//
//   C (M,N) (+)= op(A) (M,K) * B (K,N), row-major with leading dimensions;
//   op(A) = A (M,K) for gemm_nn, A^T with A (K,M) for gemm_tn (the weight-gradient product).
//
// Design (as in BLIS/OpenBLAS, without packing: every B panel used here is already row-major and
// contiguous): the microkernel holds an MR x (2 W) tile of C in registers, and per k loads two
// vectors of the B row and broadcasts MR values of A. Loops: K in blocks of KC (the B panel,
// KC x 2W floats, stays in L1), M in blocks of MC (the A block stays in L2), then column panels,
// then row tiles. Tails: row tails pick a smaller MR at compile time; column tails use masked
// loads/stores with the same arithmetic per lane.
//
// Determinism: every C element is computed by the same sequence of FMAs (k ascending, KC blocks
// fixed) whatever tile, thread or split it falls in, so any row/column split gives bit-identical
// results.
#pragma once
#include <cstddef>
#include <cstdint>

#include <seqcast/kernels.h>

#include "threads.h"

namespace seqcast {
namespace impl {

using idx = std::ptrdiff_t;
static inline int imin(int a, int b) { return a < b ? a : b; }
static inline int imax(int a, int b) { return a > b ? a : b; }

template <class V>
struct Gemm {
  using reg = typename V::reg;
  using mask = typename V::mask;
  static constexpr int W = V::W;
  static constexpr int MR = V::MR;
  static constexpr int NR = 2 * W;
  static constexpr int KC = 256;
  static constexpr int MC = MR * 8;  // A block MC x KC stays in L2

  // How a tile's accumulators start: from C (C += ...), from zero (C = ...), or from one or the
  // sum of two bias rows (C = b1 [+ b2] + ...: the input projections and GRU's per-step
  // h_prev W_hh^T + b_hh, saving a pass over the output).
  struct Init {
    int mode;  // 0 load C, 1 zero, 2 bias
    const float* b1;
    const float* b2;
  };

  // acc[R][NV] over kc steps. A points at (row 0, k 0) of the tile: element (r, k) is
  // A[k*lda + r] when TA, else A[r*lda + k]. (Software prefetch was tried and measured slower:
  // the hardware prefetchers follow these strided rows.)
  template <bool TA, int R, int NV, bool MASKED>
  static inline void micro(int kc, const float* A, idx lda, const float* Bm, idx ldb, float* C,
                           idx ldc, mask m, Init init) {
    reg acc[R][NV];
    if (init.mode == 2) {
      // lanes [0, W) and [W, 2W) of the bias row(s); b2 is optional (GRU's b_hh alone)
      const bool m0 = MASKED && NV == 1;
      reg b0 = m0 ? V::loadm(init.b1, m) : V::load(init.b1);
      reg b1 = b0;
      if (NV == 2) b1 = MASKED ? V::loadm(init.b1 + W, m) : V::load(init.b1 + W);
      if (init.b2) {
        b0 = V::add(b0, m0 ? V::loadm(init.b2, m) : V::load(init.b2));
        if (NV == 2) b1 = V::add(b1, MASKED ? V::loadm(init.b2 + W, m) : V::load(init.b2 + W));
      }
#pragma GCC unroll 16
      for (int r = 0; r < R; ++r) {
        acc[r][0] = b0;
        if (NV == 2) acc[r][NV - 1] = b1;
      }
    } else
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
      if (init.mode == 1) {
        acc[r][0] = V::zero();
        if (NV == 2) acc[r][NV - 1] = V::zero();
      } else if (NV == 2) {
        acc[r][0] = V::load(C + r * ldc);
        acc[r][NV - 1] = MASKED ? V::loadm(C + r * ldc + W, m) : V::load(C + r * ldc + W);
      } else {
        acc[r][0] = MASKED ? V::loadm(C + r * ldc, m) : V::load(C + r * ldc);
      }
    }
    for (int k = 0; k < kc; ++k) {
      const float* b = Bm + k * ldb;
      reg b0, b1;
      if (NV == 2) {
        b0 = V::load(b);
        b1 = MASKED ? V::loadm(b + W, m) : V::load(b + W);
      } else {
        b0 = MASKED ? V::loadm(b, m) : V::load(b);
        b1 = b0;
      }
#pragma GCC unroll 16
      for (int r = 0; r < R; ++r) {
        const reg a = TA ? V::bcast(A + k * lda + r) : V::bcast(A + r * lda + k);
        acc[r][0] = V::fmadd(a, b0, acc[r][0]);
        if (NV == 2) acc[r][NV - 1] = V::fmadd(a, b1, acc[r][NV - 1]);
      }
    }
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
      if (NV == 2) {
        V::store(C + r * ldc, acc[r][0]);
        if (MASKED) V::storem(C + r * ldc + W, acc[r][NV - 1], m);
        else V::store(C + r * ldc + W, acc[r][NV - 1]);
      } else if (MASKED) {
        V::storem(C + r * ldc, acc[r][0], m);
      } else {
        V::store(C + r * ldc, acc[r][0]);
      }
    }
  }

  template <bool TA, int NV, bool MASKED, int R = MR>
  static inline void rows(int mr, int kc, const float* A, idx lda, const float* Bm, idx ldb,
                          float* C, idx ldc, mask m, Init init) {
    if constexpr (R > 0) {
      if (mr == R) micro<TA, R, NV, MASKED>(kc, A, lda, Bm, ldb, C, ldc, m, init);
      else rows<TA, NV, MASKED, R - 1>(mr, kc, A, lda, Bm, ldb, C, ldc, m, init);
    }
  }

  template <bool TA>
  static inline void tile(int mr, int nr, int kc, const float* A, idx lda, const float* Bm,
                          idx ldb, float* C, idx ldc, Init init) {
    if (nr == NR) rows<TA, 2, false>(mr, kc, A, lda, Bm, ldb, C, ldc, V::mask_n(W), init);
    else if (nr > W) rows<TA, 2, true>(mr, kc, A, lda, Bm, ldb, C, ldc, V::mask_n(nr - W), init);
    else if (nr == W) rows<TA, 1, false>(mr, kc, A, lda, Bm, ldb, C, ldc, V::mask_n(W), init);
    else rows<TA, 1, true>(mr, kc, A, lda, Bm, ldb, C, ldc, V::mask_n(nr), init);
  }

  // N == 1 (e.g. dx or dW_ih with one input feature): the 2W-wide tile would use one lane, so
  // vectorize over M instead. gemm_tn: C[i] += sum_k A[k][i] B[k], A rows contiguous in i.
  // Needs ldc == 1 (C contiguous). Same k-ascending FMA order per element as above.
  static inline void tn_n1(float* C, const float* A, const float* Bm, int M, int K, idx lda,
                           idx ldb, bool accumulate) {
    for (int i = 0; i < M; i += W) {
      const int n = imin(W, M - i);
      const mask m = V::mask_n(n);
      reg acc = accumulate ? V::loadm(C + i, m) : V::zero();
      for (int k = 0; k < K; ++k)
        acc = V::fmadd(V::bcast(Bm + k * ldb), V::loadm(A + k * lda + i, m), acc);
      V::storem(C + i, acc, m);
    }
  }

  // C (M,N) op= op(A) * B on the whole given range, single-threaded.
  // packed: B is stored as column panels (pack_panels below): the panel starting at column j
  // (a multiple of NR from Bm) is K rows of nr contiguous floats at Bm + j*K, nr = min(NR, N-j).
  // bias1/bias2: C = bias1 + bias2 + op(A) B (row vectors of N; bias2 may be null), instead of
  // C += ... (ignored when accumulate).
  template <bool TA>
  static void block(float* C, const float* A, const float* Bm, int M, int N, int K, idx ldc,
                    idx lda, idx ldb, bool accumulate, bool packed = false,
                    const float* bias1 = nullptr, const float* bias2 = nullptr) {
    if (M <= 0 || N <= 0) return;
    if (K <= 0) {
      for (int i = 0; i < M; ++i)
        for (int j = 0; j < N; ++j)
          C[i * ldc + j] = bias1 ? (bias2 ? bias1[j] + bias2[j] : bias1[j])
                                 : accumulate ? C[i * ldc + j] : 0.0f;
      return;
    }
    if (TA && N == 1 && ldc == 1 && !bias1) {
      tn_n1(C, A, Bm, M, K, lda, ldb, accumulate);
      return;
    }
    for (int k0 = 0; k0 < K; k0 += KC) {
      const int kc = imin(KC, K - k0);
      const float* Ak = TA ? A + k0 * lda : A + k0;
      for (int i0 = 0; i0 < M; i0 += MC) {
        const int mc = imin(MC, M - i0);
        // balanced row tiles: 64 rows with MR 14 are 13+13+13+13+12, not 14*4+8
        const int ntiles = (mc + MR - 1) / MR, base = mc / ntiles, extra = mc % ntiles;
        for (int j = 0; j < N; j += NR) {
          const int nr = imin(NR, N - j);
          const float* Bp = packed ? Bm + j * idx(K) + k0 * idx(nr) : Bm + k0 * ldb + j;
          const idx ldbp = packed ? nr : ldb;
          Init init{accumulate || k0 > 0 ? 0 : bias1 ? 2 : 1, nullptr, nullptr};
          if (bias1) init.b1 = bias1 + j, init.b2 = bias2 ? bias2 + j : nullptr;
          int i = i0;
          for (int tix = 0; tix < ntiles; ++tix) {
            const int mr = base + (tix < extra ? 1 : 0);
            const float* Ai = TA ? Ak + i : Ak + i * lda;
            tile<TA>(mr, nr, kc, Ai, lda, Bp, ldbp, C + i * ldc + j, ldc, init);
            i += mr;
          }
        }
      }
    }
  }

  // Packs W (N, K) row-major (an (out, in) weight) as W^T (K, N) in column panels for
  // block(packed = true): panels of NR columns restart at every multiple of `group` columns
  // (the gate blocks, so a thread owning units [u0, u1) of every gate reads whole panels).
  // Panels [p0, p1) of the ngroups*ceil(group/NR) total.
  static void pack_panels(float* dst, const float* Wsrc, int N, int K, int group, int p0, int p1) {
    const int per = (group + NR - 1) / NR;
    for (int p = p0; p < p1; ++p) {
      const int col0 = (p / per) * group + (p % per) * NR;
      const int nr = imin(NR, (p / per) * group + group - col0);
      float* d = dst + idx(col0) * K;
      for (int jj = 0; jj < nr; ++jj) {
        const float* src = Wsrc + idx(col0 + jj) * K;
        for (int k = 0; k < K; ++k) d[idx(k) * nr + jj] = src[k];
      }
      (void)N;
    }
  }
  static int panel_count(int N, int group) { return (N / group) * ((group + NR - 1) / NR); }

  // Part `tid` of nth of the product, split over rows (or columns when M is too short).
  template <bool TA>
  static void part(int tid, int nth, float* C, const float* A, const float* Bm, int M, int N,
                   int K, idx ldc, idx lda, idx ldb, bool accumulate) {
    if (nth <= 1) {
      block<TA>(C, A, Bm, M, N, K, ldc, lda, ldb, accumulate);
    } else if (M >= nth * 2 * MR || N < nth * NR) {
      const Range r = split_range(M, nth, tid, (M >= nth * MR) ? MR : 1);
      const float* Ar = TA ? A + r.begin : A + r.begin * lda;
      block<TA>(C + r.begin * ldc, Ar, Bm, r.end - r.begin, N, K, ldc, lda, ldb, accumulate);
    } else {
      const Range r = split_range(N, nth, tid, NR);
      block<TA>(C + r.begin, A, Bm + r.begin, M, r.end - r.begin, K, ldc, lda, ldb, accumulate);
    }
  }

  struct Ctx {
    float* C;
    const float* A;
    const float* Bm;
    int M, N, K;
    idx ldc, lda, ldb;
  };
  template <bool TA>
  static void task(void* p, pool::Team*, int tid, int nth) {
    const Ctx& c = *static_cast<const Ctx*>(p);
    part<TA>(tid, nth, c.C, c.A, c.Bm, c.M, c.N, c.K, c.ldc, c.lda, c.ldb, true);
  }

  // The exported gemm_nn / gemm_tn (C +=), threaded when large enough.
  template <bool TA>
  static void run(float* C, const float* A, const float* Bm, int M, int N, int K, int ldc, int lda,
                  int ldb) noexcept {
    Ctx c{C, A, Bm, M, N, K, ldc, lda, ldb};
    const int64_t work = int64_t(M) * N * K;
    const int nth = work >= pool::min_parallel_work() * 4 ? get_threads() : 1;
    pool::run_team(nth, &task<TA>, &c);
  }
};

}  // namespace impl
}  // namespace seqcast
