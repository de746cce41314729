// The streaming entry (stream.cpp): registers stream_bind on the addon's exports.
#pragma once
#include <napi.h>

namespace seqcast {
namespace binding {

void register_stream(Napi::Env env, Napi::Object exports);

}  // namespace binding
}  // namespace seqcast
