#!/usr/bin/env bash
# User-space instructions per create_room under callgrind: a figure the host's load does not move, for comparing
# two builds of one change (bench.sh's timings drift by ±15 % on a shared machine). Same requests as bench.sh's
# side-by-side run: the seed's video body, a new RoomId each, 2,500 sensitive words, rate limits off.
# Usage: scripts/bench/instructions.sh [binary ...]   (default build/live-engine-emulator, built Release)
# Environment: LEE_INSTRUCTIONS_SECONDS (the counted run, default 8; the server runs ~50x slower under callgrind).
# Prints one line per binary: requests counted, instructions, instructions per request.
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/setup.sh valgrind wrk
binaries=("$@")
if [ "${#binaries[@]}" -eq 0 ]; then
  scripts/build.sh release >/dev/null
  binaries=(build/live-engine-emulator)
fi
seconds=${LEE_INSTRUCTIONS_SECONDS:-8}

work=$(mktemp -d)
server=
cleanup() {
  [ -z "$server" ] || kill "$server" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
mkdir "$work/rules"
python3 scripts/bench/sensitive_words.py "$work/rules/sensitive_words.txt" 2500
cat >"$work/rules/apps.json" <<'JSON'
{"defaults": {"rate_limits": {"create_room": 0, "destroy_room": 0, "get_room_info": 0, "update_room_info": 0,
                              "get_room_list": 0}, "room_create_interval_ms": 0}}
JSON
query="sdkappid=1500000000&identifier=admin&usersig=x&random=1&contenttype=json"

for binary in "${binaries[@]}"; do
  rm -f "$work/port" "$work"/callgrind.out*
  # Instrumented only around the counted run: startup and a warm-up (first touches of the tables) stay out.
  valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$work/callgrind.out" "$binary" \
    --listen 127.0.0.1:0 --rules "$work/rules" --log-level warn --port-file "$work/port" --threads 1 \
    >/dev/null 2>"$work/valgrind.log" &
  server=$!
  for _ in $(seq 300); do [ -s "$work/port" ] && break; sleep 0.1; done
  [ -s "$work/port" ] || { echo "instructions: $binary did not start under callgrind" >&2; exit 1; }
  url="http://127.0.0.1:$(cat "$work/port")/v4/live_engine_http_srv/create_room?$query"
  wrk -t1 -c8 -d2s -s scripts/bench/create_room_video.lua "$url" -- warm >/dev/null
  callgrind_control --instr=on "$server" >/dev/null 2>&1
  out=$(wrk -t1 -c8 -d"${seconds}s" -s scripts/bench/create_room_video.lua "$url" -- counted)
  callgrind_control --instr=off "$server" >/dev/null 2>&1
  callgrind_control --dump "$server" >/dev/null 2>&1
  kill "$server"
  wait "$server" 2>/dev/null || true
  server=
  requests=$(grep -o 'requests=[0-9]*' <<<"$out" | cut -d= -f2)
  errors=$(grep -o 'errors=[0-9]*' <<<"$out" | cut -d= -f2)
  [ "${errors:-1}" = 0 ] || { echo "instructions: $errors failed requests against $binary" >&2; exit 1; }
  dump=$(ls "$work"/callgrind.out.* | head -1)  # the dump taken above, not the one written at exit
  total=$(awk '/^totals:/ {print $2; exit}' "$dump")
  echo "$binary: $requests requests, $total instructions, $((total / requests)) per request"
done
