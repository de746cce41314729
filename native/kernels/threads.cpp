// Persistent worker pool: std::thread workers created lazily, once, and reused by every kernel.
// The calling thread is always team member 0, so set_threads(1) never touches another thread.
//
// Waiting (for a job, or at a barrier) spins briefly with a pause hint, then blocks on a
// condition variable: per-step barriers in the LSTM loops are a few microseconds apart, so a short
// spin avoids futex round trips, while idle workers between calls do not burn a core.
#include <seqcast/kernels.h>

#include "threads.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__)
#include <immintrin.h>
static inline void cpu_relax() { _mm_pause(); }
#elif defined(__aarch64__)
static inline void cpu_relax() { asm volatile("yield"); }
#else
static inline void cpu_relax() {}
#endif

namespace seqcast {
namespace pool {
namespace {

constexpr int kSpinBarrier = 1000;  // pause iterations (~10-30 us) before blocking
constexpr int kSpinJob = 20000;
constexpr int kMaxThreads = 256;

// Sleep until `word` differs from `seen`, after spinning. Lost wake-ups are impossible: the waiter
// registers in `sleepers` (seq_cst) before re-checking `word`, and the waker changes `word`
// (seq_cst) before reading `sleepers`, so at least one of them sees the other.
struct Waiter {
  std::mutex m;
  std::condition_variable cv;
  std::atomic<int> sleepers{0};

  void wait_change(const std::atomic<uint32_t>& word, uint32_t seen, int spins) {
    for (int i = 0; i < spins; ++i) {
      if (word.load(std::memory_order_acquire) != seen) return;
      cpu_relax();
    }
    std::unique_lock<std::mutex> lock(m);
    sleepers.fetch_add(1);
    while (word.load() == seen) cv.wait(lock);
    sleepers.fetch_sub(1);
  }
  void wake_all() {
    if (sleepers.load() > 0) {
      { std::lock_guard<std::mutex> lock(m); }
      cv.notify_all();
    }
  }
};

}  // namespace

struct Team {
  alignas(64) std::atomic<int> arrived{0};
  alignas(64) std::atomic<uint32_t> gen{0};
  int n = 1;
  Waiter waiter;

  void wait() {
    const uint32_t g = gen.load(std::memory_order_acquire);
    if (arrived.fetch_add(1, std::memory_order_acq_rel) == n - 1) {
      arrived.store(0, std::memory_order_relaxed);
      gen.store(g + 1);  // seq_cst: see Waiter
      waiter.wake_all();
      return;
    }
    waiter.wait_change(gen, g, kSpinBarrier);
  }
};

namespace {

class Pool {
 public:
  Pool() {
    unsigned hw = std::thread::hardware_concurrency();
    hardware_ = hw == 0 ? 1 : int(hw);
    threads_ = hardware_;
  }

  int threads() const { return threads_.load(); }
  int hardware() const { return hardware_; }
  void set_threads(int n) {
    if (n <= 0) n = hardware_;
    if (n > kMaxThreads) n = kMaxThreads;
    threads_.store(n);
  }

  void run(int nth, TaskFn fn, void* ctx) {
    const int limit = threads_.load();
    if (nth > limit) nth = limit;
    if (nth <= 1 || busy_.exchange(true, std::memory_order_acquire)) {
      fn(ctx, nullptr, 0, 1);
      return;
    }
    ensure_workers(nth - 1);
    team_.n = nth;
    fn_ = fn;
    ctx_ = ctx;
    nth_ = nth;
    done_.store(0, std::memory_order_relaxed);
    // Only the nth-1 participants are woken; each has its own slot, so idle workers never read
    // fn_/ctx_/nth_ while the next job is being set up.
    for (int w = 0; w < nth - 1; ++w) {
      Slot& s = *slots_[w];
      s.gen.store(s.gen.load() + 1);  // seq_cst publish of fn_/ctx_/nth_
      s.waiter.wake_all();
    }
    fn(ctx, &team_, 0, nth);
    for (int spin = 0; done_.load(std::memory_order_acquire) != nth - 1; ++spin) {
      if (spin < kSpinJob) cpu_relax(); else std::this_thread::yield();
    }
    busy_.store(false, std::memory_order_release);
  }

 private:
  struct Slot {
    alignas(64) std::atomic<uint32_t> gen{0};
    Waiter waiter;
  };

  void ensure_workers(int n) {
    while (int(slots_.size()) < n) {
      const int tid = int(slots_.size()) + 1;
      slots_.push_back(new Slot());  // never freed, like the pool
      // Workers are detached and the pool is never destroyed: joining at static destruction
      // time races with Node's own teardown, and an idle blocked worker costs nothing.
      Slot* slot = slots_.back();
      std::thread([this, tid, slot] { worker(tid, *slot); }).detach();
    }
  }

  void worker(int tid, Slot& slot) {
    uint32_t seen = 0;
    for (;;) {
      slot.waiter.wait_change(slot.gen, seen, kSpinJob);
      seen = slot.gen.load(std::memory_order_acquire);
      fn_(ctx_, &team_, tid, nth_);
      done_.fetch_add(1, std::memory_order_acq_rel);
    }
  }

  int hardware_ = 1;
  std::atomic<int> threads_{1};
  std::atomic<bool> busy_{false};
  std::vector<Slot*> slots_;  // only touched by the thread holding busy_
  Team team_;
  TaskFn fn_ = nullptr;
  void* ctx_ = nullptr;
  int nth_ = 1;
  alignas(64) std::atomic<int> done_{0};
};

// Leaked on purpose (see ensure_workers).
Pool& the_pool() {
  static Pool* p = new Pool();
  return *p;
}

std::atomic<int64_t> g_min_work{int64_t(1) << 18};

}  // namespace

void run_team(int nth, TaskFn fn, void* ctx) noexcept { the_pool().run(nth, fn, ctx); }
void barrier(Team* team) noexcept {
  if (team != nullptr && team->n > 1) team->wait();
}
int64_t min_parallel_work() noexcept { return g_min_work.load(std::memory_order_relaxed); }
void set_min_parallel_work(int64_t macs) noexcept {
  g_min_work.store(macs < 0 ? 0 : macs, std::memory_order_relaxed);
}
int hardware_threads() noexcept { return the_pool().hardware(); }

}  // namespace pool

void set_threads(int n) { pool::the_pool().set_threads(n); }
int get_threads() { return pool::the_pool().threads(); }

}  // namespace seqcast
