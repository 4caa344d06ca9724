#!/usr/bin/env bash
# Installs what is missing, builds with sanitizers and runs every test (Boost.Test unit suites and the end-to-end
# suites that drive the real binary over HTTP, through ctest), then the reliability steps: the concurrency tests
# under ThreadSanitizer (scripts/tsan.sh), each fuzz target for a short time (scripts/fuzz.sh) and a soak against
# the sanitizer binary (scripts/soak.sh). Each step prints "PASS: <step>" or "FAIL: <step>"; the last line is
# "N passed, N failed" over the steps (ctest is one of them); the exit code is non-zero if any failed.
# Environment: LEE_FUZZ_SECONDS (per target, default 30), LEE_SOAK_SECONDS (default 60).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# The interoperability test signs with Tencent's official npm package, pinned by tests/interop/package-lock.json.
(cd tests/interop && npm ci --no-audit --no-fund --loglevel=error)
# The Node example (Tencent's signer and axios, pinned by examples/node/package-lock.json) runs as a test too.
(cd examples/node && npm ci --no-audit --no-fund --loglevel=error)
scripts/build.sh sanitize
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# Node.js is installed above, so the official-generator interop test and the Node example must run, not skip.
export LEE_REQUIRE_INTEROP=1

passed=0
failed=0
step() {  # name command...
  local name=$1 started=$SECONDS
  shift
  if "$@"; then
    echo "PASS: $name ($((SECONDS - started)) s)"
    passed=$((passed + 1))
  else
    echo "FAIL: $name ($((SECONDS - started)) s)"
    failed=$((failed + 1))
  fi
}

step "ctest (unit and end-to-end suites, ASan + UBSan)" \
  bash -c 'cd build-sanitize && ctest --output-on-failure --timeout 600 "$@"' ctest "$@"
step "ThreadSanitizer (scripts/tsan.sh)" scripts/tsan.sh
# Known open findings of fuzz_request (tests/fuzz/crashes/README.md) would be named in LEE_FUZZ_ALLOW until they are
# fixed; none is open, so every saved input is a regression test.
step "fuzzing, ${LEE_FUZZ_SECONDS:-30} s per target (scripts/fuzz.sh)" \
  env LEE_FUZZ_ALLOW="${LEE_FUZZ_ALLOW-}" scripts/fuzz.sh "${LEE_FUZZ_SECONDS:-30}"
step "soak, ${LEE_SOAK_SECONDS:-60} s against the sanitizer build (scripts/soak.sh)" \
  scripts/soak.sh "${LEE_SOAK_SECONDS:-60}" sanitize

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
