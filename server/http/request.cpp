#include "http/request.hpp"

#include <algorithm>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/rfc7230.hpp>

#include "core/utf8.hpp"
#include "tls/emulated_hosts.hpp"

namespace lee::http {
namespace beast_http = boost::beast::http;

namespace {

// Reserved in the arena up front (24 bytes a line): more than the usual client sends. A longer header's lines move
// to a block twice the size, and the arena does not reuse the first.
constexpr std::size_t kUsualLines = 16;

// How many codings a Transfer-Encoding value lists when every one is "chunked"; nullopt when another is there.
// Empty list elements ("chunked," or ", chunked") are no coding: a recipient ignores them (RFC 9110 5.6.1), and so
// does Beast's list parsing, which frames those as chunked.
std::optional<std::size_t> chunked_codings(std::string_view codings) {
    std::size_t count = 0;
    while (!codings.empty()) {
        const auto comma = codings.find(',');
        std::string_view coding = codings.substr(0, comma);
        while (!coding.empty() && (coding.front() == ' ' || coding.front() == '\t')) coding.remove_prefix(1);
        while (!coding.empty() && (coding.back() == ' ' || coding.back() == '\t')) coding.remove_suffix(1);
        if (!coding.empty()) {
            if (!boost::beast::iequals(coding, "chunked")) return std::nullopt;
            ++count;
        }
        if (comma == std::string_view::npos) break;
        codings.remove_prefix(comma + 1);
    }
    return count;
}

// A header value or a CONNECT target as a refusal quotes it: valid UTF-8, and cut to 256 bytes, as the host a
// proxied request's 403 names, so a value of several KiB does not come back whole.
std::string excerpt(std::string_view value) { return core::to_valid_utf8(value, 256); }

}  // namespace

std::optional<HeaderRefusal> refuse_header(const Request& request, bool body_to_come) {
    // Every line counts: a second Transfer-Encoding or Content-Encoding line adds to the codings of the first
    // (RFC 9110 5.3), and a second Host line is a 400 (RFC 9112 3.2), whatever the first said.
    std::size_t hosts = 0;
    bool transfer_coded = false;               // a Transfer-Encoding line, whatever it lists
    std::size_t chunked = 0;                   // "chunked" codings over all Transfer-Encoding lines
    bool empty_codings = false;                // a Transfer-Encoding line with no coding at all ("" or ",")
    std::optional<std::string_view> codings;   // the first Transfer-Encoding line not "chunked" alone
    std::optional<std::string_view> encoding;  // the first Content-Encoding line not "identity"
    for (const HeaderLine& line : request.lines()) {
        const std::string_view value = line.value();
        if (line.name() == beast_http::field::host) {
            ++hosts;
        } else if (line.name() == beast_http::field::transfer_encoding) {
            transfer_coded = true;
            const std::optional<std::size_t> count = chunked_codings(value);
            if (count) chunked += *count;
            empty_codings = empty_codings || count == std::size_t{0};
            if (!codings && !count) codings = value;
        } else if (line.name() == beast_http::field::content_encoding) {
            if (!encoding && !value.empty() && !boost::beast::iequals(value, "identity")) encoding = value;
        }
    }
    if (hosts > 1) return HeaderRefusal{400, "more than one Host header line"};
    // HTTP/1.0 has no transfer codings: a proxy of that version frames the body by Content-Length or the close,
    // where Beast reads chunks, so the framing is faulty (RFC 9112 6.1).
    if (transfer_coded && request.version() < 11) return HeaderRefusal{400, "Transfer-Encoding in an HTTP/1.0 request"};
    // Beast frames "chunked, chunked" as a body of no length, so the chunks would be read as the next request
    // (RFC 9112 7: chunked is applied at most once, and the framing is then unknown).
    if (chunked > 1) return HeaderRefusal{400, "Transfer-Encoding applies chunked more than once"};
    // Beast frames it as no coding at all, where a proxy may read chunked: the same ambiguity (RFC 9112 6.3).
    if (empty_codings) return HeaderRefusal{400, "a Transfer-Encoding line that lists no coding"};
    if (codings) {
        return HeaderRefusal{501, "Transfer-Encoding '" + excerpt(*codings) + "' is not supported (only chunked)"};
    }
    if (encoding) {
        return HeaderRefusal{
            415, "Content-Encoding '" + excerpt(*encoding) + "' is not supported (send the body uncompressed)"};
    }
    // Without a body to come there is nothing to wait for, so any expectation is met.
    const std::string_view expect = request[beast_http::field::expect];
    if (body_to_come && !expect.empty() && !boost::beast::iequals(expect, "100-continue")) {
        return HeaderRefusal{417, "Expect '" + excerpt(expect) + "' is not supported"};
    }
    return std::nullopt;
}

bool is_snapshot_upload(const Request& request) {
    constexpr std::string_view kPath = "/_emulator/snapshot";
    const std::string_view target = request.target();
    return request.method() == beast_http::verb::put && target.starts_with(kPath) &&
           (target.size() == kPath.size() || target[kPath.size()] == '?');
}

std::uint64_t body_bound(const Request& request, std::uint64_t body_bytes, std::uint64_t snapshot_bytes) {
    return is_snapshot_upload(request) ? snapshot_bytes : body_bytes;
}

std::string not_a_proxy(std::string_view host) {
    return "this emulator is not a proxy: it serves only Tencent's REST domains and localhost, not " + excerpt(host);
}

std::optional<HeaderRefusal> refuse_connect(std::string_view target) {
    const std::string host = tls::host_of_authority(target);
    if (host.empty()) return HeaderRefusal{400, "CONNECT needs host:port, got '" + excerpt(target) + "'"};
    if (!tls::is_emulated_host(host)) {
        return HeaderRefusal{403, not_a_proxy(host)};
    }
    return std::nullopt;
}

Request::Request(std::pmr::memory_resource* arena, std::string body)
    : arena_(arena), body_(std::move(body)), lines_(arena) {
    lines_.reserve(kUsualLines);
}

std::string_view Request::keep(std::string_view text) {
    if (text.empty()) return {};
    auto* copy = static_cast<char*>(arena_->allocate(text.size(), 1));
    std::copy(text.begin(), text.end(), copy);
    return {copy, text.size()};
}

bool Request::keep_alive() const {
    // An empty Connection value decides as an absent one: it holds neither token.
    beast_http::token_list tokens{(*this)[beast_http::field::connection]};  // its exists() is not const
    return version_ < 11 ? tokens.exists("keep-alive") : !tokens.exists("close");
}

RequestParser::RequestParser(std::pmr::memory_resource* arena, std::string body) : request_(arena, std::move(body)) {}

void RequestParser::on_request_impl(beast_http::verb method, beast_string_view method_string, beast_string_view target,
                                    int version, error_code&) {
    request_.method_ = method;
    // A method Beast knows is named by its own constant; only another one is copied.
    request_.method_string_ = method == beast_http::verb::unknown ? request_.keep(method_string)
                                                                  : std::string_view(beast_http::to_string(method));
    request_.target_ = request_.keep(target);
    request_.version_ = static_cast<unsigned>(version);
}

void RequestParser::on_response_impl(int, beast_string_view, int, error_code&) {}  // a request parser never sees one

void RequestParser::on_field_impl(beast_http::field name, beast_string_view name_string, beast_string_view value,
                                  error_code& ec) {
    // Header lines are within header_limit, trailer lines within the session's bound: this is a last guard.
    constexpr std::size_t kMax = std::numeric_limits<std::uint32_t>::max();
    if (name_string.size() > kMax || value.size() > kMax - name_string.size()) {
        ec = beast_http::error::header_limit;
        return;
    }
    if (is_header_done()) trailer_bytes_ += name_string.size() + value.size() + 4;  // with ": " and CRLF
    auto* text = static_cast<char*>(request_.arena_->allocate(name_string.size() + value.size(), 1));
    std::copy(value.begin(), value.end(), std::copy(name_string.begin(), name_string.end(), text));
    request_.lines_.emplace_back(name, text, static_cast<std::uint32_t>(name_string.size()),
                                 static_cast<std::uint32_t>(value.size()));
}

void RequestParser::on_header_impl(error_code&) {}

// The body as Beast's string_body reads it: reserved to the announced length, then appended piece by piece.
void RequestParser::on_body_init_impl(const boost::optional<std::uint64_t>& content_length, error_code& ec) {
    if (!content_length) return;
    if (*content_length > request_.body_.max_size()) {
        ec = beast_http::error::buffer_overflow;
        return;
    }
    request_.body_.reserve(static_cast<std::size_t>(*content_length));
}

std::size_t RequestParser::on_body_impl(beast_string_view body, error_code& ec) {
    if (body.size() > request_.body_.max_size() - request_.body_.size()) {
        ec = beast_http::error::buffer_overflow;
        return 0;
    }
    request_.body_.append(body.data(), body.size());
    return body.size();
}

void RequestParser::on_chunk_header_impl(std::uint64_t, beast_string_view, error_code&) {}

std::size_t RequestParser::on_chunk_body_impl(std::uint64_t, beast_string_view body, error_code& ec) {
    return on_body_impl(body, ec);
}

void RequestParser::on_finish_impl(error_code&) {}

}  // namespace lee::http
