#!/usr/bin/env bash
# Configures and builds one flavour. Usage: scripts/build.sh [release|sanitize|tsan|fuzz] (default release)
#   release  → build/            (-O2; what run.sh and bench.sh use)
#   sanitize → build-sanitize/   (AddressSanitizer + UndefinedBehaviorSanitizer; what test.sh uses)
#   tsan     → build-tsan/       (ThreadSanitizer, -O1: the binary and the unit suites with threads, for tsan.sh)
#   fuzz     → build-fuzz/       (clang, libFuzzer + ASan + UBSan: the targets of tests/fuzz/; needs clang and
#                                 libclang-rt-14-dev, which scripts/fuzz.sh installs)
set -euo pipefail
cd "$(dirname "$0")/.."

flavour=${1:-release}
targets=()  # all
case "$flavour" in
  release) dir=build; args=(-DCMAKE_BUILD_TYPE=Release) ;;
  sanitize) dir=build-sanitize; args=(-DCMAKE_BUILD_TYPE=Debug -DLEE_SANITIZE=ON) ;;
  tsan) dir=build-tsan; args=(-DCMAKE_BUILD_TYPE=Debug -DLEE_TSAN=ON); targets=(live-engine-emulator concurrency_tests) ;;
  fuzz) dir=build-fuzz; args=(-DCMAKE_BUILD_TYPE=Debug -DLEE_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++) ;;
  *) echo "usage: $0 [release|sanitize|tsan|fuzz]" >&2; exit 2 ;;
esac
cmake -S . -B "$dir" -G Ninja "${args[@]}" >/dev/null
# Two jobs at most: the Beast/Asio translation unit alone needs about a gigabyte.
ninja -C "$dir" -j "${LEE_BUILD_JOBS:-2}" "${targets[@]}"
