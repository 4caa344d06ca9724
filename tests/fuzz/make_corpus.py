#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into tests/fuzz/corpus/<target>/ from the project's own test cases:
requests of the end-to-end suites as raw HTTP, the UserSig vectors of tests/unit/usersig_test.cpp, the rules files
of rules/ and tests/e2e/rules/ (and the faults.json of test_faults.py), the X-Emulator-Fault values of
test_faults.py and of the unit tests. Run it again after changing a test; the files are committed.

Usage: python3 tests/fuzz/make_corpus.py   (stdlib only)
"""
import base64
import hashlib
import hmac
import json
import os
import re
import shutil
import sys
import urllib.parse
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
CORPUS = os.path.join(HERE, "corpus")
sys.path.insert(0, os.path.join(REPO, "tests", "e2e"))

SERVICE = "/v4/live_engine_http_srv/"
KEY = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e"  # app 1400000000 of tests/e2e/rules


def read(*parts):
    with open(os.path.join(REPO, *parts), "rb") as f:
        return f.read()


def usersig(identifier, sdkappid=1400000000, key=KEY, now=1800000000, expire=86400):
    """TLSSigAPIv2, as the official libraries make it."""
    content = "TLS.identifier:%s\nTLS.sdkappid:%d\nTLS.time:%d\nTLS.expire:%d\n" % (identifier, sdkappid, now, expire)
    sig = base64.b64encode(hmac.new(key.encode(), content.encode(), hashlib.sha256).digest()).decode()
    doc = json.dumps({"TLS.ver": "2.0", "TLS.identifier": identifier, "TLS.sdkappid": sdkappid, "TLS.time": now,
                      "TLS.expire": expire, "TLS.sig": sig}, separators=(",", ":"))
    return base64.b64encode(zlib.compress(doc.encode())).decode().translate(str.maketrans("+/=", "*-_"))


def query(sdkappid=88888888, identifier="admin", sig="xxx", random="99999999", contenttype="json"):
    params = [("sdkappid", sdkappid), ("identifier", identifier), ("usersig", sig), ("random", random),
              ("contenttype", contenttype)]
    return urllib.parse.urlencode([(k, v) for k, v in params if v is not None], safe="*")


def http(method, target, body=b"", headers=(), version="1.1", length=True):
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
    if isinstance(body, str):
        body = body.encode()
    lines = ["%s %s HTTP/%s" % (method, target, version), "Host: 127.0.0.1:9080"]
    if body and length:
        lines += ["Content-Type: application/json", "Content-Length: %d" % len(body)]
    lines += ["%s: %s" % header for header in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def api(command, body, method="POST", headers=(), **params):
    return http(method, SERVICE + command + "?" + query(**params), body, headers)


def create(room_id="live-room", **fields):
    info = {"RoomId": room_id, "RoomType": "Live", "SeatTemplate": "VideoDynamicGrid9Seats"}
    info.update(fields)
    return {"RoomInfo": info}


def requests():
    """(name, bytes): one file each. Several requests in one file run in order on one emulator."""
    full = create("full", Owner_Account="owner", RoomName="Name", CoverURL="http://x/c.png", Category=[1, "music"],
                  ActivityStatus=3, IsMessageDisabled=True, IsPublicVisible=True, TakeSeatMode="ApplyToTake",
                  SeatTemplate="AudioSalon", MaxSeatCount=8)
    yield "create_room", api("create_room", create())
    yield "create_room_full", api("create_room", full)
    yield "create_then_read", (api("create_room", create("r1")) + api("get_room_info", {"RoomId": "r1"}) +
                               api("get_room_list", {"Next": "", "Count": 20}) +
                               http("GET", "/_emulator/apps/88888888/rooms"))
    yield "lifecycle", (api("create_room", create("r2")) +
                        api("update_room_info", {"RoomInfo": {"RoomId": "r2", "RoomName": "renamed",
                                                              "Category": ["a"], "TakeSeatMode": "FreeToTake"}}) +
                        api("destroy_room", {"RoomId": "r2"}) + api("get_room_info", {"RoomId": "r2"}))
    yield "list_paging", (b"".join(api("create_room", create("p%d" % i)) for i in range(4)) +
                          api("get_room_list", {"Count": 2}) + api("get_room_list", {"Next": "bogus", "Count": 2}))
    yield "list_bad_count", api("get_room_list", {"Next": "", "Count": 21})
    yield "get_method_60008", api("create_room", b"", method="GET")
    yield "unknown_command_60009", api("delete_everything", {})
    yield "unknown_service_60009", http("POST", "/v4/other_srv/create_room?" + query(), create())
    yield "no_sdkappid_60012", http("POST", SERVICE + "create_room?identifier=admin&usersig=x&contenttype=json",
                                    create())
    yield "bad_sdkappid_60002", api("create_room", create(), sdkappid="12ab")
    yield "bad_contenttype_60002", api("create_room", create(), contenttype="xml")
    yield "bad_random_60002", api("create_room", create(), random="-1")
    yield "bad_escape_60002", http("POST", SERVICE + "create_room?sdkappid=1&identifier=%zz&usersig=x&contenttype=json",
                                   create())
    yield "no_identifier_60004", api("create_room", create(), identifier=None)
    yield "disabled_60016", api("create_room", create(), sdkappid=1400000002)
    yield "not_admin_60010", api("create_room", create(), sdkappid=1400000003, identifier="worker")
    yield "unpaid_100007", api("create_room", create(), sdkappid=1400000001)
    yield "chat_group_100011", api("create_room", create("@TGS#group1"), sdkappid=1400000004)
    yield "usersig_ok", api("create_room", create(), sdkappid=1400000000, sig=usersig("admin"))
    yield "usersig_plus", http("POST", SERVICE + "get_room_list?sdkappid=1400000000&identifier=admin&usersig=" +
                               usersig("admin").replace("*", "+") + "&contenttype=json", {"Count": 1})
    yield "usersig_empty_70002", api("create_room", create(), sdkappid=1400000000, sig="")
    yield "usersig_garbage_70003", api("create_room", create(), sdkappid=1400000000, sig="not-base64!")
    yield "usersig_other_id_70013", api("create_room", create(), sdkappid=1400000000, sig=usersig("xiaojun"))
    yield "not_json_60003", api("create_room", b"{not json")
    yield "empty_body_60003", api("create_room", b"")
    yield "owner_type_60015", api("create_room", create(Owner_Account=5))
    yield "room_id_long_100002", api("create_room", create("x" * 49))
    yield "room_type_100002", api("create_room", create(RoomType="Vod"))
    yield "category_100002", api("create_room", create(Category=[1, 2, 3, 4]))
    yield "sensitive_100026", api("create_room", create(RoomName="big Casino night"))
    yield "utf8_name", api("create_room", create("u1", RoomName="直播间 🎤"))
    yield "deep_json_60003", api("create_room", b"[" * 40 + b"]" * 40)
    yield "rate_app_60007", b"".join(api("create_room", create("rl%d" % i), sdkappid=1400000005) for i in range(6))
    yield "head_control", http("HEAD", "/_emulator/health")
    yield "health", http("GET", "/_emulator/health")
    yield "reset", http("POST", "/_emulator/reset") + http("POST", "/_emulator/reset?sdkappid=88888888")
    yield "apps", (http("GET", "/_emulator/apps") + http("GET", "/_emulator/apps/1400000000") +
                   http("PUT", "/_emulator/apps/5", {"paid": False, "admins": ["a"], "rate_limits": {"create_room": 1}}) +
                   api("create_room", create(), sdkappid=5) + http("DELETE", "/_emulator/apps/5"))
    yield "sensitive_words", (http("GET", "/_emulator/sensitive-words") +
                              http("PUT", "/_emulator/sensitive-words", {"words": ["bad", "词"]}) +
                              api("create_room", create(RoomName="so bad")))
    yield "clock", (http("POST", "/_emulator/clock", {"freeze": True, "set_ms": 1800000000000}) +
                    http("POST", "/_emulator/clock", {"advance_ms": 1000}) + http("GET", "/_emulator/clock") +
                    http("POST", "/_emulator/clock", {"resume": True}))
    yield "reload", http("POST", "/_emulator/reload")
    yield "faults", (http("POST", "/_emulator/faults", {"id": "slow", "match": {"command": "create_room",
                                                                              "sdkappid": 88888888,
                                                                              "room_id": "order-*"},
                                                         "action": {"error_code": 100001, "delay_ms": 20},
                                                         "times": 3, "after": 1, "probability": 0.5}) +
                     api("create_room", create("order-1")) + api("create_room", create("order-2")) +
                     http("GET", "/_emulator/faults") + http("DELETE", "/_emulator/faults/slow") +
                     http("DELETE", "/_emulator/faults?sdkappid=88888888"))
    yield "faults_list", http("POST", "/_emulator/faults", [{"action": {"http_status": 503}},
                                                            {"match": {"identifier": "x"},
                                                             "action": {"network": "reset"}}])
    yield "journal", (api("create_room", create("j1")) +
                      http("GET", "/_emulator/journal?sdkappid=88888888&command=create_room&limit=10") +
                      http("GET", "/_emulator/journal?control=true&after_seq=1&error_code=0&room_id=j1&since=0") +
                      http("DELETE", "/_emulator/journal?sdkappid=88888888"))
    yield "metrics", http("GET", "/metrics")
    yield "ca_pem", http("GET", "/_emulator/ca.pem")
    yield "not_found", http("GET", "/index.html")
    for value in ("error_code=100001", "http_status=503;delay_ms=300", " delay_ms = 300 ; error_code=100001 ",
                  "network=truncated;delay_ms=200", "network=garbage", "bogus=1"):
        name = "fault_header_" + re.sub(r"[^a-z0-9]+", "_", value.strip().lower()).strip("_")
        yield name, api("get_room_info", {"RoomId": "r"}, headers=[("X-Emulator-Fault", value)])
    yield "fault_header_two_lines", api("get_room_info", {"RoomId": "r"},
                                        headers=[("X-Emulator-Fault", "error_code=100003"),
                                                 ("X-Emulator-Fault", "delay_ms=300")])
    yield "pipelined", b"".join(api("get_room_info", {"RoomId": "r%d" % i}) for i in range(3))
    yield "connection_close", api("get_room_info", {"RoomId": "r"}, headers=[("Connection", "close")])
    yield "http10", http("POST", SERVICE + "get_room_info?" + query(), {"RoomId": "r"}, version="1.0")
    yield "chunked", (("POST %sget_room_info?%s HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                       "5\r\n{\"Roo\r\n9\r\nmId\":\"r\"}\r\n0\r\n\r\n") % (SERVICE, query())).encode()
    yield "absolute_form", http("POST", "http://console.tim.qq.com" + SERVICE + "get_room_info?" + query(),
                                {"RoomId": "r"})
    yield "absolute_form_other_host", http("GET", "http://example.com/_emulator/health")
    yield "connect", b"CONNECT console.tim.qq.com:443 HTTP/1.1\r\nHost: console.tim.qq.com:443\r\n\r\n"
    yield "expect_continue", api("create_room", create(), headers=[("Expect", "100-continue")])
    yield "content_length_413", (("POST %screate_room?%s HTTP/1.1\r\nHost: x\r\nContent-Length: 70000\r\n\r\n") %
                                 (SERVICE, query())).encode()
    yield "malformed_400", b"GET / HTTP/1.1\r\nHost x\r\n\r\n"
    yield "bad_version", b"POST /v4/ HTTP/9.9\r\n\r\n"


def usersig_inputs():
    """Mode byte 0: UserSigs (the published vectors); 1: their inflated documents; 2: identifiers."""
    text = read("tests", "unit", "usersig_test.cpp").decode()
    vectors = []
    for name in ("kVector1", "kVector2", "kVector3"):
        block = re.search(r"constexpr std::string_view %s =\s*((?:\"[^\"]*\"\s*)+);" % name, text).group(1)
        vectors.append("".join(re.findall(r"\"([^\"]*)\"", block)))
    for i, vector in enumerate(vectors + [usersig("xiaojun", now=1700000000)]):
        yield "sig_%d" % i, b"\x00" + vector.encode()
        raw = base64.b64decode(vector.translate(str.maketrans("*-_", "+/=")))
        yield "doc_%d" % i, b"\x01" + zlib.decompress(raw)
    for i, identifier in enumerate(["xiaojun", "administrator", "用户", "a\"b\\c", "\x00"]):
        yield "identifier_%d" % i, b"\x02" + identifier.encode()


def rules_inputs():
    from test_faults import FAULTS_FILE  # the faults.json of the end-to-end suite
    for directory in ("rules", os.path.join("tests", "e2e", "rules")):
        for name in sorted(os.listdir(os.path.join(REPO, directory))):
            yield directory.replace(os.sep, "_") + "_" + name, read(directory, name)
    yield "test_faults_faults.json", FAULTS_FILE.encode()
    yield "apps_syntax_error.json", b'{\n  "unknown_apps": "auto",\n  "defaults": {"paid": tru},\n  "apps": []\n}\n'
    yield "apps_reject.json", json.dumps({"unknown_apps": "reject", "defaults": {"room_create_interval_ms": 0},
                                          "apps": [{"sdkappid": 7, "secret_key": "k", "chat_group_ids": ["g"]}]
                                          }).encode()
    yield "words_bom.txt", "\ufeff# comment\n  spaced word  \n赌博 # trailing\n".encode()


def header_inputs():
    seen = []
    for path in (("tests", "e2e", "test_faults.py"), ("tests", "unit", "faults_journal_test.cpp")):
        text = read(*path).decode()
        found = re.findall(r"\"X-Emulator-Fault\"\s*[:,]\s*\"([^\"]*)\"", text)
        found += re.findall(r"header_error\(\"([^\"]*)\"\)", text)
        found += re.findall(r"parse_fault_header\(\"([^\"]*)\"", text)
        for value in found:
            if value not in seen:
                seen.append(value)
    for i, value in enumerate(seen):
        yield "header_%02d" % i, value.encode()


def body_inputs():
    """create_room bodies: those of the requests above, and shapes a document cannot show (duplicate keys,
    escapes)."""
    for name, data in requests():
        head, _, body = data.partition(b"\r\n\r\n")
        if b"create_room" in head.split(b"\r\n")[0] and b"chunked" not in head and body:
            yield name + ".json", body
    info = '"RoomId":"r","RoomType":"Live","SeatTemplate":"AudioSalon"'
    yield "duplicate_room_info.json", ('{"RoomInfo":{%s,"RoomName":"a"},"RoomInfo":{%s}}' % (info, info)).encode()
    yield "duplicate_category.json", ('{"RoomInfo":{%s,"Category":[1,2,3,4],"Category":["a"]}}' % info).encode()
    yield "escaped_keys.json", b'{"Room\\u0049nfo":{"Room\\u0049d":"e","RoomType":"Liv\\u0065","SeatTemplate":"Karaoke"}}'
    yield "top_room_id.json", b'{"RoomId":"top","RoomInfo":[{"RoomId":"x"}]}'


def write(target, inputs):
    directory = os.path.join(CORPUS, target)
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory)
    count = 0
    for name, data in inputs:
        with open(os.path.join(directory, name), "wb") as f:
            f.write(data)
        count += 1
    print("%-18s %3d files" % (target, count))


def main():
    write("fuzz_request", ((name + ".http", data) for name, data in requests()))
    write("fuzz_usersig", usersig_inputs())
    write("fuzz_rules", rules_inputs())
    write("fuzz_fault_header", header_inputs())
    write("fuzz_room_info_body", body_inputs())


if __name__ == "__main__":
    main()
