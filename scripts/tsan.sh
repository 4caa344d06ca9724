#!/usr/bin/env bash
# The concurrency tests under ThreadSanitizer: builds build-tsan/ (g++ -fsanitize=thread -O1), runs the unit suites
# with threads (registry races, tenant directory, rate windows, the clock, the fault store's counters, the journal,
# the metrics), then the end-to-end suites that drive the binary from many connections at
# once, against the TSan binary. TSAN_OPTIONS=halt_on_error=1: any report stops the process and fails the step.
# Usage: scripts/tsan.sh        Prints "tsan <step>: pass|FAIL" per step; exits non-zero if one failed.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

scripts/setup.sh
build_log=$(mktemp)
if ! scripts/build.sh tsan >"$build_log" 2>&1; then
  cat "$build_log"
  rm -f "$build_log"
  echo "tsan build: FAIL"
  exit 1
fi
rm -f "$build_log"

# halt_on_error: the first report ends the process (exit code 66), so a race fails the test that provoked it.
# tests/tsan/suppressions.txt holds only reports inside system libraries, each with the reason it is no race here.
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:suppressions=$repo/tests/tsan/suppressions.txt}
status=0
step() {  # name command...
  local name=$1 log
  shift
  log=$(mktemp)
  if "$@" >"$log" 2>&1; then
    echo "tsan $name: pass"
  else
    tail -80 "$log"
    echo "tsan $name: FAIL"
    status=1
  fi
  rm -f "$log"
}

# The unit files whose tests start threads, whole (room_registry: the registry's 64-thread races, the tenant
# directory, the rate limiter, the clock; faults_journal: `times` under 8 threads, the journal's and the metrics'
# stripes). RequestIds across threads are exercised by every concurrent end-to-end request below.
step "unit suites with threads" build-tsan/concurrency_tests --log_level=test_suite --report_level=short

# End-to-end suites that run requests side by side, against the TSan binary.
e2e_tests=(
  test_concurrency                                                 # reload and every control change under load
  test_rate_limits                                                 # windows filled from many connections
  test_room_lifecycle.RoomListTest                                 # paging while rooms come and go
  test_create_room.ConcurrencyTest                                 # 64 creates of one RoomId at once
  test_transport.ConcurrencyTest test_transport.KeepAliveAndPipeliningTest
  test_faults.ConcurrentDelayTest test_faults.ScheduleTest.test_times_is_exact_under_concurrency
  test_webhooks                                                    # API threads enqueue, the webhook thread delivers
)
step "e2e concurrency suites" env LEE_BINARY="$repo/build-tsan/live-engine-emulator" LEE_REPO="$repo" \
  bash -c 'cd tests/e2e && python3 -m unittest -v "$@"' e2e "${e2e_tests[@]}"
exit "$status"
