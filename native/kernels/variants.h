// Per-variant kernel tables (internal). dispatch.cpp chooses among them; each is defined in the
// variant's own file, compiled with that file's SIMD flags.
#pragma once
#include <seqcast/kernels.h>

namespace seqcast {

const KernelTable& scalar_table();
#if defined(SEQCAST_HAVE_X86)
const KernelTable& avx2_table();
const KernelTable& avx512_table();
#endif

}  // namespace seqcast
