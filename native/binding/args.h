// Argument unpacking and validation for the N-API exports (addon.cpp). No math here.
// Errors name the kernel, the argument, what was expected and what was received:
//   TypeError:  lstm_forward: expected 15 arguments, got 14
//   TypeError:  lstm_forward: w_ih must be a Float32Array, got number
//   RangeError: lstm_forward: H must be a positive integer, got 0
//   RangeError: lstm_forward: w_ih must have 4*H*I = 384 elements, got 380
//   RangeError: lstm_forward: lengths[2] must be in [1, T=5], got 0
#pragma once
#include <napi.h>

#include <cmath>
#include <cstdio>
#include <cstdint>
#include <string>

namespace seqcast {
namespace binding {

class Args {
 public:
  Args(const Napi::CallbackInfo& info, const char* kernel, size_t count)
      : info_(info), kernel_(kernel) {
    if (info.Length() != count)
      throw Napi::TypeError::New(env(), prefix() + "expected " + std::to_string(count) +
                                            " arguments, got " + std::to_string(info.Length()));
  }

  Napi::Env env() const { return info_.Env(); }
  std::string prefix() const { return std::string(kernel_) + ": "; }

  // A positive integer that fits in int32.
  int dim(size_t i, const char* name) const {
    const Napi::Value v = info_[i];
    if (!v.IsNumber())
      throw Napi::TypeError::New(env(), prefix() + name + " must be a number, got " + kind(v));
    const double d = v.As<Napi::Number>().DoubleValue();
    if (!(d >= 1.0) || d > 2147483647.0 || std::floor(d) != d)
      throw Napi::RangeError::New(env(), prefix() + name + " must be a positive integer, got " +
                                             number(d));
    return int(d);
  }

  // A Float32Array with exactly `want` elements; `formula` explains want (e.g. "4*H*I").
  float* f32(size_t i, const char* name, int64_t want, const char* formula) const {
    return check(i, name, want, formula, false, true);
  }
  // Same, or nullptr for null/undefined.
  float* f32_opt(size_t i, const char* name, int64_t want, const char* formula) const {
    return check(i, name, want, formula, true, true);
  }
  // A Float32Array with at least `want` elements (scratch, strided matrices).
  float* f32_min(size_t i, const char* name, int64_t want, const char* formula) const {
    return check(i, name, want, formula, false, false);
  }

  // A Float32Array of any length up to INT32_MAX (the optimizer and norm kernels' n), stored in *n.
  float* f32_any(size_t i, const char* name, int* n) const {
    const Napi::Value v = info_[i];
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
      throw Napi::TypeError::New(env(), prefix() + name + " must be a Float32Array, got " + kind(v));
    Napi::Float32Array a = v.As<Napi::Float32Array>();
    const int64_t got = int64_t(a.ElementLength());
    if (got > 2147483647)
      throw Napi::RangeError::New(env(), prefix() + name + " must have at most 2147483647 elements, got " +
                                             std::to_string(got));
    *n = int(got);
    return a.Data();  // already offset by byteOffset
  }
  // Exactly `want` elements when `required`; otherwise as f32_opt. `when` says why it is required
  // ("when momentum != 0"), for the TypeError on null.
  float* f32_if(bool required, size_t i, const char* name, int64_t want, const char* formula,
                const char* when) const {
    const Napi::Value v = info_[i];
    if (required && (v.IsNull() || v.IsUndefined()))
      throw Napi::TypeError::New(env(), prefix() + name + " must be a Float32Array " + when +
                                            ", got " + kind(v));
    return check(i, name, want, formula, !required, true);
  }

  // A finite number (optimizer hyper-parameters, passed to the kernels as double).
  double real(size_t i, const char* name) const {
    const Napi::Value v = info_[i];
    if (!v.IsNumber())
      throw Napi::TypeError::New(env(), prefix() + name + " must be a number, got " + kind(v));
    const double d = v.As<Napi::Number>().DoubleValue();
    if (!std::isfinite(d))
      throw Napi::RangeError::New(env(), prefix() + name + " must be a finite number, got " + number(d));
    return d;
  }

  // A finite number that fits in float32 (the scale factor).
  float f32num(size_t i, const char* name) const {
    const Napi::Value v = info_[i];
    if (!v.IsNumber())
      throw Napi::TypeError::New(env(), prefix() + name + " must be a number, got " + kind(v));
    const double d = v.As<Napi::Number>().DoubleValue();
    if (!std::isfinite(d))
      throw Napi::RangeError::New(env(), prefix() + name + " must be a finite number, got " + number(d));
    if (std::fabs(d) > 3.4028234663852886e38) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%g", d);
      throw Napi::RangeError::New(env(), prefix() + name +
                                             " must be within the float32 range (|x| <= 3.4028235e38), got " +
                                             buf);
    }
    return float(d);
  }

  // An optimizer's flags: an integer whose set bits are all in `allowed`.
  int flags(size_t i, const char* name, int allowed) const {
    const int f = integer(i, name);
    if (f < 0 || (f & ~allowed) != 0)
      throw Napi::RangeError::New(env(), prefix() + name + " must be a combination of the bits " +
                                             std::to_string(allowed) + ", got " + std::to_string(f));
    return f;
  }

