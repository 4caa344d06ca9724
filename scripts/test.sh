#!/usr/bin/env bash
# Installs what is missing, builds with sanitizers and runs every test (Boost.Test unit suites and the
# end-to-end suites that drive the real binary over HTTP), ending with ctest's summary.
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
cd build-sanitize
ctest --output-on-failure --timeout 600 "$@"
