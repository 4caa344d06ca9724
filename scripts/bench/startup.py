#!/usr/bin/env python3
"""Startup time (from just before exec to the READY line on stdout) and idle RSS of the emulator, median of N starts.

Usage: startup.py BINARY RULES_DIR [N, default 5]
Prints "startup_ms=<median> idle_rss_kib=<median>". Each start uses port 0 and the default thread count; the RSS is
read 0.3 s after READY, with no request served.
"""
import statistics
import subprocess
import sys
import time

from apps_memory import rss_kib  # the same directory: Python puts it on the path


def main():
    binary, rules = sys.argv[1], sys.argv[2]
    starts = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    times, rss = [], []
    for _ in range(starts):
        started = time.perf_counter()
        emulator = subprocess.Popen([binary, "--listen", "127.0.0.1:0", "--rules", rules, "--log-level", "warn"],
                                    stdout=subprocess.PIPE)
        try:
            line = emulator.stdout.readline().decode()
            elapsed = time.perf_counter() - started
            if not line.startswith("READY listen="):
                raise SystemExit(f"startup: no READY line (got {line!r}, exit {emulator.poll()})")
            time.sleep(0.3)
            rss.append(rss_kib(emulator.pid))
            times.append(elapsed * 1000)
        finally:
            emulator.terminate()
            if emulator.wait() != 0:
                raise SystemExit(f"startup: the emulator exited with {emulator.returncode} at SIGTERM")
    print(f"startup_ms={statistics.median(times):.2f} idle_rss_kib={statistics.median(rss):.0f}")


if __name__ == "__main__":
    main()
