// The whole request pipeline without sockets: raw bytes, as a client would send them on one connection, go through
// the emulator's request parser (Beast's basic_parser) with the server's limits and then lee::http::handle_request on a
// fresh emulator (rules of tests/e2e/rules, clock frozen, so an input replays the same way). Every answer must
// serialise to HTTP that parses back to itself; every answer that says it is JSON must be valid UTF-8 and parse as
// JSON; an answer of the API in the envelope starts with its four fields in order.
//
// Several requests per input (keep-alive, pipelining), so an input can build state and then read it back, e.g.
// create a room with an odd owner and list it.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <memory_resource>
#include <string>
#include <string_view>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <boost/url/parse.hpp>

#include "core/utf8.hpp"
#include "emulator.hpp"
#include "fuzz_check.hpp"
#include "http/message.hpp"
#include "http/request.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "log/access_log.hpp"
#include "rules/rule_set.hpp"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace beast_http = boost::beast::http;
using lee::fuzz::check;
using lee::fuzz::fail;

constexpr std::int64_t kFrozenAtMs = 1'800'000'000'000;
// Small journal bounds, so a few requests already evict by count and by bytes.
constexpr std::size_t kJournalEntries = 8;
constexpr std::size_t kJournalBytes = 4096;

// LEE_FUZZ_ALLOW names known findings to look past while they are open (tests/fuzz/crashes/README.md), so the target
// can find other things meanwhile; the rest of each answer is still checked. Space- or comma-separated:
//   utf8       a JSON answer that is not valid UTF-8 (issue 10, finding 1)
//   head-body  an answer to HEAD that carries a body
bool allowed(std::string_view finding) {
    static const std::string list = [] {
        const char* value = std::getenv("LEE_FUZZ_ALLOW");
        std::string text = value != nullptr ? value : "";
        for (char& c : text) {
            if (c == ',') c = ' ';
        }
        return " " + text + " ";
    }();
    return list.find(" " + std::string(finding) + " ") != std::string::npos;
}

// LEE_FUZZ_VERBOSE=1 prints each answer: what to look at when replaying a crash file.
const bool kVerbose = [] {
    const char* value = std::getenv("LEE_FUZZ_VERBOSE");
    return value != nullptr && std::string_view(value) == "1";
}();

const std::string kRulesDirectory = LEE_SOURCE_DIR "/tests/e2e/rules";

struct Shared {
    lee::log::AccessLog log{lee::log::Level::off, lee::log::Format::text};
    std::shared_ptr<const lee::rules::RuleSet> rules = lee::rules::load_rules_directory(kRulesDirectory);
};

Shared& shared() {
    static Shared instance;
    return instance;
}

bool is_parse_error(const beast::error_code& ec) {
    return ec.category() == beast_http::make_error_code(beast_http::error::bad_target).category();
}

// The bytes the session writes for `reply`.
std::string serialise(const lee::http::Reply& reply) {
    std::string out;
    lee::http::render_head(reply, out);
    if (!reply.head) out += reply.body;
    return out;
}

// The envelope's four fields lead every API answer in it, in this order, and agree with each other.
void check_envelope(const boost::json::value& value, std::string_view wire) {
    check(value.is_object(), "API answer with status 200 is not a JSON object", wire);
    const auto& object = value.get_object();
    static constexpr std::string_view kKeys[] = {"ActionStatus", "ErrorInfo", "ErrorCode", "RequestId"};
    check(object.size() >= 4, "API answer has fewer fields than the envelope", wire);
    auto field = object.begin();
    for (const auto key : kKeys) {
        check(std::string_view(field->key()) == key, "API answer's envelope fields are not first and in order", wire);
        ++field;
    }
    const auto& status = object.at("ActionStatus");
    const auto& code = object.at("ErrorCode");
    check(status.is_string() && code.is_int64() && object.at("ErrorInfo").is_string() &&
              object.at("RequestId").is_string(),
          "API answer's envelope fields have the wrong types", wire);
    const bool ok = status.get_string() == "OK";
    check(ok || status.get_string() == "FAIL", "ActionStatus is neither OK nor FAIL", wire);
    check(ok == (code.get_int64() == 0), "ActionStatus and ErrorCode disagree", wire);
}

void check_answer(const lee::http::Reply& reply, bool head, bool api) {
    const std::string wire = serialise(reply);
    if (kVerbose) std::fprintf(stderr, "--- answer\n%s\n", wire.c_str());

    // What goes on the wire must read back as exactly this answer (no header splitting, a true Content-Length).
    beast_http::response_parser<beast_http::string_body> reader;
    reader.skip(head);
    reader.eager(true);
    reader.body_limit(std::uint64_t{64} * 1024 * 1024);
    beast::error_code ec;
    std::size_t used = 0;
    while (!reader.is_done()) {
        const std::size_t step = reader.put(asio::buffer(wire.data() + used, wire.size() - used), ec);
        used += step;
        if (ec || step == 0) break;
    }
    check(!ec && reader.is_done(), "the serialised answer does not parse as HTTP", wire);
    if (used != wire.size() && head) {
        check(allowed("head-body"), "an answer to HEAD carries a body", wire);
        head = false;  // and its body is checked as any other
    } else {
        check(used == wire.size(), "the serialised answer has bytes after its end", wire);
        check(reader.get().body() == (reply.head ? std::string() : reply.body),
              "the serialised answer's body reads back differently", wire);
    }

    const std::string_view content_type = reply.content_type;
    if (head || content_type != "application/json") return;
    std::string body = reply.body;
    if (!lee::core::is_valid_utf8(body)) {
        if (!allowed("utf8")) fail("a JSON answer is not valid UTF-8", wire);
        body = lee::core::to_valid_utf8(body);  // and the rest is checked as if the bytes were escaped
    }
    boost::json::error_code json_error;
    const boost::json::value value = boost::json::parse(body, json_error);
    check(!json_error, "a JSON answer does not parse as JSON", wire);
    if (api && reply.status == 200) check_envelope(value, wire);
}

