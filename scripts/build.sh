#!/usr/bin/env bash
# Configures and builds one flavour. Usage: scripts/build.sh [release|sanitize] (default release)
#   release  → build/            (-O2; what run.sh and bench.sh use)
#   sanitize → build-sanitize/   (AddressSanitizer + UndefinedBehaviorSanitizer; what test.sh uses)
set -euo pipefail
cd "$(dirname "$0")/.."

flavour=${1:-release}
case "$flavour" in
  release) dir=build; args=(-DCMAKE_BUILD_TYPE=Release) ;;
  sanitize) dir=build-sanitize; args=(-DCMAKE_BUILD_TYPE=Debug -DLEE_SANITIZE=ON) ;;
  *) echo "usage: $0 [release|sanitize]" >&2; exit 2 ;;
esac
cmake -S . -B "$dir" -G Ninja "${args[@]}" >/dev/null
# Two jobs at most: the Beast/Asio translation unit alone needs about a gigabyte.
ninja -C "$dir" -j "${LEE_BUILD_JOBS:-2}"
