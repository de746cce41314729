// convert_layout: the copy between the API's batch-first (B, T, W) arrays and the kernels'
// time-major (T, B, W) buffers that src/model/time-layout.ts convertLayout does in JavaScript, as
// one memcpy per row. Either array may be a plain JS Float32Array (the user's input or output):
// N-API reads typed arrays in place. Not a kernel (no arithmetic, nothing SIMD-specific), so it
// lives in the binding; the WASM backend keeps the JavaScript copy, since a user's array is outside
// WASM memory anyway.
//
//   convert_layout(tm, bf, B, T, W, toBatch, lengths)
// toBatch: tm -> bf, else bf -> tm. With lengths (Int32Array of B values in [1, T]), steps
// t >= lengths[b] are written as zeros in the destination (padded outputs are 0, as PyTorch's
// pad_packed_sequence, and padded gradients and inputs do not flow), exactly as convertLayout.
#include "layout.h"

#include <cstdint>
#include <cstring>

#include "args.h"

namespace seqcast {
namespace binding {
namespace {

Napi::Value ConvertLayout(const Napi::CallbackInfo& info) {
  Args a(info, "convert_layout", 7);
  const int B = a.dim(2, "B"), T = a.dim(3, "T"), W = a.dim(4, "W");
  const int64_t n = int64_t(T) * B * W;
  float* tm = a.f32(0, "tm", n, "T*B*W");
  float* bf = a.f32(1, "bf", n, "B*T*W");
  if (!info[5].IsBoolean()) throw Napi::TypeError::New(info.Env(), a.prefix() + "toBatch must be a boolean");
  const bool to_batch = info[5].As<Napi::Boolean>().Value();
  const int32_t* lengths = a.lengths(6, B, T);
  const size_t row = size_t(W) * sizeof(float);
  for (int b = 0; b < B; ++b) {
    const int len = lengths ? lengths[b] : T;
    for (int t = 0; t < T; ++t) {
      float* ti = tm + (int64_t(t) * B + b) * W;
      float* bi = bf + (int64_t(b) * T + t) * W;
      float* dst = to_batch ? bi : ti;
      if (t >= len) std::memset(dst, 0, row);
      else std::memcpy(dst, to_batch ? ti : bi, row);
    }
  }
  return info.Env().Undefined();
}

}  // namespace

void register_layout(Napi::Env env, Napi::Object exports) {
  exports.Set("convert_layout", Napi::Function::New(env, ConvertLayout, "convert_layout"));
}

}  // namespace binding
}  // namespace seqcast
