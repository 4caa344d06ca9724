#!/usr/bin/env bash
# Throughput, latency and memory of the Release build, measured with wrk on loopback.
# Usage: scripts/bench.sh [seconds per run, default 5]
# Prints one line per measurement, then create_room side by side with nginx (a Markdown table) and what a
# slowloris costs a good client; exits non-zero if a run saw errors or a target is missed.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh wrk nginx-light
# LEE_BENCH_BINARY: measure that binary instead of building and measuring build/ (e.g. to compare two builds).
binary=${LEE_BENCH_BINARY:-build/live-engine-emulator}
[ -n "${LEE_BENCH_BINARY:-}" ] || scripts/build.sh release >/dev/null

seconds=${1:-5}
work=$(mktemp -d)
pid=
nginx_pid=
trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null || true; [ -z "$nginx_pid" ] || kill "$nginx_pid" 2>/dev/null || true
      rm -rf "$work"' EXIT
# Rate limits off: the benchmark measures the emulator, not its throttle.
cat > "$work/apps.json" <<'JSON'
{"defaults": {"rate_limits": {"create_room": 0, "destroy_room": 0, "get_room_info": 0, "update_room_info": 0,
                              "get_room_list": 0}, "room_create_interval_ms": 0}}
JSON
cp rules/sensitive_words.txt "$work/"

start_emulator() {  # extra flags...
  rm -f "$work/port"
  ${server_cpu:-} "$binary" --listen 127.0.0.1:0 --rules "$work" --log-level warn --port-file "$work/port" "$@" \
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

# create_room side by side with nginx (issue 11): one core for the server, the other for wrk -t1 -c32, the same
# wrk settings, in alternation. nginx answers the emulator's own success body with `return 200`; the emulator
# validates, scans for sensitive words, stores, journals and counts every request.
if [ "$(nproc)" -ge 2 ]; then server_cpu="taskset -c 0"; client_cpu="taskset -c 1"; else server_cpu=; client_cpu=; fi
cpu_ticks() {  # pids...: utime + stime of all of them, in clock ticks
  local total=0 pid_ fields
  for pid_ in "$@"; do
    read -ra fields < <(sed 's/^.*) //' "/proc/$pid_/stat")
    total=$(( total + fields[11] + fields[12] ))
  done
  echo "$total"
}
hz=$(getconf CLK_TCK)
side_by_side() {  # name url run-tag pids...: one wrk run; appends "name rps cpu_us p50 p99 p99.9 max" to $work/runs
  local name=$1 url=$2 tag=$3; shift 3
  local before after output
  before=$(cpu_ticks "$@")
  output=$($client_cpu wrk -t1 -c32 -d"${seconds}s" --latency -s scripts/bench/create_room_video.lua "$url" -- "$tag")
  after=$(cpu_ticks "$@")
  awk -v name="$name" -v ticks=$((after - before)) -v hz="$hz" '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec/ { rps = $2 }
    $1 == "50%" { p50 = ms($2) } $1 == "99%" { p99 = ms($2) }
    /^tail / { split($2, a, "="); p999 = a[2] / 1000; split($3, b, "="); max = b[2] / 1000; split($4, c, "=");
               requests = c[2]; split($5, d, "="); errors = d[2] }
    END { printf "%s %.0f %.2f %.3f %.3f %.3f %.3f %d %d\n", name, rps, ticks * 1e6 / hz / requests, p50, p99, p999,
                 max, requests, errors }' <<<"$output" >>"$work/runs"
}

# The fixed success body nginx answers: the emulator's own answer to this create_room.
start_emulator --threads 1
success=$(curl -sf -X POST "$base/create_room?$query" -d \
  '{"RoomInfo":{"RoomId":"nginx-body","RoomType":"Live","Owner_Account":"testA","TakeSeatMode":"ApplyToTake","SeatTemplate":"VideoDynamicGrid9Seats","IsPublicVisible":true,"RoomName":"Happy new year","CoverURL":"cover url"}}')
nginx_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$work/nginx"
cat > "$work/nginx.conf" <<NGINX
daemon off;
worker_processes 1;
user $(id -un) $(id -gn);
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  server {
    listen 127.0.0.1:$nginx_port;
    location / { default_type application/json; return 200 '$success'; }
  }
}
NGINX
$server_cpu nginx -p "$work/nginx" -c "$work/nginx.conf" 2>/dev/null &
nginx_pid=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$nginx_port/" >/dev/null && break; sleep 0.1; done
nginx_pids=("$nginx_pid" $(pgrep -P "$nginx_pid"))
: >"$work/runs"
for round in 1 2; do
  side_by_side nginx "http://127.0.0.1:$nginx_port/v4/live_engine_http_srv/create_room?$query" "n$round" "${nginx_pids[@]}"
  side_by_side emulator "$base/create_room?$query" "e$round" "$pid"
