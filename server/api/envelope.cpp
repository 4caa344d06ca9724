#include "api/envelope.hpp"

#include <boost/json.hpp>

namespace lee::api {

std::string render_envelope(int error_code, std::string_view error_info, std::string_view request_id,
                            const boost::json::object* payload) {
    // Written by hand because the order of the four fields is part of the contract.
    std::string out;
    out.reserve(128 + error_info.size());
    out.append(error_code == 0 ? R"({"ActionStatus":"OK","ErrorInfo":)" : R"({"ActionStatus":"FAIL","ErrorInfo":)");
    out.append(boost::json::serialize(boost::json::string_view(error_info.data(), error_info.size())));
    out.append(R"(,"ErrorCode":)").append(std::to_string(error_code));
    out.append(R"(,"RequestId":)").append(boost::json::serialize(boost::json::string_view(request_id)));
    if (payload) {
        for (const auto& [key, value] : *payload) {
            out.push_back(',');
            out.append(boost::json::serialize(key)).push_back(':');
            out.append(boost::json::serialize(value));
        }
    }
    out.push_back('}');
    return out;
}

}  // namespace lee::api
