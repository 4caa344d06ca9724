#!/usr/bin/env bash
# The side-by-side benchmark of issue 11: the Release emulator against nginx answering the fixed success body, and
# the emulator's own targets. Not part of scripts/test.sh (timing does not belong in tests). ~2 minutes on 2 cores.
# Usage: scripts/bench.sh [seconds per side-by-side run, default 7: 21 s of emulator rounds store > 500,000 rooms
# from 24,000 req/s on]
#
# Measures, in this order (server on cpu 0, wrk -t1 on cpu 1 where there are two cores; port 0 everywhere):
#  1. startup to the READY line and idle RSS (median of 5 starts) with 2,500 generated sensitive words;
#  2. create_room side by side with nginx, --threads 1, wrk -t1 -c32, 3 rounds in alternation, unique RoomIds, the
#     seed's video body; the emulator's rounds must store more than 500,000 rooms, and p99 is over all of them;
#  3. the same emulator filled to 1,000,000 rooms: RSS above idle per million rooms, get_room_list p99 (4
#     connections paging, following Next cursors), and creates' p99 while lists run (28 create and 4 list
#     connections from one client thread: scripts/bench/mixed_load.cpp);
#  4. error paths (100002, 100012, 60007, an error_code fault rule): CPU per request against success's, on one
#     fresh emulator, 2 rounds in alternation (and the journal's cost: success on an emulator with it off);
#  5. --threads 2 against --threads 1 (fresh emulators), and nginx's 2 workers against 1 placed alike, 3 rounds in
#     alternation (nginx's added CPU is reported, and the emulator's ratio with that much taken out: the target on
#     fewer than 3 cores, where wrk shares the server's);
#  6. scripts/slowloris.sh and scripts/bench/apps_memory.py.
# Every wrk run fails the benchmark on a socket error or a non-2xx answer, and the emulator's /metrics must show
# that every create_room of a run got the ErrorCode the run expects. Prints the nginx/emulator table and one table
# of results against their targets; exits non-zero when a target is missed.
#
# Environment: LEE_BENCH_BINARY (measure that binary; default: build the Release one), LEE_BENCH_SECONDS (as the
# argument), LEE_BENCH_SHORT_SECONDS (the other runs, default 3), LEE_BENCH_ROOMS (rooms for the memory and list
# figures, default 1000000), LEE_BENCH_APPS (apps_memory.py's apps, default 100000; 0 skips it),
# LEE_BENCH_SLOWLORIS (stalled connections, default 1000; 0 skips it). Shorter settings are for trying the script
# out: the 500,000-room row then says "no".
# port_<name> and pid_<name> are set by start_emulator through printf -v.
# shellcheck disable=SC2154
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh wrk nginx-light
# perf only counts the page faults of one run: the benchmark goes on without it.
scripts/setup.sh linux-perf >/dev/null 2>&1 || echo "bench: linux-perf not installed; page faults will say n/a" >&2
binary=${LEE_BENCH_BINARY:-build/live-engine-emulator}
[ -n "${LEE_BENCH_BINARY:-}" ] || scripts/build.sh release >/dev/null

seconds=${1:-${LEE_BENCH_SECONDS:-7}}
short=${LEE_BENCH_SHORT_SECONDS:-3}
fill=${LEE_BENCH_ROOMS:-1000000}
apps=${LEE_BENCH_APPS:-100000}
stalled=${LEE_BENCH_SLOWLORIS:-1000}
rounds=3
words=2500
began=$(date +%s)

