#!/usr/bin/env bash
# Installs what is missing, builds in Release and starts the emulator on 127.0.0.1:9080 with the default rules.
# Extra arguments go to the emulator (e.g. scripts/run.sh --log-format json --seed 1).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh release
exec build/live-engine-emulator --listen "${LIVE_EMULATOR_LISTEN:-127.0.0.1:9080}" --rules "${LIVE_EMULATOR_RULES:-rules}" "$@"
