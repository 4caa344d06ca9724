#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz/ (build-sanitize/, clang: the build scripts/test.sh tests with) and
# runs each for SECONDS on a copy of its seed corpus (tests/fuzz/corpus/<target>/, which is never modified), after
# replaying the inputs of tests/fuzz/crashes/ that belong to it. Targets run two at a time (one per core).
# Usage: scripts/fuzz.sh [seconds, default 60] [target ...]        e.g. scripts/fuzz.sh 600 fuzz_request
# Environment: LEE_FUZZ_ALLOW="utf8 head-body" looks past known findings of fuzz_request (tests/fuzz/crashes/README.md).
# Prints one line per target, "fuzz <target>: pass|FAIL ...", and for a crash the file libFuzzer saved it in;
# exits non-zero on any crash, timeout (10 s for one input) or out-of-memory.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

seconds=${1:-60}
shift || true
case "$seconds" in '' | *[!0-9]*) echo "usage: $0 [seconds] [target ...]" >&2; exit 2 ;; esac
if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  targets=()
  for source in tests/fuzz/fuzz_*.cpp; do targets+=("$(basename "$source" .cpp)"); done
fi

build_log=$(mktemp)
if ! scripts/build.sh sanitize >"$build_log" 2>&1; then
  cat "$build_log"
  rm -f "$build_log"
  echo "fuzz: FAIL (the fuzz build failed)"
  exit 1
fi
rm -f "$build_log"

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
crash_dir="$repo/build-sanitize/crashes"
mkdir -p "$crash_dir"

# Runs one target: replays its crash files, then fuzzes. Writes its summary line to $work/<target>.result.
run_target() {
  local target=$1 binary="$repo/build-sanitize/$1" log="$work/$1.log" max_len=4096 options=()
  [ "$target" = fuzz_request ] && max_len=16384
  [ -f "tests/fuzz/$target.dict" ] && options+=("-dict=$repo/tests/fuzz/$target.dict")
  if [ ! -x "$binary" ]; then
    echo "fuzz $target: FAIL (no such target in build-sanitize/)" >"$work/$target.result"
    return
  fi
  local known=()
  for file in tests/fuzz/crashes/"$target"-*; do [ -f "$file" ] && known+=("$file"); done
  if [ "${#known[@]}" -gt 0 ] && ! "$binary" "${known[@]}" >"$log" 2>&1; then
    echo "fuzz $target: FAIL (a saved input of tests/fuzz/crashes/ fails again; report above)" >"$work/$target.result"
    return
  fi
  mkdir -p "$work/corpus" "$crash_dir/$target"
  cp -r "tests/fuzz/corpus/$target" "$work/corpus/$target"
  if "$binary" "$work/corpus/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len="$max_len" \
      -artifact_prefix="$crash_dir/$target/" -print_final_stats=1 "${options[@]}" >"$log" 2>&1; then
    local runs rate
    runs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log")
    rate=$(awk '/stat::average_exec_per_sec/ {print $2}' "$log")
    echo "fuzz $target: pass ($runs inputs in ${seconds} s, $rate/s, no crash)" >"$work/$target.result"
  else
    local saved
    saved=$(sed -n 's/.*Test unit written to //p' "$log" | tail -1)
    echo "fuzz $target: FAIL (crash saved in ${saved:-?}; replay: build-sanitize/$target FILE)" >"$work/$target.result"
  fi
}

jobs=$(nproc)
status=0
for ((i = 0; i < ${#targets[@]}; i += jobs)); do
  pids=()
  for target in "${targets[@]:i:jobs}"; do
    run_target "$target" &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid"; done
  pids=()
  for target in "${targets[@]:i:jobs}"; do
    line=$(cat "$work/$target.result" 2>/dev/null || echo "fuzz $target: FAIL (no result)")
    case "$line" in
      *": pass"*) ;;
      *)
        status=1
        # The sanitizer's or the check's report: what to read first.
        grep -v -E '^#[0-9]+|NEW_FUNC|^\s+#[0-9]+ 0x' "$work/$target.log" 2>/dev/null | tail -40 || true
        ;;
    esac
    echo "$line"
  done
done
exit "$status"