work=$(mktemp -d)
servers=()  # every server process started, stopped by the trap whatever happens
cleanup() {
  local server
  for server in ${servers[@]+"${servers[@]}"}; do kill "$server" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
# The mixed run's client (setup.sh installed g++).
g++ -std=c++20 -O2 -Wall -Wextra -Werror -o "$work/mixed_load" scripts/bench/mixed_load.cpp
: >"$work/runs"      # one line per wrk run: label rps cpu_us p50 p99 p99.9 max requests errors (ms)
: >"$work/rows"      # the results table
: >"$work/failures"  # what failed; the exit status

fail() { echo "FAIL: $*" | tee -a "$work/failures" >&2; }
progress() { echo "[$(($(date +%s) - began)) s] $*" >&2; }

# Placement: the servers of the side-by-side runs on cpu 0, wrk on cpu 1. The scaling runs give the server two
# cores and wrk a third where there is one; on two cores nothing is pinned and wrk shares them.
cores=$(nproc)
server_cpu=; client=()
if [ "$cores" -ge 2 ]; then server_cpu=0; client=(taskset -c 1); fi
scale_cpu=; scale_client=()
if [ "$cores" -ge 3 ]; then scale_cpu=0,1; scale_client=(taskset -c 2); fi

# Rules: rate limits and the create interval off for the measured app; 2,500 generated sensitive words that the
# benchmark's bodies never contain, so each create scans them all and succeeds.
mkdir -p "$work/rules" "$work/rules-errors"
python3 scripts/bench/sensitive_words.py "$work/rules/sensitive_words.txt" "$words"
cat >"$work/rules/apps.json" <<'JSON'
{"defaults": {"rate_limits": {"create_room": 0, "destroy_room": 0, "get_room_info": 0, "update_room_info": 0,
                              "get_room_list": 0}, "room_create_interval_ms": 0}}
JSON
# The error paths' emulator: the same defaults; app 1500000001 keeps a RoomId's create interval for an hour
# (100012), app 1500000002 allows one create_room a second (60007), app 1500000003 has every create_room answered
# by an injected 100001 (a faults.json rule, so every request of every run goes through rule matching).
cp "$work/rules/sensitive_words.txt" "$work/rules-errors/"
cat >"$work/rules-errors/apps.json" <<'JSON'
{"defaults": {"rate_limits": {"create_room": 0, "destroy_room": 0, "get_room_info": 0, "update_room_info": 0,
                              "get_room_list": 0}, "room_create_interval_ms": 0},
 "apps": [{"sdkappid": 1500000001, "room_create_interval_ms": 3600000},
          {"sdkappid": 1500000002, "rate_limits": {"create_room": 1}},
          {"sdkappid": 1500000003}]}
JSON
cat >"$work/rules-errors/faults.json" <<'JSON'
{"faults": [{"id": "bench-fault", "match": {"command": "create_room", "sdkappid": 1500000003},
             "action": {"error_code": 100001}}]}
JSON

declare -A server_pids  # port → the pids whose CPU time a run counts
start_emulator() {  # name rules-dir cpus(empty: any) flags...; sets port_<name> and pid_<name>
  local name=$1 rules=$2 cpus=$3 launcher=() pid port
  shift 3
  [ -z "$cpus" ] || launcher=(taskset -c "$cpus")
  ${launcher[@]+"${launcher[@]}"} "$binary" --listen 127.0.0.1:0 --rules "$rules" --log-level warn \
    --port-file "$work/$name.port" "$@" >"$work/$name.out" 2>"$work/$name.err" &
  pid=$!
  servers+=("$pid")
  for _ in $(seq 200); do [ -s "$work/$name.port" ] && break; kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  [ -s "$work/$name.port" ] || { fail "emulator $name did not start: $(cat "$work/$name.err")"; exit 1; }
  port=$(cat "$work/$name.port")
  server_pids[$port]=$pid
  printf -v "port_$name" '%s' "$port"
  printf -v "pid_$name" '%s' "$pid"
}
stop_emulator() {  # name
  local pid_var="pid_$1"
  kill -TERM "${!pid_var}"
  wait "${!pid_var}" || fail "emulator $1 exited with $? at SIGTERM"
}
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
metric() { curl -sf "http://127.0.0.1:$1/metrics" | awk -v name="$2" '$1 == name {printf "%d\n", $2}'; }
query() { echo "sdkappid=$1&identifier=admin&usersig=x&random=1&contenttype=json"; }
api() { echo "http://127.0.0.1:$1/v4/live_engine_http_srv/$2?$(query "$3")"; }
video_body() {  # RoomId [IsPublicVisible]: the seed's video example, as create_room_video.lua sends it
  echo "{\"RoomInfo\":{\"RoomId\":\"$1\",\"RoomType\":\"Live\",\"Owner_Account\":\"testA\",\"TakeSeatMode\":\"ApplyToTake\",\"SeatTemplate\":\"VideoDynamicGrid9Seats\",\"IsPublicVisible\":${2:-true},\"RoomName\":\"Happy new year\",\"CoverURL\":\"cover url\"}}"
}

cpu_ticks() {  # pids...: utime + stime of all of them, in clock ticks
  local total=0 pid fields
  for pid in "$@"; do
    read -ra fields < <(sed 's/^.*) //' "/proc/$pid/stat")
    total=$((total + fields[11] + fields[12]))
  done
  echo "$total"
}
hz=$(getconf CLK_TCK)
codes() {  # port command: "error_code count" per line, from lee_requests_total
  curl -sf "http://127.0.0.1:$1/metrics" |
    sed -n "s/^lee_requests_total{command=\"$2\",error_code=\"\([0-9]*\)\"} \([0-9.e+]*\)\$/\1 \2/p"
}

# One wrk -t1 run. Appends its figures to $work/runs under the label; fails on socket errors, non-2xx answers (and
# get_room_list answers without ErrorCode 0); on the emulator (expected code given), /metrics must count for the
# command at least as many answers with that code as wrk got, and no other code (60007's run: one success per
# rate window).
wrk_run() {  # label port command sdkappid expected-code(- for nginx) connections seconds script [lua args...]
  local label=$1 port=$2 command=$3 sdkappid=$4 expected=$5 connections=$6 secs=$7 script=$8
  shift 8
  local pids before after output line p99 requests errors codes_before=
  read -ra pids <<<"${server_pids[$port]}"
  [ "$expected" = - ] || codes_before=$(codes "$port" "$command")
  before=$(cpu_ticks "${pids[@]}")
  rm -f "$work/latencies-run"
  output=$(LEE_BENCH_LATENCIES="$work/latencies-run" ${client_now[@]+"${client_now[@]}"} wrk -t1 \
    -c"$connections" -d"${secs}s" --latency -s "$script" "$(api "$port" "$command" "$sdkappid")" -- "$@")
  after=$(cpu_ticks "${pids[@]}")
  line=$(awk -v label="$label" -v ticks=$((after - before)) -v hz="$hz" '
    /Requests\/sec/ { rps = $2 }
    /^tail / { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
    END { if (v["requests"] == 0) exit 1
          printf "%s %.0f %.2f %.3f %.3f %.3f %.3f %d %d\n", label, rps, ticks * 1e6 / hz / v["requests"],
                 v["p50"] / 1000, v["p99"] / 1000, v["p99.9"] / 1000, v["max"] / 1000, v["requests"], v["errors"] }' \
    <<<"$output") || { fail "$label: wrk made no request: $output"; return; }
  echo "$line" >>"$work/runs"
  read -r _ _ _ _ p99 _ _ requests errors <<<"$line"
  # The run's latencies (create_room_video.lua writes them) join its label's, for a percentile over all its rounds;
  # the file must give the p99 wrk printed.
  if [ -f "$work/latencies-run" ]; then
    [ "$(percentile 99 "$work/latencies-run")" = "$p99" ] ||
      fail "$label: the latencies written give p99 $(percentile 99 "$work/latencies-run") ms, wrk printed $p99 ms"
    cat "$work/latencies-run" >>"$work/latencies-$label"
  elif [ "$(basename "$script")" = create_room_video.lua ]; then
    fail "$label: create_room_video.lua wrote no latencies"
  fi
  [ "$errors" -eq 0 ] || fail "$label: $errors of $requests requests failed (socket errors, non-2xx or wrong answers)"
  grep -q "Socket errors\|Non-2xx" <<<"$output" && fail "$label: $(grep "Socket errors\|Non-2xx" <<<"$output")"
  [ "$expected" = - ] && return
  awk -v label="$label" -v expected="$expected" -v requests="$requests" -v windows=$((secs + 2)) '
    FNR == NR { before[$1] = $2; next }
    { delta = $2 - before[$1]; total += delta; if ($1 == expected) got = delta; else if (delta > 0) other = other " " $1 "×" delta
      if ($1 != expected && !(expected == 60007 && $1 == 0 && delta <= windows)) wrong += delta }
    END { if (got < requests || wrong > 0) {
            printf "%s: /metrics counted %d answers %s for %d requests, others:%s\n", label, got, expected, requests, other
            exit 1 } }' <(echo "$codes_before") <(codes "$port" "$command") >"$work/codes" ||
    fail "$(cat "$work/codes")"
}
client_now=(${client[@]+"${client[@]}"})

# Creates and lists at once, from one mixed_load process (scripts/bench/mixed_load.cpp): two wrk processes sharing the
# client core leave answers unread while the other one runs, and count that wait (nginx's p99 with a fixed body:
# 4.5 ms with two wrk, 0.5-0.8 ms with mixed_load). Appends <label>-create and <label>-list to $work/runs; the CPU
# per request is over both kinds. mixed_load counts an answer without "ErrorCode":0 as an error.
mixed_run() {  # label port sdkappid create-connections list-connections seconds tag
  local label=$1 port=$2 sdkappid=$3 creates=$4 lists=$5 secs=$6 tag=$7 pids before after output kind line
  read -ra pids <<<"${server_pids[$port]}"
  before=$(cpu_ticks "${pids[@]}")
  output=$(${client_now[@]+"${client_now[@]}"} "$work/mixed_load" "$port" "$secs" "$creates" "$lists" "$tag" \
    "$sdkappid") || { fail "$label: mixed_load failed: $output"; return; }
  after=$(cpu_ticks "${pids[@]}")
  for kind in create list; do
    line=$(awk -v label="$label-$kind" -v kind="$kind" -v ticks=$((after - before)) -v hz="$hz" '
      { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[$1, kv[1]] = kv[2] } }
      END { total = v["create", "requests"] + v["list", "requests"]
            if (v[kind, "requests"] == 0) exit 1
            printf "%s %.0f %.2f %.3f %.3f %.3f %.3f %d %d\n", label, v[kind, "rps"], ticks * 1e6 / hz / total,
                   v[kind, "p50"] / 1000, v[kind, "p99"] / 1000, v[kind, "p99.9"] / 1000, v[kind, "max"] / 1000,
                   v[kind, "requests"], v[kind, "errors"] }' <<<"$output") ||
      { fail "$label: mixed_load made no $kind request: $output"; return; }
    echo "$line" >>"$work/runs"
    read -r _ _ _ _ _ _ _ requests errors <<<"$line"
    [ "$errors" -eq 0 ] || fail "$label-$kind: $errors of $requests answers were not a 200 with ErrorCode 0"
  done
}

agg() {  # label: mean rps, CPU µs/request over all its runs, worst p50 p99 p99.9 max, requests, errors
  awk -v label="$1" '$1 == label { n++; rps += $2; cpu += $3 * $8; req += $8; err += $9
      if ($4 > p50) p50 = $4; if ($5 > p99) p99 = $5; if ($6 > p999) p999 = $6; if ($7 > max) max = $7 }
    END { if (n == 0) { print "0 0 0 0 0 0 0 0"; exit }
          printf "%.0f %.2f %.3f %.3f %.3f %.3f %d %d\n", rps / n, cpu / req, p50, p99, p999, max, req, err }' "$work/runs"
}
calc() { awk "BEGIN { printf \"$1\", $2 }"; }
# The latency at percentile p, in ms, of "µs count" lines (latencies-<label>: every round of a label), ranked as wrk
# ranks its own: the smallest value with at least floor(p% of the count) + 1 at or below it. "n/a" without any.
percentile() {  # p file
  [ -s "$2" ] || { echo n/a; return; }
  sort -n "$2" | awk -v p="$1" '{ v[NR] = $1; c[NR] = $2; total += $2 }
    END { rank = int(p / 100 * total + 1)
          for (i = 1; i <= NR; i++) { seen += c[i]; if (seen >= rank) { printf "%.3f\n", v[i] / 1000; exit } } }'
}
# A row of the results table; met is yes/no from the comparison, or "info" (reported, not a target).
row() {  # measurement value target met
  printf '| %s | %s | %s | %s |\n' "$1" "$2" "$3" "$4" >>"$work/rows"
  [ "$4" != no ] || echo "target missed: $1: $2 (target $3)" >>"$work/failures"
}
met() { awk -v v="$1" -v l="$3" -v op="$2" \
  'BEGIN { if (v !~ /^-?[0-9.]+$/) { print "no"; exit }  # n/a, or nothing: not a pass
           ok = op == "<=" ? v <= l : op == ">=" ? v >= l : op == ">" ? v > l : v < l; print ok ? "yes" : "no" }'; }

# 1. Startup and idle RSS.
progress "startup: 5 starts with $words sensitive words"
read -r startup_ms idle_kib < <(python3 scripts/bench/startup.py "$binary" "$work/rules" 5 |
                                 sed 's/startup_ms=\(.*\) idle_rss_kib=\(.*\)/\1 \2/')
row "startup to READY, $words sensitive words (median of 5)" "$startup_ms ms" "≤ 20 ms" "$(met "$startup_ms" "<=" 20)"
idle_mib=$(calc %.1f "$idle_kib / 1024")
row "idle RSS after start (median of 5)" "$idle_mib MiB" "≤ 10 MiB" "$(met "$idle_mib" "<=" 10)"

# 2. create_room side by side with nginx. nginx answers the emulator's own answer to this create_room with
# `return 200`; the emulator validates, scans the words, stores, journals and counts every request.
app=1500000000
start_emulator main "$work/rules" "$server_cpu" --threads 1
idle_main_kib=$(rss_kib "$pid_main")
success=$(curl -sf -X POST "$(api "$port_main" create_room $app)" -d "$(video_body nginx-body)")
grep -q '"ErrorCode":0,' <<<"$success" || { fail "the probe create_room did not succeed: $success"; exit 1; }
# nginx answering $success to every request, with `workers` worker processes (more than one: each with its own
# listening socket, reuseport, so the kernel spreads the connections by a hash of each; the emulator's I/O threads
# take them in turn).
start_nginx() {  # name workers cpus(empty: any); sets nginx_port_<name> and nginx_pid_<name>
  local name=$1 workers=$2 cpus=$3 port pid reuse=
  [ "$workers" -eq 1 ] || reuse=' reuseport'
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  mkdir -p "$work/nginx-$name"
  cat >"$work/nginx-$name.conf" <<NGINX
daemon off;
worker_processes $workers;
user $(id -un) $(id -gn);
pid $work/nginx-$name/nginx.pid;
error_log $work/nginx-$name/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx-$name/body;
  proxy_temp_path $work/nginx-$name/proxy;
  fastcgi_temp_path $work/nginx-$name/fastcgi;
  uwsgi_temp_path $work/nginx-$name/uwsgi;
  scgi_temp_path $work/nginx-$name/scgi;
  server {
    listen 127.0.0.1:$port$reuse;
    location / { default_type application/json; return 200 '$success'; }
  }
}
NGINX
  ${cpus:+taskset -c "$cpus"} nginx -p "$work/nginx-$name" -c "$work/nginx-$name.conf" \
    -e "$work/nginx-$name/error.log" 2>/dev/null &
  pid=$!
  servers+=("$pid")
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.1; done
  [ "$(curl -sf "$(api "$port" create_room $app)" -d x)" = "$success" ] || { fail "nginx $name did not start"; exit 1; }
  for _ in $(seq 50); do [ "$(pgrep -P "$pid" | wc -l)" -ge "$workers" ] && break; sleep 0.1; done
  [ "$(pgrep -P "$pid" | wc -l)" -ge "$workers" ] || { fail "nginx $name did not start $workers workers"; exit 1; }
  server_pids[$port]="$pid $(pgrep -P "$pid" | tr '\n' ' ')"
  printf -v "nginx_port_$name" '%s' "$port"
  printf -v "nginx_pid_$name" '%s' "$pid"
}
stop_nginx() {  # name
  local pid_var="nginx_pid_$1"
  kill "${!pid_var}"
  wait "${!pid_var}" 2>/dev/null || true
}
# The emulator's own time per create (its /metrics histogram, from the request read to the answer made): what the
# host's stalls outside a handler, which reach wrk's max, do not move.
handler_slow() {  # port: creates, creates over 1 ms, creates over 5 ms
  curl -sf "http://127.0.0.1:$1/metrics" | awk '
    $1 == "lee_request_duration_seconds_bucket{command=\"create_room\",le=\"0.001\"}" { ms1 = $2 }
    $1 == "lee_request_duration_seconds_bucket{command=\"create_room\",le=\"0.005\"}" { ms5 = $2 }
    $1 == "lee_request_duration_seconds_count{command=\"create_room\"}" { n = $2 }
    END { if (n == "") print "n/a"; else printf "%d %d %d\n", n, n - ms1, n - ms5 }'
}
read -r slow_n0 slow_1_0 slow_5_0 <<<"$(handler_slow "$port_main")"
start_nginx side 1 "$server_cpu"
nginx_port=$nginx_port_side
for round in $(seq "$rounds"); do
  progress "create_room side by side, round $round of $rounds (${seconds} s each)"
  wrk_run nginx "$nginx_port" create_room $app - 32 "$seconds" scripts/bench/create_room_video.lua "n$round"
  wrk_run emulator "$port_main" create_room $app 0 32 "$seconds" scripts/bench/create_room_video.lua "e$round"
done
stop_nginx side
side_rooms=$(metric "$port_main" lee_rooms_total)
read -r slow_n slow_1 slow_5 <<<"$(handler_slow "$port_main")"
read -r n_rps n_cpu n_p50 n_p99 n_p999 n_max _ <<<"$(agg nginx)"
read -r e_rps e_cpu e_p50 e_p99 e_p999 e_max _ <<<"$(agg emulator)"
ratio_rps=$(calc %.2f "$e_rps / $n_rps")
ratio_cpu=$(calc %.2f "$e_cpu / $n_cpu")
row "create_room throughput, emulator / nginx" "$ratio_rps ($e_rps vs $n_rps req/s)" "≥ 0.8" "$(met "$ratio_rps" ">=" 0.8)"
row "create_room CPU per request, emulator / nginx" "$ratio_cpu ($e_cpu vs $n_cpu µs)" "≤ 1.5" \
  "$(met "$ratio_cpu" "<=" 1.5)"
# The target's p99 is over a run that stores more than 500,000 rooms: the emulator's rounds together (one round stores
# fewer), so their latencies are pooled. The worst round's p99 is reported beside it; the max is the same either way.
e_p99_run=$(percentile 99 "$work/latencies-emulator")
n_p99_run=$(percentile 99 "$work/latencies-nginx")
row "create_room p99 over the run (the emulator's $rounds rounds pooled, $side_rooms rooms stored)" "$e_p99_run ms" \
  "≤ 1 ms" "$(met "$e_p99_run" "<=" 1)"
row "create_room p99, worst round" "$e_p99 ms" "-" info
row "create_room max (worst round)" "$e_max ms" "≤ 5 ms" "$(met "$e_max" "<=" 5)"
if [ "$slow_n0" != n/a ] && [ "$slow_n" != n/a ]; then
  slow="$((slow_1 - slow_1_0)) / $((slow_5 - slow_5_0)) of $((slow_n - slow_n0))"
else
  slow="n/a (/metrics unread)"
fi
row "creates whose handler took over 1 ms / over 5 ms in the side-by-side rounds (the emulator's own histogram)" \
  "$slow" "-" info
# Each room takes heap the emulator has never touched: a page fault (~11 µs on a VM) every 16 rooms or so, unless the
# heap's growth is populated in bulk (server/core/heap_pages), which the timed runs cannot see (2 %). Informational,
# not a target: when the registry's shards double inside the run, their new tables fault as entries move in, up to
# ~80 per 1,000 creates for a few seconds, so no bound separates the two. Counted by perf's software counter (/proc's
# minflt counts pages populated in bulk too, as faults), in a run of its own: an attached counter makes every context
# switch dearer, so the timed runs go without it.
faults_row="page faults per 1,000 create_room (perf, a run of its own; ~70 with the heap's growth unpopulated)"
# Page faults per 1,000 creates of a run of its own on an emulator (label, port, pid), or why there is no figure.
faults_per_k() {  # label port pid
  local label=$1 port=$2 pid=$3 counter faults requests
  perf stat -e page-faults -- true >/dev/null 2>&1 || { echo "n/a (no perf)"; return; }
  progress "page faults of create_room, $label (${short} s, perf attached)"
  # A background job ignores SIGINT until perf sets its handler: restored, an early one still ends it.
  env --default-signal=INT perf stat -x, -e page-faults -p "$pid" -o "$work/faults-$label" 2>/dev/null &
  counter=$!
  wrk_run "$label" "$port" create_room $app 0 32 "$short" scripts/bench/create_room_video.lua "pf-$label"
  kill -INT "$counter" 2>/dev/null || true  # perf has gone already if the emulator has
  wait "$counter" 2>/dev/null || true
  faults=$(awk -F, '/page-faults/ && $1 ~ /^[0-9]+$/ { print $1 }' "$work/faults-$label" 2>/dev/null) || faults=''
  read -r _ _ _ _ _ _ requests _ <<<"$(agg "$label")"
  if [ -n "$faults" ] && [ "$requests" -gt 0 ]; then calc %.1f "$faults * 1000 / $requests"; echo
  else echo "n/a (perf could not attach)"; fi
}
row "$faults_row" "$(faults_per_k faults "$port_main" "$pid_main")" "-" info
row "rooms stored by the emulator's side-by-side rounds" "$side_rooms" "> 500,000" "$(met "$side_rooms" ">" 500000)"

# 3. The same emulator filled to $fill rooms (unique RoomIds, the same body), then memory and get_room_list.
for attempt in $(seq 10); do
  rooms=$(metric "$port_main" lee_rooms_total)
  [ "$rooms" -lt "$fill" ] || break
  # Just short of the estimate, then the rest: overshooting by seconds of creates would blur the per-room figure.
  fill_seconds=$(calc %d "($fill - $rooms) / ($e_rps > 1000 ? $e_rps : 1000)")
  [ "$fill_seconds" -ge 1 ] || fill_seconds=1
  progress "filling: $rooms rooms, $fill_seconds s more"
  wrk_run fill "$port_main" create_room $app 0 32 "$((fill_seconds < 60 ? fill_seconds : 60))" \
    scripts/bench/create_room_video.lua "f$attempt"
done
rooms=$(metric "$port_main" lee_rooms_total)
[ "$rooms" -ge "$fill" ] || fail "the emulator holds $rooms rooms, not $fill"
full_kib=$(rss_kib "$pid_main")
per_million=$(calc %.0f "($full_kib - $idle_main_kib) / 1024 * 1000000 / $rooms")
row "RSS above idle per 1,000,000 rooms ($rooms rooms, video body)" "$per_million MiB" "≤ 300 MiB" \
  "$(met "$per_million" "<=" 300)"
progress "get_room_list with $rooms rooms (${short} s), then lists and creates together (${short} s)"
# Four clients paging at once: the latency of a page, not of a queue (32 connections each asking for a page as soon
# as the last one came would measure 32 pages of queueing on the one I/O thread).
wrk_run list "$port_main" get_room_list $app 0 4 "$short" scripts/bench/get_room_list.lua
read -r l_rps _ _ l_p99 _ l_max _ <<<"$(agg list)"
row "get_room_list p99, Count 20, $rooms rooms, 4 connections ($l_rps req/s, max $l_max ms)" "$l_p99 ms" "≤ 1 ms" "$(met "$l_p99" "<=" 1)"
mixed_run mixed "$port_main" $app 28 4 "$short" m
read -r mc_rps _ _ mc_p99 _ mc_max _ <<<"$(agg mixed-create)"
read -r ml_rps _ _ ml_p99 _ _ _ <<<"$(agg mixed-list)"
row "create_room p99 while lists run ($mc_rps creates/s, $ml_rps lists/s; max $mc_max ms)" "$mc_p99 ms" "≤ 1 ms" \
  "$(met "$mc_p99" "<=" 1)"
row "get_room_list p99 while creates run" "$ml_p99 ms" "(≤ 1 ms alone)" info
progress "stopping the emulator with $(metric "$port_main" lee_rooms_total) rooms"
stop_emulator main

# 4. Error paths against success, on one fresh emulator, in alternation; success with the journal off on another.
start_emulator errors "$work/rules-errors" "$server_cpu" --threads 1
start_emulator nojournal "$work/rules" "$server_cpu" --threads 1 --journal-entries 0
sample() {  # port sdkappid code body: one answer (of up to 3 tries: a rate window may still have room) with it
  local answer
  for _ in 1 2 3; do
    answer=$(curl -sf -X POST "$(api "$1" create_room "$2")" -d "$4")
    grep -q "\"ErrorCode\":$3," <<<"$answer" && return
  done
  fail "a create_room of app $2 did not answer $3: $answer"
}
sample "$port_errors" $app 100002 "$(video_body sample '"yes"')"
sample "$port_errors" 1500000001 100012 "$(video_body video-same)"
sample "$port_errors" 1500000002 60007 "$(video_body sample-1)"
sample "$port_errors" 1500000003 100001 "$(video_body sample-2)"
for round in 1 2; do
  progress "error paths, round $round of 2 (${short} s each)"
  wrk_run success "$port_errors" create_room $app 0 32 "$short" scripts/bench/create_room_video.lua "s$round"
  wrk_run 100002 "$port_errors" create_room $app 100002 32 "$short" scripts/bench/create_room_video.lua \
    "b$round" badtype
  wrk_run 100012 "$port_errors" create_room 1500000001 100012 32 "$short" scripts/bench/create_room_video.lua \
    "d$round" same
  wrk_run 60007 "$port_errors" create_room 1500000002 60007 32 "$short" scripts/bench/create_room_video.lua "r$round"
  wrk_run fault "$port_errors" create_room 1500000003 100001 32 "$short" scripts/bench/create_room_video.lua \
    "x$round"
  wrk_run nojournal "$port_nojournal" create_room $app 0 32 "$short" scripts/bench/create_room_video.lua "j$round"
done
stop_emulator errors
stop_emulator nojournal
read -r _ s_cpu _ <<<"$(agg success)"
for path in "100002 wrong type (IsPublicVisible a string)" "100012 same RoomId within the interval" \
            "60007 rate limit 1/s" "fault an injected error_code 100001 (faults.json rule)"; do
  read -r _ p_cpu _ <<<"$(agg "${path%% *}")"
  ratio=$(calc %.2f "$p_cpu / $s_cpu")
  row "CPU per request, ${path#* } / success" "$ratio ($p_cpu vs $s_cpu µs)" "≤ 1.1 (success + 10% noise)" \
    "$(met "$ratio" "<=" 1.1)"
done
read -r _ j_cpu _ <<<"$(agg nojournal)"
row "journal's cost: CPU per request with it on / off" "$(calc %.2f "$s_cpu / $j_cpu") ($s_cpu vs $j_cpu µs)" "-" \
  info

# 5. Scaling: --threads 2 against --threads 1, fresh emulators, and nginx with 2 workers against 1 (the same body,
# placed alike), in alternation. With 3 cores or more, the target is the emulator's own ratio. With fewer, wrk shares
# the server's cores, and every server pays for sleeping and waking as the cores change hands: nginx's workers share
# nothing and still cost 1.07-1.25x one worker's CPU per request, so a raw ratio cannot tell a lock that every request
# takes from the machine. There the target is the emulator's ratio with nginx's added CPU taken out (what the
# emulator's own shared state adds), and the raw ratio is reported beside it.
client_now=(${scale_client[@]+"${scale_client[@]}"})
start_emulator t1 "$work/rules" "$scale_cpu" --threads 1
start_emulator t2 "$work/rules" "$scale_cpu" --threads 2
start_nginx n1 1 "$scale_cpu"
start_nginx n2 2 "$scale_cpu"
for round in 1 2 3; do
  progress "--threads 1 and 2, nginx 1 and 2 workers, round $round of 3 (${short} s each)"
  wrk_run t1 "$port_t1" create_room $app 0 32 "$short" scripts/bench/create_room_video.lua "t1-$round"
  wrk_run t2 "$port_t2" create_room $app 0 32 "$short" scripts/bench/create_room_video.lua "t2-$round"
  wrk_run n1 "$nginx_port_n1" create_room $app - 32 "$short" scripts/bench/create_room_video.lua "n1-$round"
  wrk_run n2 "$nginx_port_n2" create_room $app - 32 "$short" scripts/bench/create_room_video.lua "n2-$round"
done
stop_emulator t1
stop_emulator t2
stop_nginx n1
stop_nginx n2
# The faults on an emulator of its own: one that already holds the rounds' rooms counts its registry's doublings.
start_emulator t2faults "$work/rules" "$scale_cpu" --threads 2
t2_faults=$(faults_per_k t2-faults "$port_t2faults" "$pid_t2faults")
stop_emulator t2faults
read -r t1_rps t1_cpu _ <<<"$(agg t1)"
read -r t2_rps t2_cpu _ <<<"$(agg t2)"
read -r _ n1_cpu _ <<<"$(agg n1)"
read -r _ n2_cpu _ <<<"$(agg n2)"
if awk -v a="$t1_rps" -v b="$t1_cpu" -v c="$n1_cpu" -v d="$t2_cpu" -v e="$n2_cpu" \
  'BEGIN { exit !(a > 0 && b > 0 && c > 0 && d > 0 && e > 0) }'; then
  growth=$(calc %.2f "$t2_rps / $t1_rps")
  cpu_growth=$(calc %.2f "$t2_cpu / $t1_cpu")
  nginx_added=$(calc %.2f "$n2_cpu - $n1_cpu")
  without_nginx_added=$(calc %.2f "($t2_cpu - ($n2_cpu - $n1_cpu)) / $t1_cpu")
  if [ "$cores" -ge 3 ]; then
    row "--threads 2 / --threads 1 throughput (server on 2 cores, wrk on a third)" \
      "$growth ($t2_rps vs $t1_rps req/s)" "> 1" "$(met "$growth" ">" 1)"
  else
    row "--threads 2 / --threads 1 throughput (wrk shares the 2 cores: informational)" \
      "$growth ($t2_rps vs $t1_rps req/s)" "grows on ≥ 3 cores" info
  fi
  # The target: the raw ratio with wrk on a core of its own, the one with nginx's added µs out where wrk shares.
  raw_label=; raw_target="≤ 1.1"; raw_met=$(met "$cpu_growth" "<=" 1.1); out_target="-"; out_met=info
  if [ "$cores" -lt 3 ]; then
    raw_label=" (wrk shares the 2 cores: informational)"; raw_target="≤ 1.1 with wrk on a third core"; raw_met=info
    out_target="≤ 1.1"; out_met=$(met "$without_nginx_added" "<=" 1.1)
  fi
  row "--threads 2 / --threads 1 CPU per request$raw_label" "$cpu_growth ($t2_cpu vs $t1_cpu µs)" "$raw_target" \
    "$raw_met"
  row "nginx 2 workers / 1 worker CPU per request, placed alike" \
    "$(calc %.2f "$n2_cpu / $n1_cpu") ($n2_cpu vs $n1_cpu µs: $nginx_added µs added)" "-" info
  row "--threads 2 / --threads 1 CPU per request, nginx's added µs taken out (what the emulator's own shared state adds)" \
    "$without_nginx_added" "$out_target" "$out_met"
else
  fail "--threads 1 or 2, or nginx's 1 or 2 workers, made no request: no scaling figures"
fi
row "page faults per 1,000 create_room, --threads 2 (perf, a fresh emulator's run of its own)" "$t2_faults" "-" info
client_now=(${client[@]+"${client[@]}"})

# 6. What slowloris costs a good client, and memory per app (issue 10).
if [ "$stalled" -gt 0 ]; then
  progress "slowloris with $stalled stalled connections"
  if scripts/slowloris.sh "$binary" "$stalled" >"$work/slowloris" 2>&1; then verdict=yes; else verdict=no; fi
  cat "$work/slowloris"
  row "slowloris: added p50 / p99 of a good client, $stalled stalled connections" \
    "$(awk '/^ *added/ {print $2 " / " $3 " ms"}' "$work/slowloris")" "< 5 ms" "$verdict"
fi
if [ "$apps" -gt 0 ]; then
  progress "apps_memory.py with $apps apps"
  if python3 scripts/bench/apps_memory.py "$binary" "$apps" >"$work/apps_memory" 2>&1; then verdict=yes; else verdict=no; fi
  cat "$work/apps_memory"
  row "an app beside its room ($apps apps, apps_memory.py)" \
    "$(sed -n 's/^an app beside its room ≈ \(-\{0,1\}[0-9]*\) bytes.*/\1 bytes/p' "$work/apps_memory")" "≤ 1536 bytes, reset keeps ≤ 10%" \
    "$verdict"
fi

echo
echo "create_room side by side: wrk -t1 -c32 -d${seconds}s${client:+ on cpu 1}, server${server_cpu:+ on cpu 0}," \
     "--threads 1, $rounds rounds in alternation, unique RoomIds, the seed's video body, $words sensitive words;" \
     "$side_rooms rooms stored by the emulator's rounds"
echo
echo "| server | requests/s | CPU µs/request | p50 ms | p99 ms | p99.9 ms | max ms |"
echo "|---|--:|--:|--:|--:|--:|--:|"
echo "| nginx $(nginx -v 2>&1 | sed 's/.*nginx\///'), 1 worker, return 200 | $n_rps | $n_cpu | $n_p50 | $n_p99 | $n_p999 | $n_max |"
echo "| live-engine-emulator | $e_rps | $e_cpu | $e_p50 | $e_p99 | $e_p999 | $e_max |"
echo "| emulator / nginx | $ratio_rps | $ratio_cpu | $(calc %.2f "$e_p50 / $n_p50") | $(calc %.2f "$e_p99 / $n_p99") |" \
     "$(calc %.2f "$e_p999 / $n_p999") | $(calc %.2f "$e_max / $n_max") |"
echo
echo "(requests/s: mean of the rounds; CPU: over all rounds, from /proc/PID/stat; latencies: the worst round."
echo "p99 over the rounds pooled: nginx $n_p99_run ms, emulator $e_p99_run ms)"
echo
echo "Each round (requests/s, CPU µs/request, p50 / p99 / p99.9 / max ms):"
awk '$1 == "nginx" || $1 == "emulator" { printf "- %s: %s, %s, %s / %s / %s / %s\n", $1, $2, $3, $4, $5, $6, $7 }' \
  "$work/runs"
echo
echo "| measurement | value | target | met |"
echo "|---|--:|---|---|"
cat "$work/rows"
echo
echo "$cores cores, $(($(date +%s) - began)) s, binary $binary"
if [ -s "$work/failures" ]; then
  echo
  cat "$work/failures"
  exit 1
fi
echo "targets met"
