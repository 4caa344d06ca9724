#!/usr/bin/env bash
# Throughput, latency and memory of the Release build, measured with wrk on loopback.
# Usage: scripts/bench.sh [seconds per run, default 5]
# Prints one line per measurement; exits non-zero if a run saw errors or a target is missed.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh wrk
scripts/build.sh release >/dev/null

seconds=${1:-5}
work=$(mktemp -d)
pid=
trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
# Rate limits off: the benchmark measures the emulator, not its throttle.
cat > "$work/apps.json" <<'JSON'
{"defaults": {"rate_limits": {"create_room": 0, "destroy_room": 0, "get_room_info": 0, "update_room_info": 0,
                              "get_room_list": 0}, "room_create_interval_ms": 0}}
JSON
cp rules/sensitive_words.txt "$work/"

start_emulator() {  # extra flags...
  rm -f "$work/port"
  build/live-engine-emulator --listen 127.0.0.1:0 --rules "$work" --log-level warn --port-file "$work/port" "$@" \
    >"$work/stdout" &
  pid=$!
  for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
  port=$(cat "$work/port")
  base="http://127.0.0.1:$port/v4/live_engine_http_srv"
}
stop_emulator() { kill -TERM "$pid"; wait "$pid"; }
query="sdkappid=1500000000&identifier=admin&usersig=x&random=1&contenttype=json"
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$pid/status"; }
start_emulator

rss_start=$(rss_kib)
curl -sf -X POST "$base/create_room?$query" -d \
  '{"RoomInfo":{"RoomId":"bench-probe","RoomType":"Live","SeatTemplate":"VideoDynamicGrid9Seats"}}' >/dev/null

run() {  # name script url
  local output
  output=$(wrk -t2 -c64 -d"${seconds}s" --latency -s "$2" "$3")
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$output")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$output")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$output")
  errors=$(grep -E "Non-2xx|Socket errors" <<<"$output" || true)
  printf '%-24s %10s req/s   p50 %8s   p99 %8s   %s\n' "$1" "$rps" "$p50" "$p99" "${errors:-no errors}"
  last_rps=$rps
  [ -z "$errors" ]
}

echo "live-engine-emulator benchmark: wrk -t2 -c64 -d${seconds}s on $(nproc) cores, emulator --threads $(nproc)"
run get_room_info scripts/bench/get_room_info.lua "$base/get_room_info?$query"
run create_room scripts/bench/create_room.lua "$base/create_room?$query"

rooms=$(curl -sf "http://127.0.0.1:$port/_emulator/apps/1500000000/rooms" | python3 -c 'import json,sys; print(json.load(sys.stdin)["count"])')
rss_end=$(rss_kib)
per_room=$(( (rss_end - rss_start) * 1024 / (rooms > 0 ? rooms : 1) ))
echo "rooms stored     $rooms   RSS ${rss_start} KiB → ${rss_end} KiB   ≈ ${per_room} bytes per room"

# Targets (README, "Performance"): a test double must not be the bottleneck of a client's test suite.
status=0
awk -v r="$(wrk -t1 -c8 -d2s -s scripts/bench/get_room_info.lua "$base/get_room_info?$query" | awk '/Requests\/sec/ {print $2}')" \
  'BEGIN { if (r < 10000) { print "target missed: get_room_info below 10000 req/s (" r ")"; exit 1 } }' || status=1
[ "$per_room" -le 4096 ] || { echo "target missed: more than 4 KiB per stored room"; status=1; }
stop_emulator || { echo "emulator did not exit cleanly"; status=1; }

# What the journal costs: create_room with it on (the default bounds) and off, each on a fresh emulator, twice in
# alternation so drift of a shared machine falls on both.
journal_on=0; journal_off=0
for round in 1 2 3; do
  start_emulator
  run "create_room journal on" scripts/bench/create_room.lua "$base/create_room?$query" || status=1
  journal_on=$(awk -v a="$journal_on" -v b="$last_rps" 'BEGIN { print a + b }')
  stop_emulator || status=1
  start_emulator --journal-entries 0
  run "create_room journal off" scripts/bench/create_room.lua "$base/create_room?$query" || status=1
  journal_off=$(awk -v a="$journal_off" -v b="$last_rps" 'BEGIN { print a + b }')
  stop_emulator || status=1
done
awk -v on="$journal_on" -v off="$journal_off" \
  'BEGIN { printf "journal cost             %.1f%% of create_room throughput (%.0f vs %.0f req/s, mean of 3)\n", (off - on) * 100 / off, on / 3, off / 3 }'
[ "$status" -eq 0 ] && echo "targets met"
exit "$status"
