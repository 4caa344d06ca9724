#include "api/envelope.hpp"

#include <array>

#include <boost/json.hpp>

namespace lee::api {
namespace {

// Appends what the serializer writes, through a buffer on the stack: no string per field.
void append(std::string& out, boost::json::serializer& serializer) {
    std::array<char, 512> buffer;
    while (!serializer.done()) out.append(serializer.read(buffer.data(), buffer.size()));
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
    boost::json::serializer serializer;
    serializer.reset(boost::json::string_view(text.data(), text.size()));
    append(out, serializer);
}

std::string render_envelope(int error_code, std::string_view error_info, std::string_view request_id,
                            const boost::json::object* payload, std::string_view payload_text) {
    // Written by hand because the order of the four fields is part of the contract.
    boost::json::serializer serializer;
    std::string out;
    out.reserve(160 + error_info.size() + payload_text.size());
    out.append(error_code == 0 ? R"({"ActionStatus":"OK","ErrorInfo":)" : R"({"ActionStatus":"FAIL","ErrorInfo":)");
    if (error_info.empty()) {
        out.append(R"("")");  // every success
    } else {
        serializer.reset(boost::json::string_view(error_info.data(), error_info.size()));
        append(out, serializer);
    }
    out.append(R"(,"ErrorCode":)");
    append_decimal(out, error_code);
    out.append(R"(,"RequestId":)");
    serializer.reset(boost::json::string_view(request_id.data(), request_id.size()));
    append(out, serializer);
    if (payload) {
        for (const auto& [key, value] : *payload) {
            out.push_back(',');
            serializer.reset(key);
            append(out, serializer);
            out.push_back(':');
            serializer.reset(&value);
            append(out, serializer);
        }
    }
    if (!payload_text.empty()) out.append(",").append(payload_text);
    out.push_back('}');
    return out;
}

}  // namespace lee::api
