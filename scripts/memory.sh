#!/usr/bin/env bash
# Memory of the Release build: RSS before, after N apps holding one room each (default 200,000), after a reset,
# and after N rooms in one app. Fails if an app costs over 1 KiB more than its room, or a reset keeps over 10% of
# what the apps took. Usage: scripts/memory.sh [apps]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null
scripts/build.sh release >/dev/null
python3 scripts/bench/apps_memory.py build/live-engine-emulator "${1:-200000}"
