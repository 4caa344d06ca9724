#!/usr/bin/env python3
"""What a slowloris costs a good client: its request latencies without, then with, N connections that send part of
a request and stall. Prints p50/p99/max of both and the difference; exits 1 when the added p50 or p99 is over the
allowance. Usage: slowloris.py PORT [stalled connections, default 1000] [samples, default 2000] [allowance ms, 5]

Each sample is a whole exchange of a good client: connect, get_room_info, read the answer, close (a new connection
each time, so accepting it next to the stalled ones is measured too).
"""
import socket
import sys
import time

PORT = int(sys.argv[1])
STALLED = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
SAMPLES = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
ALLOWANCE_MS = float(sys.argv[4]) if len(sys.argv) > 4 else 5.0

QUERY = "sdkappid=1500000000&identifier=admin&usersig=x&random=1&contenttype=json"
BODY = b'{"RoomId":"slowloris-probe"}'
REQUEST = (("POST /v4/live_engine_http_srv/get_room_info?%s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Content-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n") % (QUERY, len(BODY))
           ).encode() + BODY
# A request line and some headers, never the blank line that ends them.
PARTIAL = (("POST /v4/live_engine_http_srv/create_room?%s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Content-Type: application/json\r\nX-Slow: ") % QUERY).encode()


def exchange():
    started = time.perf_counter()
    with socket.create_connection(("127.0.0.1", PORT), timeout=10) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.sendall(REQUEST)
        data = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    elapsed = time.perf_counter() - started
    if not data.startswith(b"HTTP/1.1 200 ") or b'"ErrorCode":0' not in data:
        raise SystemExit("slowloris: unexpected answer %r" % data[:200])
    return elapsed * 1000


def measure():
    for _ in range(50):  # warm-up
        exchange()
    latencies = sorted(exchange() for _ in range(SAMPLES))
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]
    return {"p50": pick(0.50), "p99": pick(0.99), "max": latencies[-1]}


def open_connections():
    data = b""
    with socket.create_connection(("127.0.0.1", PORT), timeout=10) as sock:
        sock.sendall(b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    for line in data.decode().splitlines():
        if line.startswith("lee_connections_open "):
            return int(line.split()[1])
    raise SystemExit("slowloris: no lee_connections_open in /metrics")


def main():
    # The probe room get_room_info asks for.
    create = b'{"RoomInfo":{"RoomId":"slowloris-probe","RoomType":"Live","SeatTemplate":"AudioSalon"}}'
    with socket.create_connection(("127.0.0.1", PORT), timeout=10) as sock:
        sock.sendall(("POST /v4/live_engine_http_srv/create_room?%s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      "Content-Length: %d\r\nConnection: close\r\n\r\n" % (QUERY, len(create))).encode() + create)
        while sock.recv(65536):
            pass

    without = measure()
    stalled = []
    try:
        for _ in range(STALLED):
            sock = socket.create_connection(("127.0.0.1", PORT), timeout=10)
            sock.sendall(PARTIAL)
            stalled.append(sock)
        time.sleep(0.2)
        held_before = open_connections()
        started = time.monotonic()
        with_stalled = measure()
        held_after = open_connections()
        took = time.monotonic() - started
    finally:
        for sock in stalled:
            sock.close()

    print("slowloris: %d stalled connections (open while measuring: %d before, %d after, %.1f s), %d samples of "
          "connect + get_room_info + close" % (STALLED, held_before, held_after, took, SAMPLES))
    print("  %-22s %8s %8s %8s" % ("good client (ms)", "p50", "p99", "max"))
    for name, figures in (("without slowloris", without), ("with slowloris", with_stalled)):
        print("  %-22s %8.3f %8.3f %8.3f" % (name, figures["p50"], figures["p99"], figures["max"]))
    added = {k: with_stalled[k] - without[k] for k in without}
    print("  %-22s %8.3f %8.3f %8.3f" % ("added", added["p50"], added["p99"], added["max"]))
    status = 0
    if min(held_before, held_after) < STALLED:
        print("slowloris: FAIL: the stalled connections were not all open while measuring")
        status = 1
    for key in ("p50", "p99"):
        if added[key] > ALLOWANCE_MS:
            print("slowloris: FAIL: the good client's %s grew by %.3f ms (allowed %.1f ms)" % (key, added[key],
                                                                                           ALLOWANCE_MS))
            status = 1
    if status == 0:
        print("slowloris: OK: the good client's p50 and p99 grew by less than %.1f ms" % ALLOWANCE_MS)
    return status


if __name__ == "__main__":
    sys.exit(main())
