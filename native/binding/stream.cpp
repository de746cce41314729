// stream_bind: the N-API side of streaming inference (src/model/stream.ts). Everything is checked
// and bound ONCE here: the weights are copied and packed into one 64-byte-aligned block owned by the
// returned step function, and the state (h, c) and I/O (x, y) arrays are pinned by references. The
// step function takes no arguments and does no validation: one call runs every layer and the head
// (KernelTable::stream_step) with the table that packed the weights, so a later set_variant() never
// mixes two panel layouts.
//
//   const step = stream_bind(y, h, c, x, params, head_w, head_b, cell, L, I, H, O);
//   x.set(input); step();   // y = head(h_t); h, c advanced by one step
//
// params: every layer's w_ih, w_hh, b_ih, b_hh in that order, concatenated (layer 0 first).
// cell: 0 LSTM, 1 GRU, 2 RNN tanh, 3 RNN relu (kernels.h STREAM_*). c is required for LSTM only.
#include "stream.h"

#include <seqcast/kernels.h>

#include <cstdint>
#include <cstring>
#include <new>
#include <vector>

#include "args.h"

namespace seqcast {
namespace binding {
namespace {

constexpr size_t kAlign = 64;
constexpr int64_t kAlignFloats = int64_t(kAlign / sizeof(float));
int64_t aligned(int64_t n) { return (n + kAlignFloats - 1) / kAlignFloats * kAlignFloats; }

// What the step function owns: its packed copy of the weights and scratch, and the pinned arrays.
struct BoundStream {
  const KernelTable* table = nullptr;
  float* block = nullptr;  // packed weights, biases, head, scratch
  std::vector<StreamLayer> layers;
  const float* head_w = nullptr;
  const float* head_b = nullptr;
  float* scratch = nullptr;
  float* y = nullptr;
  const float* x = nullptr;
  int cell = 0, L = 0, H = 0, O = 0;
  std::vector<Napi::Reference<Napi::Float32Array>> pinned;

  ~BoundStream() {
    if (block) ::operator delete(block, std::align_val_t(kAlign));
  }
};

Napi::Value Step(const Napi::CallbackInfo& info) {
  const BoundStream& s = *static_cast<const BoundStream*>(info.Data());
  s.table->stream_step(s.y, s.x, s.layers.data(), s.head_w, s.head_b, s.scratch, s.cell, s.L, s.H, s.O);
  return info.Env().Undefined();
}

Napi::Value StreamBind(const Napi::CallbackInfo& info) {
  Args a(info, "stream_bind", 12);
  const int cell = a.integer(7, "cell");
  if (cell < STREAM_LSTM || cell > STREAM_RNN_RELU)
    a.range_error("cell must be 0 (LSTM), 1 (GRU), 2 (RNN tanh) or 3 (RNN relu), got " + std::to_string(cell));
  const int L = a.dim(8, "L"), I = a.dim(9, "I"), H = a.dim(10, "H"), O = a.dim(11, "O");
  const int64_t GH = int64_t(stream_gates(cell)) * H, LH = int64_t(L) * H;
  // params holds, per layer, GH*I_l + GH*H + 2*GH floats with I_0 = I and I_l = H above
  const int64_t per_upper = GH * H + GH * H + 2 * GH;
  const int64_t want = (GH * I + GH * H + 2 * GH) + (L - 1) * per_upper;
  float* y = a.f32(0, "y", O, "O");
  float* h = a.f32(1, "h", LH, "L*H");
  float* c = cell == STREAM_LSTM ? a.f32(2, "c", LH, "L*H (LSTM)") : a.f32_opt(2, "c", LH, "L*H");
  if (cell != STREAM_LSTM && c != nullptr) a.range_error("c must be null for a GRU or RNN (no cell state)");
  const float* x = a.f32(3, "x", I, "I");
  const float* params = a.f32(4, "params", want, "the layers' G*H*(I+H) + 2*G*H floats");
  const float* head_w = a.f32(5, "head_w", int64_t(O) * H, "O*H");
  const float* head_b = a.f32_opt(6, "head_b", O, "O");

  // one block: [packed_l, b_ih_l, b_hh_l]* head_w head_b scratch, each part 64-byte aligned
  int64_t total = 0;
  for (int l = 0; l < L; ++l) total += aligned(stream_packed_floats(cell, l == 0 ? I : H, H)) + 2 * aligned(GH);
  total += aligned(int64_t(O) * H) + aligned(O) + aligned(stream_scratch_floats(cell, H));
  auto* s = new BoundStream();
  s->block = static_cast<float*>(::operator new(size_t(total) * sizeof(float), std::align_val_t(kAlign), std::nothrow));
  if (s->block == nullptr) {
    delete s;
    a.range_error("out of memory allocating " + std::to_string(total) + " floats for the packed weights");
  }
  std::memset(s->block, 0, size_t(total) * sizeof(float));
  s->table = &kernels();
  s->cell = cell, s->L = L, s->H = H, s->O = O, s->y = y, s->x = x;
  float* p = s->block;
  const float* src = params;
  for (int l = 0; l < L; ++l) {
    const int Il = l == 0 ? I : H;
    const float* w_ih = src;
    const float* w_hh = w_ih + GH * Il;
    StreamLayer layer{};
    s->table->stream_pack(p, w_ih, w_hh, cell, Il, H);
    layer.w_p = p;
    p += aligned(stream_packed_floats(cell, Il, H));
    float* b_ih = p;
    std::memcpy(b_ih, w_hh + GH * H, size_t(GH) * sizeof(float));
    p += aligned(GH);
    float* b_hh = p;
    std::memcpy(b_hh, w_hh + GH * H + GH, size_t(GH) * sizeof(float));
    p += aligned(GH);
    layer.b_ih = b_ih, layer.b_hh = b_hh;
    layer.h = h + int64_t(l) * H;
    layer.c = c ? c + int64_t(l) * H : nullptr;
    layer.I = Il;
    s->layers.push_back(layer);
    src = w_hh + GH * H + 2 * GH;
  }
  float* hw = p;
  std::memcpy(hw, head_w, size_t(O) * H * sizeof(float));
  p += aligned(int64_t(O) * H);
  float* hb = nullptr;
  if (head_b) {
    hb = p;
    std::memcpy(hb, head_b, size_t(O) * sizeof(float));
  }
  p += aligned(O);
  s->head_w = hw, s->head_b = hb, s->scratch = p;
  // pin the arrays the step reads and writes in place, so their memory lives as long as the step
  for (size_t i : {size_t(0), size_t(1), size_t(2), size_t(3)})
    if (info[i].IsTypedArray()) s->pinned.push_back(Napi::Persistent(info[i].As<Napi::Float32Array>()));

  Napi::Env env = info.Env();
  Napi::Function step = Napi::Function::New(env, Step, "stream_step", s);
  step.AddFinalizer([](Napi::Env, BoundStream* bound) { delete bound; }, s);
  return step;
}

}  // namespace

void register_stream(Napi::Env env, Napi::Object exports) {
  exports.Set("stream_bind", Napi::Function::New(env, StreamBind, "stream_bind"));
}

}  // namespace binding
}  // namespace seqcast