bool starts_with(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

// Whether the router sends `target` to the emulated API: its path (an absolute-form target's, too) is under /v4/.
bool is_api(std::string_view target) {
    if (starts_with(target, "/")) return starts_with(target, "/v4/");
    const auto url = boost::urls::parse_absolute_uri(target);
    return url && starts_with(url->encoded_target(), "/v4/");
}

// Past refuse_header, Beast frames the body as the header says to whoever else reads it (a proxy in front): chunked
// exactly when there is a Transfer-Encoding line, else by Content-Length. Otherwise the chunks, or the bytes after a
// body framed as empty, would be read as a next request by one side and as a body by the other.
void check_framing(const lee::http::RequestParser& parser) {
    bool transfer_coded = false;
    for (const lee::http::HeaderLine& line : parser.get().lines()) {
        transfer_coded = transfer_coded || line.name() == beast_http::field::transfer_encoding;
    }
    check(parser.chunked() == transfer_coded, "an accepted header whose body Beast frames otherwise than it says",
          parser.get().target());
}

// The transport's own refusal (400, 413, 431 and what refuse_header refuses): recorded like a request, answered,
// and the connection closes.
void refuse(lee::Emulator& emulator, const lee::http::RequestParser& parser, unsigned status,
            const std::string& reason) {
    lee::http::Refusal refusal{status, reason, {}, {}};
    if (parser.get().line_read()) {
        refusal.method = parser.get().method_string();
        refusal.target = parser.get().target();
    }
    lee::http::record_refusal(emulator, refusal);
    check_answer(lee::http::transport_error(status, reason), false, false);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const lee::http::TransportLimits limits;
    lee::EmulatorOptions options;
    options.rules_directory = kRulesDirectory;  // POST /_emulator/reload reads it again
    options.seed = 1;
    options.journal_entries = kJournalEntries;
    options.journal_bytes = kJournalBytes;
    lee::Emulator emulator(std::move(options), shared().rules, shared().log);
    emulator.clock().freeze();
    emulator.clock().set(kFrozenAtMs);

    std::string_view rest(reinterpret_cast<const char*>(data), size);
    // One request after another, as the session reads them from one connection.
    while (!rest.empty()) {
        std::pmr::monotonic_buffer_resource arena;  // the request's texts, freed with it, as the session does
        lee::http::RequestParser parser(&arena, {});
        parser.header_limit(static_cast<std::uint32_t>(limits.header_bytes));
        // As the session does: the larger bound until the header says whether this is a snapshot upload.
        parser.body_limit(std::max(limits.body_bytes, limits.snapshot_body_bytes));
        beast::error_code ec;
        bool header_checked = false;
        while (!parser.is_done()) {
            const std::size_t used = parser.put(asio::buffer(rest.data(), rest.size()), ec);
            rest.remove_prefix(used);
            if (ec) break;
            // A tunnel request: refused by its target (as the session does on the plain listener), or handed to
            // TLS, which no handler sees.
            if (parser.is_header_done() && parser.get().method() == beast_http::verb::connect) {
                if (const auto refusal = lee::http::refuse_connect(parser.get().target())) {
                    check(refusal->status == 400 || refusal->status == 403, "a CONNECT refused with another status",
                          refusal->reason);
                    refuse(emulator, parser, refusal->status, refusal->reason);
                }
                return 0;
            }
            // As the session does once the header is in, before any of the body is read.
            if (parser.is_header_done() && !header_checked) {
                header_checked = true;
                const std::uint64_t bound =
                    lee::http::body_bound(parser.get(), limits.body_bytes, limits.snapshot_body_bytes);
                if (parser.content_length() && *parser.content_length() > bound) {
                    ec = beast_http::error::body_limit;
                    break;
                }
                parser.body_limit(bound);
                if (const auto refusal = lee::http::refuse_header(parser.get(), !parser.is_done())) {
                    refuse(emulator, parser, refusal->status, refusal->reason);
                    return 0;
                }
                check_framing(parser);
            }
            if (used == 0) break;
        }
        if (ec == beast_http::error::need_more || (!ec && !parser.is_done())) return 0;  // the input ends mid-request
        if (ec == beast_http::error::body_limit) {
            const std::uint64_t bound =
                lee::http::body_bound(parser.get(), limits.body_bytes, limits.snapshot_body_bytes);
            refuse(emulator, parser, 413, "request body exceeds " + std::to_string(bound) + " bytes");
            return 0;
        }
        if (ec == beast_http::error::header_limit) {
            refuse(emulator, parser, 431, "request headers exceed " + std::to_string(limits.header_bytes) + " bytes");
            return 0;
        }
        if (ec && is_parse_error(ec)) {
            refuse(emulator, parser, 400, "malformed HTTP request: " + ec.message());
            return 0;
        }
        if (ec) fail("the request parser failed outside its own error category", ec.message());

        const lee::http::Request& request = parser.get();
        const lee::http::Answer answer = lee::http::handle_request(emulator, request);
        check_answer(answer.reply, request.method() == beast_http::verb::head, is_api(request.target()));
        // After a network fault or an answer that closes, the session reads nothing more from the connection.
        if (answer.directive.network != lee::core::NetworkFault::none || !answer.reply.keep_alive) return 0;
    }
    return 0;
}