done
kill "$nginx_pid"; wait "$nginx_pid" 2>/dev/null || true; nginx_pid=
rooms=$(curl -sf "http://127.0.0.1:$port/metrics" | awk '$1 == "lee_rooms_total" {print $2}')
stop_emulator || { echo "emulator did not exit cleanly"; status=1; }

echo
echo "create_room, wrk -t1 -c32 -d${seconds}s (on cpu 1), server on cpu 0, --threads 1, 2 rounds in alternation," \
     "unique RoomIds, seed video body; $rooms rooms stored at the end"
echo
awk '
  { n[$1]++; rps[$1] += $2; cpu[$1] += $3 * $8; req[$1] += $8; err[$1] += $9
    if ($4 > p50[$1]) p50[$1] = $4; if ($5 > p99[$1]) p99[$1] = $5; if ($6 > p999[$1]) p999[$1] = $6
    if ($7 > max[$1]) max[$1] = $7 }
  END {
    print "| server | requests/s | CPU µs/request | p50 ms | p99 ms | p99.9 ms | max ms | errors |"
    print "|---|--:|--:|--:|--:|--:|--:|--:|"
    for (s = 0; s < 2; s++) {
      name = s == 0 ? "nginx" : "emulator"
      printf "| %s | %.0f | %.2f | %.3f | %.3f | %.3f | %.3f | %d |\n", name, rps[name] / n[name],
             cpu[name] / req[name], p50[name], p99[name], p999[name], max[name], err[name]
    }
    printf "| emulator / nginx | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | |\n",
           (rps["emulator"] / n["emulator"]) / (rps["nginx"] / n["nginx"]),
           (cpu["emulator"] / req["emulator"]) / (cpu["nginx"] / req["nginx"]), p50["emulator"] / p50["nginx"],
           p99["emulator"] / p99["nginx"], p999["emulator"] / p999["nginx"], max["emulator"] / max["nginx"]
    print ""
    print "(requests/s: mean of the rounds; CPU: total over the rounds; latencies: the worst round)"
    # Targets of issue 11.
    bad = 0
    if (err["emulator"] + err["nginx"] > 0) { print "target missed: errors"; bad = 1 }
    if (rps["emulator"] / n["emulator"] < 0.8 * rps["nginx"] / n["nginx"]) { print "target missed: throughput < 0.8x nginx"; bad = 1 }
    if (cpu["emulator"] / req["emulator"] > 1.5 * cpu["nginx"] / req["nginx"]) { print "target missed: CPU per request > 1.5x nginx"; bad = 1 }
    if (p99["emulator"] > 1) { print "target missed: p99 > 1 ms"; bad = 1 }
    if (max["emulator"] > 5) { print "target missed: max > 5 ms"; bad = 1 }
    exit bad
  }' "$work/runs" || status=1
echo

# What a slowloris of 1,000 connections costs a good client (issue 10: less than 5 ms).
scripts/slowloris.sh "$binary" 1000 || status=1
echo

# Memory per app and per room, and what a reset gives back (issue 10).
python3 scripts/bench/apps_memory.py "$binary" "${LEE_BENCH_APPS:-200000}" || status=1

[ "$status" -eq 0 ] && echo "targets met"
exit "$status"
