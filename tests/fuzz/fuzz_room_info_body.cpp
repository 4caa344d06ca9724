// create_room's body read two ways, on arbitrary text: Boost.JSON's document (what every other command reads) and
// the parser's events (api/room_info_body, what the pipeline runs for create_room). Both must refuse the same text
// with the same error, name the same RoomId, and give create_room the same answer and the same stored room.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "../common/body_reader_twins.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static lee::testing::BodyReaderTwins twins;
    static bool configured = false;
    if (!configured) {
        configured = true;
        twins.app.sdkappid = 1400000001;
        twins.app.room_create_interval_ms = 0;
        twins.app.webhook.url = "http://127.0.0.1:9/callback";  // never sent: create_room's webhook bodies compared
    }
    // Each input starts from empty apps, so what one input left cannot mask a difference in the next.
    twins.tenant.clear();
    twins.twin.clear();
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    std::string difference;
    (void)twins.create(text, difference);
    lee::fuzz::check(difference.empty(), "the two readers of create_room's body differ", difference);
    return 0;
}
