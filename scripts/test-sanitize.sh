#!/usr/bin/env bash
# `npm run test:sanitize` (issue #10): builds the native addon with AddressSanitizer + UBSan into
# build-sanitize/ (the normal build/ is untouched), then runs every test that calls native kernels
# with that addon (SEQCAST_NATIVE_ADDON, SEQCAST_BACKEND=native) and the compiler's ASan runtime
# preloaded into node. Any sanitizer report aborts the process, and the script exits non-zero.
#
#   SEQCAST_SANITIZE_SKIP_BUILD=1   reuse build-sanitize/ as it is
#   SEQCAST_FUZZ_RUNS=<n>           cases per property in the kernel and binding fuzz pass (default here 5000)
set -euo pipefail
cd "$(dirname "$0")/.."

CXX_BIN="${CXX:-g++}"
OUT=build-sanitize
CONFIG=RelWithDebInfo   # -g for symbolized reports; CMakeLists still adds -O3

# node itself is not instrumented, so the ASan runtime must be loaded first, by LD_PRELOAD.
LIBASAN="$("$CXX_BIN" -print-file-name=libasan.so)"
if [[ "$LIBASAN" != /* || ! -e "$LIBASAN" ]]; then
  echo "test:sanitize: $CXX_BIN has no libasan.so (got '$LIBASAN'); install the compiler's ASan runtime (e.g. libasan8)" >&2
  exit 2
fi

if [[ "${SEQCAST_SANITIZE_SKIP_BUILD:-}" != 1 ]]; then
  echo "== building the addon with -fsanitize=address,undefined into $OUT/"
  npx cmake-js compile --out "$OUT" --config "$CONFIG" --CDSEQCAST_SANITIZE=ON
fi
ADDON="$PWD/$OUT/$CONFIG/seqcast.node"
[[ -f "$ADDON" ]] || ADDON="$(find "$PWD/$OUT" -name seqcast.node -print -quit)"
if [[ -z "$ADDON" || ! -f "$ADDON" ]]; then
  echo "test:sanitize: no seqcast.node under $OUT/" >&2
  exit 2
fi

export LD_PRELOAD="$LIBASAN${LD_PRELOAD:+:$LD_PRELOAD}"
# halt + abort: the first report kills the process. detect_leaks=0: V8 does not free its heap at
# exit by design, so LeakSanitizer would report node, not us (issue #10's soak test covers leaks).
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=0:strict_string_checks=1:check_initialization_order=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export SEQCAST_NATIVE_ADDON="$ADDON"
export SEQCAST_BACKEND=native
export SEQCAST_FUZZ_RUNS="${SEQCAST_FUZZ_RUNS:-5000}"

LOG="$OUT/test-sanitize.log"
: > "$LOG"

echo "== the sanitized addon is the one that loads"
node --import tsx --input-type=module -e "
  import { readFileSync } from 'node:fs';
  import { loadBackend } from './src/backend/select.ts';
  const b = await loadBackend({ backend: 'native' });
  const maps = readFileSync('/proc/self/maps', 'utf8');
  if (!maps.includes(process.env.SEQCAST_NATIVE_ADDON) || !maps.includes('libasan'))
    throw new Error('the sanitized addon or libasan is not mapped into this process');
  console.log('native', JSON.stringify(b.info()), 'from', process.env.SEQCAST_NATIVE_ADDON);
" 2>&1 | tee -a "$LOG"

# Every suite that reaches native kernels or the binding: parity (cells, gemm, SIMD variants,
# threads), binding errors, the layer, PyTorch fixtures, training fixtures, fit/tbptt (worker threads).
status=0
echo "== kernel tests on the sanitized addon"
npx vitest run test/parity test/fixtures test/train test/unit 2>&1 | tee -a "$LOG" || status=$?

echo "== kernel and binding fuzz properties on the sanitized addon ($SEQCAST_FUZZ_RUNS cases per property)"
npx vitest run --config test/fuzz/vitest.config.ts test/fuzz/kernels.fuzz.ts test/fuzz/binding.fuzz.ts 2>&1 | tee -a "$LOG" || status=$?

if grep -qE "ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer|SUMMARY: (Address|UndefinedBehavior)Sanitizer" "$LOG"; then
  echo "test:sanitize: FAILED, sanitizer report(s) in $LOG:" >&2
  grep -nE "ERROR: AddressSanitizer|runtime error:|SUMMARY:" "$LOG" | head -20 >&2
  exit 1
fi
if [[ $status -ne 0 ]]; then
  echo "test:sanitize: FAILED (tests exited with $status); log in $LOG" >&2
  exit "$status"
fi
echo "test:sanitize: clean: no AddressSanitizer or UBSan reports ($ADDON)"
