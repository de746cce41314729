// The persistent worker pool shared by every kernel (internal; set_threads/get_threads are in kernels.h).
// Mirrors nothing in assembly/: wasm runs single-threaded.
//
// A kernel runs one "team" per call: run_team(nth, fn, ctx) calls fn(ctx, team, tid, nth) on nth
// threads (the calling thread is tid 0) and returns when all are done. Inside, barrier(team) syncs
// the team, e.g. once per time step. Work is split over output rows/columns only, never over a
// reduction, so results do not depend on nth.
//
// Everything here is plain functions (no templates), compiled once in threads.cpp with baseline
// flags: the SIMD variant files include this header without pulling ISA-specific code into shared
// inline symbols.
#pragma once
#include <cstdint>

namespace seqcast {
namespace pool {

struct Team;  // opaque; nullptr when the kernel runs single-threaded
using TaskFn = void (*)(void* ctx, Team* team, int tid, int nth);

// Runs fn on min(nth, get_threads()) threads. If the pool is busy (another thread is inside a
// run_team, e.g. an async kernel), runs fn inline with nth = 1 instead of waiting.
void run_team(int nth, TaskFn fn, void* ctx) noexcept;
void barrier(Team* team) noexcept;  // no-op for nullptr

// Work (in multiply-adds) below which a kernel stays single-threaded: syncing costs ~1 us.
int64_t min_parallel_work() noexcept;
int hardware_threads() noexcept;    // std::thread::hardware_concurrency(), at least 1
void set_min_parallel_work(int64_t macs) noexcept;  // tests only: force threading on tiny shapes

}  // namespace pool

// [begin, end) of part `tid` when n items are split into nth contiguous parts whose boundaries
// are multiples of `align` (the last part takes the remainder). Static: one copy per TU.
struct Range { int begin, end; };
static inline Range split_range(int n, int nth, int tid, int align) {
  const int units = (n + align - 1) / align;
  const int base = units / nth, extra = units % nth;
  const int u0 = tid * base + (tid < extra ? tid : extra);
  const int u1 = u0 + base + (tid < extra ? 1 : 0);
  int b = u0 * align, e = u1 * align;
  if (b > n) b = n;
  if (e > n) e = n;
  return Range{b, e};
}

}  // namespace seqcast
