#!/usr/bin/env bash
# Soak: mixed traffic (every command and error path, faults, control changes) from several connections against one
# emulator for SECONDS after a warm-up; fails on any unexpected answer, a crash, an unclean exit or RSS growth over
# the margin (tests/soak/soak.py says what is checked).
# Usage: scripts/soak.sh [seconds, default 60] [release|sanitize|tsan, default release]
# Environment: LEE_SOAK_CONNECTIONS (default 6), LEE_SOAK_RSS_MARGIN (percent, default 10).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
flavour=${2:-release}
case "$flavour" in
  release) dir=build ;;
  sanitize) dir=build-sanitize ;;
  tsan) dir=build-tsan ;;
  *) echo "usage: $0 [seconds] [release|sanitize|tsan]" >&2; exit 2 ;;
esac
scripts/setup.sh
scripts/build.sh "$flavour" >/dev/null
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:suppressions=$(pwd)/tests/tsan/suppressions.txt}
exec python3 tests/soak/soak.py --binary "$dir/live-engine-emulator" --seconds "$seconds" \
  --connections "${LEE_SOAK_CONNECTIONS:-6}" --rss-margin "${LEE_SOAK_RSS_MARGIN:-10}"
