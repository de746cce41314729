// Picks the kernel variant once, at load: cpuid for the instruction sets, xgetbv for the OS
// actually saving ymm/zmm/opmask state on context switch (a CPU can report AVX-512 while the OS or
// hypervisor has it disabled). kernels() returns the active table; set_variant() swaps it for tests
// and benches. Compiled with baseline flags only.
#include <seqcast/kernels.h>

#include <atomic>
#include <cstring>

#include "variants.h"

#if defined(SEQCAST_HAVE_X86)
#if defined(_MSC_VER)
#include <intrin.h>
#else
#include <cpuid.h>
#endif
#endif

namespace seqcast {
namespace {

struct Features {
  bool avx2 = false;
  bool avx512 = false;
};

#if defined(SEQCAST_HAVE_X86)
void cpuid(unsigned leaf, unsigned sub, unsigned r[4]) {
#if defined(_MSC_VER)
  int out[4];
  __cpuidex(out, int(leaf), int(sub));
  for (int i = 0; i < 4; ++i) r[i] = unsigned(out[i]);
#else
  __cpuid_count(leaf, sub, r[0], r[1], r[2], r[3]);
#endif
}

uint64_t xgetbv0() {
#if defined(_MSC_VER)
  return _xgetbv(0);
#else
  unsigned lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (uint64_t(hi) << 32) | lo;
#endif
}

Features detect() {
  Features f;
  unsigned r[4];
  cpuid(0, 0, r);
  const unsigned max_leaf = r[0];
  if (max_leaf < 7) return f;
  cpuid(1, 0, r);
  const bool osxsave = (r[2] >> 27) & 1, avx = (r[2] >> 28) & 1, fma = (r[2] >> 12) & 1;
  if (!osxsave || !avx) return f;
  const uint64_t xcr0 = xgetbv0();
  const bool os_ymm = (xcr0 & 0x6) == 0x6;             // SSE + AVX state
  const bool os_zmm = (xcr0 & 0xE6) == 0xE6;           // + opmask, ZMM_Hi256, Hi16_ZMM
  cpuid(7, 0, r);
  const unsigned b = r[1];
  const bool avx2 = (b >> 5) & 1;
  const bool f512 = (b >> 16) & 1, dq = (b >> 17) & 1, bw = (b >> 30) & 1, vl = (b >> 31) & 1;
  f.avx2 = os_ymm && avx2 && fma;
  f.avx512 = f.avx2 && os_zmm && f512 && dq && bw && vl;
  return f;
}
#else
Features detect() { return Features{}; }
#endif

struct Registry {
  const KernelTable* tables[4] = {};
  const char* names[5] = {};
  int count = 0;

  Registry() {
    const Features f = detect();
#if defined(SEQCAST_HAVE_X86)
    if (f.avx512) add(&avx512_table());
    if (f.avx2) add(&avx2_table());
#endif
    (void)f;
    add(&scalar_table());
  }
  void add(const KernelTable* t) {
    tables[count] = t;
    names[count] = t->variant;
    ++count;
  }
  const KernelTable* find(const char* name) const {
    for (int i = 0; i < count; ++i)
      if (std::strcmp(tables[i]->variant, name) == 0) return tables[i];
    return nullptr;
  }
};

const Registry& registry() {
  static const Registry r;
  return r;
}

// Best first: the registry lists variants in order of preference.
const KernelTable* pick_best() { return registry().tables[0]; }

std::atomic<const KernelTable*> g_active{nullptr};

}  // namespace

const KernelTable& kernels() {
  const KernelTable* t = g_active.load(std::memory_order_acquire);
  if (t == nullptr) {
    const KernelTable* expected = nullptr;
    g_active.compare_exchange_strong(expected, pick_best());
    t = g_active.load(std::memory_order_acquire);
  }
  return *t;
}

bool set_variant(const char* name) {
  if (name == nullptr) return false;
  const KernelTable* t = std::strcmp(name, "best") == 0 ? pick_best() : registry().find(name);
  if (t == nullptr) return false;
  g_active.store(t, std::memory_order_release);
  return true;
}

const char* const* available_variants(int* count) {
  const Registry& r = registry();
  if (count != nullptr) *count = r.count;
  return r.names;
}

}  // namespace seqcast
