// The layout entry (layout.cpp): registers convert_layout on the addon's exports.
#pragma once
#include <napi.h>

namespace seqcast {
namespace binding {

void register_layout(Napi::Env env, Napi::Object exports);

}  // namespace binding
}  // namespace seqcast