  // Variable sequence lengths: an Int32Array of B values in [1, T], or nullptr for null/undefined
  // (every row has length T).
  const int32_t* lengths(size_t i, int B, int T) const {
    const Napi::Value v = info_[i];
    if (v.IsNull() || v.IsUndefined()) return nullptr;
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array)
      throw Napi::TypeError::New(env(), prefix() + "lengths must be an Int32Array, null or undefined, got " +
                                            kind(v));
    Napi::Int32Array a = v.As<Napi::Int32Array>();
    const int64_t got = int64_t(a.ElementLength());
    if (got != B)
      throw Napi::RangeError::New(env(), prefix() + "lengths must have B = " + std::to_string(B) +
                                             " elements, got " + std::to_string(got));
    const int32_t* p = a.Data();
    for (int b = 0; b < B; ++b)
      if (p[b] < 1 || p[b] > T)
        throw Napi::RangeError::New(env(), prefix() + "lengths[" + std::to_string(b) +
                                               "] must be in [1, T=" + std::to_string(T) +
                                               "], got " + std::to_string(p[b]));
    return p;
  }

  std::string str(size_t i, const char* name) const {
    const Napi::Value v = info_[i];
    if (!v.IsString())
      throw Napi::TypeError::New(env(), prefix() + name + " must be a string, got " + kind(v));
    return v.As<Napi::String>().Utf8Value();
  }

  // An integer (any sign) that fits in int32, e.g. set_threads(0).
  int integer(size_t i, const char* name) const {
    const Napi::Value v = info_[i];
    if (!v.IsNumber())
      throw Napi::TypeError::New(env(), prefix() + name + " must be a number, got " + kind(v));
    const double d = v.As<Napi::Number>().DoubleValue();
    if (!(std::floor(d) == d) || d < -2147483648.0 || d > 2147483647.0)
      throw Napi::RangeError::New(env(), prefix() + name + " must be an integer, got " + number(d));
    return int(d);
  }

  // A 0/1 flag (e.g. rnn_forward's relu): the number 0 or 1, or a boolean.
  int flag(size_t i, const char* name) const {
    const Napi::Value v = info_[i];
    if (v.IsBoolean()) return v.As<Napi::Boolean>().Value() ? 1 : 0;
    if (!v.IsNumber())
      throw Napi::TypeError::New(env(), prefix() + name + " must be 0, 1 or a boolean, got " + kind(v));
    const double d = v.As<Napi::Number>().DoubleValue();
    if (d != 0.0 && d != 1.0)
      throw Napi::RangeError::New(env(), prefix() + name + " must be 0 or 1, got " + number(d));
    return int(d);
  }

  [[noreturn]] void range_error(const std::string& msg) const {
    throw Napi::RangeError::New(env(), prefix() + msg);
  }

  // A number as messages print it: integers plainly, others without trailing zeros.
  static std::string number(double d) {
    if (std::isnan(d)) return "NaN";
    if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
    if (std::floor(d) == d && std::fabs(d) < 1e15) return std::to_string(int64_t(d));
    std::string s = std::to_string(d);
    while (!s.empty() && s.back() == '0') s.pop_back();
    return s;
  }

 private:
  float* check(size_t i, const char* name, int64_t want, const char* formula, bool optional,
               bool exact) const {
    const Napi::Value v = info_[i];
    if (optional && (v.IsNull() || v.IsUndefined())) return nullptr;
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
      throw Napi::TypeError::New(env(), prefix() + name + " must be a Float32Array" +
                                            (optional ? ", null or undefined" : "") + ", got " +
                                            kind(v));
    Napi::Float32Array a = v.As<Napi::Float32Array>();
    const int64_t got = int64_t(a.ElementLength());
    if (exact ? got != want : got < want)
      throw Napi::RangeError::New(env(), prefix() + name + " must have " +
                                             (exact ? "" : "at least ") + formula + " = " +
                                             std::to_string(want) + " elements, got " +
                                             std::to_string(got));
    return a.Data();  // already offset by byteOffset
  }

  static std::string kind(const Napi::Value& v) {
    if (v.IsNull()) return "null";
    if (v.IsUndefined()) return "undefined";
    if (v.IsTypedArray()) {
      switch (v.As<Napi::TypedArray>().TypedArrayType()) {
        case napi_float64_array: return "Float64Array";
        case napi_float32_array: return "Float32Array";
        case napi_int32_array: return "Int32Array";
        case napi_uint8_array: return "Uint8Array";
        default: return "another typed array";
      }
    }
    if (v.IsArray()) return "Array";
    if (v.IsArrayBuffer()) return "ArrayBuffer";
    if (v.IsNumber()) return "number";
    if (v.IsString()) return "string";
    if (v.IsBoolean()) return "boolean";
    if (v.IsFunction()) return "function";
    return "object";
  }

  const Napi::CallbackInfo& info_;
  const char* kernel_;
};

}  // namespace binding
}  // namespace seqcast
