#!/usr/bin/env python3
"""Writes a deterministic list of sensitive words for the benchmark (issue 11 measures with 2,500), none of which
matches the benchmark's request bodies, so every create still succeeds and the matcher does its full scan.

Usage: sensitive_words.py OUT [COUNT, default 2500]
Mostly ASCII words and two-word phrases of 4..12 letters, and one in ten a run of 2..4 CJK characters, as a
real list mixes them; a fixed seed, so every run (and every machine) scans the same list.
"""
import random
import sys

# Every string the benchmark sends in a field the matcher reads (RoomId, RoomName, CoverURL; lower case, as the
# match is case-insensitive for ASCII): a word inside any of them would turn creates into 100026.
BENCH_TEXT = ["video-run-0123456789", "happy new year", "cover url", "nginx-body", "bench-probe", "video-same",
              "testa", "live", "applytotake", "videodynamicgrid9seats"]


def word(rng):
    if rng.random() < 0.1:
        return "".join(chr(rng.randrange(0x4E00, 0x9FA6)) for _ in range(rng.randint(2, 4)))
    letters = "abcdefghijklmnopqrstuvwxyz"
    parts = [rng.randint(4, 12)] + ([rng.randint(4, 8)] if rng.random() < 0.2 else [])
    return " ".join("".join(rng.choice(letters) for _ in range(n)) for n in parts)


def main():
    out, count = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 2500
    rng = random.Random(11)
    words = []
    seen = set()
    while len(words) < count:
        candidate = word(rng)
        if candidate in seen or any(candidate in text for text in BENCH_TEXT):
            continue
        seen.add(candidate)
        words.append(candidate)
    with open(out, "w", encoding="utf-8") as file:
        file.write("# %d generated words (scripts/bench/sensitive_words.py, seed 11)\n" % count)
        file.write("\n".join(words) + "\n")


if __name__ == "__main__":
    main()
