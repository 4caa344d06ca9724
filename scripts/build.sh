#!/usr/bin/env bash
# Configures and builds one flavour. Usage: scripts/build.sh [release|sanitize|tsan] (default release)
#   release  → build/            (g++ -O2; what run.sh and bench.sh use)
#   sanitize → build-sanitize/   (clang, AddressSanitizer + UndefinedBehaviorSanitizer + libFuzzer's coverage: the
#                                 binary and unit tests test.sh runs, and the targets of tests/fuzz/ for fuzz.sh;
#                                 installs clang and libclang-rt-14-dev when missing)
#   tsan     → build-tsan/       (g++ ThreadSanitizer, -O1: the binary and the unit suites with threads, for tsan.sh)
set -euo pipefail
cd "$(dirname "$0")/.."

flavour=${1:-release}
targets=()  # all
case "$flavour" in
  release) dir=build; args=(-DCMAKE_BUILD_TYPE=Release) ;;
  sanitize)
    # clang, so that one build also gives the fuzz targets (libFuzzer is clang's); g++ builds the other flavours.
    scripts/setup.sh clang libclang-rt-14-dev
    dir=build-sanitize; args=(-DCMAKE_BUILD_TYPE=Debug -DLEE_SANITIZE=ON -DCMAKE_CXX_COMPILER=clang++) ;;
  tsan) dir=build-tsan; args=(-DCMAKE_BUILD_TYPE=Debug -DLEE_TSAN=ON); targets=(live-engine-emulator concurrency_tests) ;;
  *) echo "usage: $0 [release|sanitize|tsan]" >&2; exit 2 ;;
esac
# CMake cannot change the compiler of a configured directory: it would start again without the options above (a
# g++ build-sanitize/ from before it became clang's would turn into an uninstrumented Release build), so such a
# directory is started afresh.
if [ -f "$dir/CMakeCache.txt" ]; then
  was_clang=no
  grep -q '^CMAKE_CXX_COMPILER:[A-Z]*=.*clang++' "$dir/CMakeCache.txt" && was_clang=yes
  [ "$flavour" = sanitize ] && want_clang=yes || want_clang=no
  if [ "$was_clang" != "$want_clang" ]; then
    echo "build.sh: $dir/ was configured with another compiler; starting it afresh" >&2
    rm -rf "$dir"
  fi
fi
cmake -S . -B "$dir" -G Ninja "${args[@]}" >/dev/null
# Two jobs at most: the Beast/Asio translation unit alone needs about a gigabyte.
ninja -C "$dir" -j "${LEE_BUILD_JOBS:-2}" "${targets[@]}"
