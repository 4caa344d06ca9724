#pragma once
// A request as the handlers read it, and the parser that fills it in. Beast's basic_parser does the HTTP/1 parsing
// (limits, chunked bodies, every check on the wire); this parser keeps what it reports as copies in an arena, the
// header lines in the order they came. Beast's own parser put each line into an ordered multiset that the handlers
// only ever walk, a measurable share of a create_room's instructions (issue 11, README "Performance").
#include <cstdint>
#include <memory_resource>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>

namespace lee::http {

// One header line as it came: Beast's code for a name it knows (field::unknown for others), the name as sent and
// the value without its surrounding whitespace. Name and value lie together in the request's arena.
class HeaderLine {
public:
    HeaderLine(boost::beast::http::field name, const char* text, std::uint32_t name_size,
               std::uint32_t value_size) noexcept
        : text_(text), name_size_(name_size), value_size_(value_size), name_(name) {}
    boost::beast::http::field name() const noexcept { return name_; }
    std::string_view name_string() const noexcept { return {text_, name_size_}; }
    std::string_view value() const noexcept { return {text_ + name_size_, value_size_}; }

private:
    const char* text_;
    std::uint32_t name_size_;  // within Beast's header_limit, a std::uint32_t
    std::uint32_t value_size_;
    boost::beast::http::field name_;
};

// Its texts live in the arena the parser was given, so it is neither copied nor kept beyond that arena's release.
class Request {
public:
    Request(const Request&) = delete;
    Request& operator=(const Request&) = delete;

    boost::beast::http::verb method() const noexcept { return method_; }
    std::string_view method_string() const noexcept { return method_string_; }
    std::string_view target() const noexcept { return target_; }
    unsigned version() const noexcept { return version_; }  // 10 or 11
    // Whether the request line has been read: Beast reads it with the header's fields, but a bound on the body can
    // stop the parser between the two (a Content-Length over it), with the method and target known.
    bool line_read() const noexcept { return !method_string_.empty(); }
    const std::string& body() const noexcept { return body_; }
    std::string& body() noexcept { return body_; }
    // In the order they came, a chunked body's trailer lines last (as in Beast's fields); a name given twice has a
    // line for each.
    const std::pmr::vector<HeaderLine>& lines() const noexcept { return lines_; }
    // As Beast's `request[name]`: the first such line's value, empty when there is none.
    std::string_view operator[](boost::beast::http::field name) const noexcept {
        for (const HeaderLine& line : lines_) {
            if (line.name() == name) return line.value();
        }
        return {};
    }
    // As Beast's message::keep_alive(): from the first Connection line's tokens, else from the version.
    bool keep_alive() const;

private:
    friend class RequestParser;
    Request(std::pmr::memory_resource* arena, std::string body);
    std::string_view keep(std::string_view text);  // a copy in the arena

    std::pmr::memory_resource* arena_;
    boost::beast::http::verb method_ = boost::beast::http::verb::unknown;
    std::string_view method_string_;
    std::string_view target_;
    unsigned version_ = 11;
    std::string body_;
    std::pmr::vector<HeaderLine> lines_;
};

// What the header alone refuses before the body is read (RFC 9110/9112): a second Host line, body framing that Beast
// and a proxy in front could read differently (the chunks would then be taken for a next request), and codings the
// emulator does not decode; while a body is still to come, an expectation other than 100-continue (which the
// session answers). The session answers the refusal and closes the connection.
struct HeaderRefusal {
    unsigned status;
    std::string reason;
};
std::optional<HeaderRefusal> refuse_header(const Request& request, bool body_to_come);
// A snapshot upload (PUT /_emulator/snapshot): its body has a bound of its own.
bool is_snapshot_upload(const Request& request);
// The bound on a request's body once its header is in: `snapshot_bytes` for a snapshot upload, else `body_bytes`.
// Until the request line is in, a reader bounds the body by the larger of the two.
std::uint64_t body_bound(const Request& request, std::uint64_t body_bytes, std::uint64_t snapshot_bytes);

// Why a request for `host` is refused (403), whether it came as a CONNECT or in an absolute-form target: the
// emulator serves only the hosts it emulates, and never forwards.
std::string not_a_proxy(std::string_view host);

// What a CONNECT's target alone refuses on the plain listener (proxy mode): a target that is not host:port (400), and
// a host the emulator does not serve (403: it is never an open proxy). Nullopt: the tunnel may open.
std::optional<HeaderRefusal> refuse_connect(std::string_view target);

// One parser per request (Beast's cannot be reset). The arena holds the request's target, header lines and an
// unknown method's name, and must outlive the parser; its memory is the caller's to release between requests.
// `body` lends the string storage of the previous request's body.
class RequestParser : public boost::beast::http::basic_parser<true> {
public:
    RequestParser(std::pmr::memory_resource* arena, std::string body);
    Request& get() noexcept { return request_; }
    const Request& get() const noexcept { return request_; }
    // The bytes of a chunked body's trailer lines so far: names and values, and 4 a line for ": " and CRLF (Beast's
    // header_limit does not reach them).
    std::size_t trailer_bytes() const noexcept { return trailer_bytes_; }

private:
    using beast_string_view = boost::beast::string_view;
    using error_code = boost::beast::error_code;
    void on_request_impl(boost::beast::http::verb method, beast_string_view method_string, beast_string_view target,
                         int version, error_code& ec) override;
    void on_response_impl(int status, beast_string_view reason, int version, error_code& ec) override;
    void on_field_impl(boost::beast::http::field name, beast_string_view name_string, beast_string_view value,
                       error_code& ec) override;
    void on_header_impl(error_code& ec) override;
    void on_body_init_impl(const boost::optional<std::uint64_t>& content_length, error_code& ec) override;
    std::size_t on_body_impl(beast_string_view body, error_code& ec) override;
    void on_chunk_header_impl(std::uint64_t size, beast_string_view extensions, error_code& ec) override;
    std::size_t on_chunk_body_impl(std::uint64_t remain, beast_string_view body, error_code& ec) override;
    void on_finish_impl(error_code& ec) override;

    Request request_;
    std::size_t trailer_bytes_ = 0;
};

}  // namespace lee::http
