#!/usr/bin/env bash
# What 1,000 slowloris connections cost a good client (issue 10: less than 5 ms). A measurement, not a test.
# Usage: scripts/slowloris.sh [binary, default build/live-engine-emulator (the Release build)] [stalled connections]
# Prints the good client's p50/p99/max without and with the stalled connections; exits non-zero when its p50 or
# p99 grows by more than 5 ms, or the stalled connections were not all held open while measuring.
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-build/live-engine-emulator}
stalled=${2:-1000}
[ -x "$binary" ] || scripts/build.sh release >/dev/null

ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
[ "$(ulimit -n)" -gt $((stalled + 200)) ] || { echo "slowloris: needs more than $((stalled + 200)) descriptors"; exit 1; }

work=$(mktemp -d)
pid=
trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
cat > "$work/apps.json" <<'JSON'
{"defaults": {"rate_limits": {"create_room": 0, "get_room_info": 0}, "room_create_interval_ms": 0}}
JSON
# The emulator on one core, the clients on the other, where there are two.
server_cpu=(); client_cpu=()
if [ "$(nproc)" -ge 2 ]; then server_cpu=(taskset -c 0); client_cpu=(taskset -c 1); fi
"${server_cpu[@]}" "$binary" --listen 127.0.0.1:0 --rules "$work" --threads 1 --log-level warn \
  --port-file "$work/port" >/dev/null &
pid=$!
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
"${client_cpu[@]}" python3 scripts/bench/slowloris.py "$(cat "$work/port")" "$stalled"
