#pragma once
// A request as the handlers read it, and the parser that fills it in: Beast's basic_parser does the HTTP/1
// parsing (limits, chunked bodies, every check on the wire), and keeps the header lines here, in the order they
// came, instead of in Beast's ordered field set. Inserting into that set and looking lines up in it cost about 800
// of the 26,500 user-space instructions a create_room took (issue 11); the handlers only ever walk a few lines.
#include <cstdint>
#include <memory_resource>
#include <string>
#include <string_view>
#include <vector>

#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>

namespace lee::http {

// One header line as it came: Beast's code for a name it knows (field::unknown for others), the name as sent, and
// the value without its surrounding whitespace.
struct HeaderLine {
    boost::beast::http::field name;
    std::string_view name_string;
    std::string_view value;
};

class Request {
public:
    boost::beast::http::verb method() const noexcept { return method_; }
    std::string_view method_string() const noexcept { return method_string_; }
    std::string_view target() const noexcept { return target_; }
    unsigned version() const noexcept { return version_; }  // 10 or 11
    const std::string& body() const noexcept { return body_; }
    std::string& body() noexcept { return body_; }
    // In the order they came; a name given twice has a line for each.
    const std::pmr::vector<HeaderLine>& lines() const noexcept { return lines_; }
    // As Beast's message::keep_alive(): from the first Connection line's tokens, else from the version.
    bool keep_alive() const;

private:
    friend class RequestParser;
    Request(std::pmr::memory_resource* arena, std::string body);
    std::string_view keep(std::string_view text);  // a copy in the arena, for as long as the request lives

    std::pmr::memory_resource* arena_;
    boost::beast::http::verb method_ = boost::beast::http::verb::unknown;
    std::string_view method_string_;
    std::string_view target_;
    unsigned version_ = 11;
    std::string body_;
    std::pmr::vector<HeaderLine> lines_;
};

// One parser per request (Beast's cannot be reset). The arena holds the request's line, header lines and target,
// and must outlive the parser; its memory is the caller's to release between requests. `body` lends the string
// storage of the previous request's body.
class RequestParser : public boost::beast::http::basic_parser<true> {
public:
    RequestParser();  // on the default memory resource
    RequestParser(std::pmr::memory_resource* arena, std::string body);
    Request& get() noexcept { return request_; }
    const Request& get() const noexcept { return request_; }

private:
    using string_view = boost::beast::string_view;
    using error_code = boost::beast::error_code;
    void on_request_impl(boost::beast::http::verb method, string_view method_string, string_view target, int version,
                         error_code& ec) override;
    void on_response_impl(int status, string_view reason, int version, error_code& ec) override;
    void on_field_impl(boost::beast::http::field name, string_view name_string, string_view value,
                       error_code& ec) override;
    void on_header_impl(error_code& ec) override;
    void on_body_init_impl(const boost::optional<std::uint64_t>& content_length, error_code& ec) override;
    std::size_t on_body_impl(string_view body, error_code& ec) override;
    void on_chunk_header_impl(std::uint64_t size, string_view extensions, error_code& ec) override;
    std::size_t on_chunk_body_impl(std::uint64_t remain, string_view body, error_code& ec) override;
    void on_finish_impl(error_code& ec) override;

    Request request_;
};

}  // namespace lee::http
