#!/usr/bin/env python3
"""RSS of the emulator before, after 200,000 apps holding one room each, after a reset, and after as many rooms
in one app: what an app costs beside its room, and whether a reset gives the memory back. Then the same rooms come
back from --state-file in a new process, and again through PUT /_emulator/snapshot: neither may leave it holding
more than the one that made them (the text and what parsing it took are given back).

Usage: apps_memory.py BINARY [APPS]   (prints one line per figure; exits 1 when a bound below is missed)
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

BODY = json.dumps({"RoomInfo": {"RoomId": "r", "RoomName": "memory probe", "RoomType": "Live",
                                "SeatTemplate": "VideoDynamicGrid9Seats"}}).encode()
# Bounds: an app holding one room costs at most this many bytes more than the room itself does in a big app, and
# a reset gives back all but this much of what the apps took.
MAX_APP_OVERHEAD = 1536
MAX_KEPT_AFTER_RESET = 0.10
# A start from the state file holds at most this much more than the emulator that saved it.
MAX_RESTORED_RATIO = 1.25


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def send_all(port, requests, connections=8, depth=128):
    """Sends every request (bytes) pipelined over a few keep-alive connections; returns how many said ErrorCode 0."""
    ok = 0
    chunks = [requests[i::connections] for i in range(connections)]
    socks = [socket.create_connection(("127.0.0.1", port)) for _ in chunks]
    for sock, chunk in zip(socks, chunks):
        sock.settimeout(30)
        buffer = b""
        for start in range(0, len(chunk), depth):
            batch = chunk[start:start + depth]
            sock.sendall(b"".join(batch))
            answered = 0
            while answered < len(batch):
                head_end = buffer.find(b"\r\n\r\n")
                if head_end < 0:
                    data = sock.recv(1 << 16)
                    if not data:
                        raise RuntimeError("connection closed")
                    buffer += data
                    continue
                head = buffer[:head_end].decode("latin-1").lower()
                length = int(head.split("content-length:")[1].split("\r\n")[0])
                if len(buffer) < head_end + 4 + length:
                    buffer += sock.recv(1 << 16)
                    continue
                body = buffer[head_end + 4:head_end + 4 + length]
                buffer = buffer[head_end + 4 + length:]
                ok += b'"ErrorCode":0' in body
                answered += 1
        sock.close()
    return ok


def create(sdkappid, room_id):
    body = BODY.replace(b'"r"', f'"{room_id}"'.encode())
    return (f"POST /v4/live_engine_http_srv/create_room?sdkappid={sdkappid}&identifier=admin&usersig=x"
            f"&random=1&contenttype=json HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {len(body)}\r\n\r\n"
            ).encode() + body


def reset(port):
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(b"POST /_emulator/reset HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    while sock.recv(1 << 16):
        pass
    sock.close()


def put_snapshot(port, path):
    with open(path, "rb") as state:
        request = urllib.request.Request(f"http://127.0.0.1:{port}/_emulator/snapshot", data=state.read(), method="PUT")
    with urllib.request.urlopen(request) as answer:
        if json.load(answer).get("restored") is not True:
            raise SystemExit("PUT /_emulator/snapshot did not restore the saved state")


def start(binary, rules, port_file, *flags):
    if os.path.exists(port_file):
        os.remove(port_file)
    emulator = subprocess.Popen([binary, "--listen", "127.0.0.1:0", "--rules", rules, "--log-level", "warn",
                                 "--port-file", port_file, "--threads", "2", *flags],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE if os.environ.get("LEE_DEBUG") else None)
    for _ in range(600):
        if os.path.exists(port_file) and open(port_file).read().strip():
            return emulator, int(open(port_file).read())
        if emulator.poll() is not None:
            raise SystemExit(f"{binary} exited with {emulator.returncode} before listening")
        time.sleep(0.05)
    emulator.kill()
    raise SystemExit(f"{binary} did not listen within 30 s")


def stop(emulator):
    emulator.terminate()
    if emulator.wait() != 0:
        raise SystemExit(f"the emulator exited with {emulator.returncode} at SIGTERM")


def main():
    binary = sys.argv[1]
    apps = int(sys.argv[2]) if len(sys.argv) > 2 else 200_000
    with tempfile.TemporaryDirectory() as rules:
        with open(os.path.join(rules, "apps.json"), "w") as out:
            json.dump({"defaults": {"rate_limits": {"create_room": 0}, "room_create_interval_ms": 0}}, out)
        port_file = os.path.join(rules, "port")
        state_file = os.path.join(rules, "state.json")
        # Saved only at the clean stop below.
        flags = ("--max-apps", str(apps + 10), "--state-file", state_file, "--state-save-interval", "0")
        emulator, port = start(binary, rules, port_file, *flags)
        try:
            # Warm-up: one app, one room, so the allocator's and the threads' first costs are not counted.
            send_all(port, [create(1, "warm")], connections=1)
            reset(port)
            before = rss_kib(emulator.pid)
            created = send_all(port, [create(1_000_000 + i, "r") for i in range(apps)])
            after_apps = rss_kib(emulator.pid)
            reset(port)
            time.sleep(0.2)
            after_reset = rss_kib(emulator.pid)
            rooms = send_all(port, [create(7, f"room-{i}") for i in range(apps)])
            after_rooms = rss_kib(emulator.pid)
        finally:
            stop(emulator)
        emulator, port = start(binary, rules, port_file, *flags)
        try:
            restored = rss_kib(emulator.pid)
            # The same rooms put back over the control API, after a reset (replacing rooms in place leaves the
            # allocator's fragmentation, another matter than the parse's leftovers measured here).
            reset(port)
            put_snapshot(port, state_file)
            reput = rss_kib(emulator.pid)
        finally:
            stop(emulator)
    per_app = (after_apps - before) * 1024 / max(created, 1)
    per_room = (after_rooms - after_reset) * 1024 / max(rooms, 1)
    kept = (after_reset - before) / max(after_apps - before, 1)
    print(f"RSS before            {before:>9} KiB")
    print(f"RSS after {created} apps  {after_apps:>9} KiB   ≈ {per_app:.0f} bytes per app holding one room")
    print(f"RSS after reset       {after_reset:>9} KiB   ({kept:.1%} of what the apps took is kept)")
    print(f"RSS after {rooms} rooms in one app {after_rooms:>9} KiB   ≈ {per_room:.0f} bytes per room")
    print(f"RSS of a new start from --state-file with them {restored:>9} KiB   "
          f"({restored / max(after_rooms, 1):.2f} of the saving emulator's, bound {MAX_RESTORED_RATIO})")
    print(f"RSS after PUT /_emulator/snapshot of them {reput:>9} KiB   "
          f"({reput / max(after_rooms, 1):.2f} of the saving emulator's, bound {MAX_RESTORED_RATIO})")
    print(f"an app beside its room ≈ {per_app - per_room:.0f} bytes (bound {MAX_APP_OVERHEAD})")
    failed = created != apps or rooms != apps
    if failed:
        print(f"FAIL: {created} and {rooms} of {apps} creates succeeded")
    if per_app - per_room > MAX_APP_OVERHEAD:
        print("FAIL: an app costs more than its room by over the bound")
        failed = True
    if kept > MAX_KEPT_AFTER_RESET:
        print("FAIL: reset kept more than the bound")
        failed = True
    if restored > MAX_RESTORED_RATIO * after_rooms:
        print("FAIL: a start from --state-file holds more than the bound")
        failed = True
    if reput > MAX_RESTORED_RATIO * after_rooms:
        print("FAIL: PUT /_emulator/snapshot left the emulator holding more than the bound")
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
