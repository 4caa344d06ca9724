#include "api/envelope.hpp"

#include <array>

#include <boost/json.hpp>

#include "api/json_text.hpp"

namespace lee::api {
namespace {

// Appends what the serializer writes, through a buffer on the stack: no string per field.
void append(std::string& out, boost::json::serializer& serializer) {
    std::array<char, 512> buffer;
    while (!serializer.done()) out.append(serializer.read(buffer.data(), buffer.size()));
}

}  // namespace

std::string render_envelope(int error_code, std::string_view error_info, std::string_view request_id,
                            const boost::json::object* payload, std::string_view payload_text) {
    // Written by hand because the order of the four fields is part of the contract. A success with its payload as
    // text (create_room's) needs no serializer at all.
    std::string out;
    out.reserve(160 + error_info.size() + payload_text.size());
    {
        JsonText text(out);
        if (error_code == 0) {
            text.literal(R"({"ActionStatus":"OK","ErrorInfo":)");
        } else {
            text.literal(R"({"ActionStatus":"FAIL","ErrorInfo":)");
        }
        text.quoted(error_info);
        text.literal(R"(,"ErrorCode":)");
        text.decimal(error_code);
        text.literal(R"(,"RequestId":)");
        text.quoted(request_id);
    }
    if (payload) {
        boost::json::serializer serializer;
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
