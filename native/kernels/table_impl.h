// Builds one variant's KernelTable from the shared templates (scalar.cpp, avx2.cpp, avx512.cpp
// call make_table<V> with their own vector-ops struct V). V lives in an anonymous namespace in each
// of those files, so every function instantiated here has internal linkage and is compiled with
// that file's flags only.
#pragma once
#include <seqcast/kernels.h>

#include "gemm_impl.h"
#include "gru_impl.h"
#include "lstm_impl.h"
#include "rnn_impl.h"
#include "stream_impl.h"
#include "train_impl.h"

namespace seqcast {
namespace impl {

template <class V>
KernelTable make_table(const char* variant) {
  return KernelTable{variant,
                     &Lstm<V>::forward,
                     &Lstm<V>::backward,
                     &Gru<V>::forward,
                     &Gru<V>::backward,
                     &Rnn<V>::forward,
                     &Rnn<V>::backward,
                     &Train<V>::linear_forward,
                     &Train<V>::linear_backward,
                     &Train<V>::adam_step,
                     &Train<V>::sgd_step,
                     &Train<V>::rmsprop_step,
                     &Train<V>::grad_norm,
                     &Train<V>::scale,
                     &Gemm<V>::template run<false>,
                     &Gemm<V>::template run<true>,
                     &Stream<V>::pack,
                     &Stream<V>::step};
}

}  // namespace impl
}  // namespace seqcast
