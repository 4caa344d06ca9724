// State kept per app: the room registry (create_room's 100012 / 100010 / 100003 decisions), the tenant directory,
// the per-command rate limiter and the emulator clock.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <latch>
#include <memory>
#include <optional>
#include <ostream>
#include <random>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "core/commands.hpp"
#include "state/clock.hpp"
#include "state/rate_limiter.hpp"
#include "state/room.hpp"
#include "state/room_registry.hpp"
#include "state/tenants.hpp"

using lee::core::Command;
using lee::state::CreateOutcome;
using lee::state::Room;
using lee::state::RoomRegistry;

namespace {

constexpr std::int64_t kInterval = 1000;

Room make_room(const std::string& id, const std::string& owner = "alice") {
    Room room;
    room.room_id = id;
    room.room_name = id;
    room.owner_account = owner;
    room.seat_template = "AudioSalon";
    room.max_seat_count = 16;
    return room;
}

const char* name_of(CreateOutcome outcome) {
    switch (outcome) {
        case CreateOutcome::created:
            return "created";
        case CreateOutcome::too_frequent:
            return "too_frequent";
        case CreateOutcome::exists_same_owner:
            return "exists_same_owner";
        case CreateOutcome::exists_other_owner:
            return "exists_other_owner";
        case CreateOutcome::full:
            return "full";
    }
    return "?";
}

}  // namespace

namespace lee::state {
// Lets BOOST_TEST print outcomes on failure (internal linkage, found by ADL).
static std::ostream& operator<<(std::ostream& out, CreateOutcome outcome) { return out << name_of(outcome); }
}  // namespace lee::state

BOOST_AUTO_TEST_SUITE(room_registry)

// ---------------------------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(registry)

namespace {

// Every page of the public listing, in both orders and through cursors, against a brute-force sort of `all`.
void expect_pages_match_a_full_sort(const RoomRegistry& rooms, const std::vector<Room>& all) {
    std::vector<Room> expected;
    for (const Room& room : all) {
        if (room.is_public_visible) expected.push_back(room);
    }
    std::sort(expected.begin(), expected.end(), [](const Room& a, const Room& b) {
        return std::tie(b.view_count, b.create_time, a.room_id) < std::tie(a.view_count, a.create_time, b.room_id);
    });
    for (const auto order : {lee::state::ListOrder::descend, lee::state::ListOrder::ascend}) {
        if (order == lee::state::ListOrder::ascend) std::reverse(expected.begin(), expected.end());
        for (const std::size_t limit : {1U, 7U, 20U}) {
            std::vector<std::string> listed;
            std::optional<lee::state::ListPosition> after;
            bool more = true;
            while (more) {
                std::vector<lee::state::ListPosition> page;
                rooms.visit_public(after, order, limit, more, [&](const lee::state::ListedRoom& room) {
                    page.push_back({room.view_count, room.create_time, std::string(room.room_id)});
                });
                BOOST_TEST_REQUIRE(page.size() <= limit);
                if (more) BOOST_TEST_REQUIRE(page.size() == limit);
                for (const auto& position : page) listed.push_back(position.room_id);
                if (!page.empty()) after = page.back();
            }
            BOOST_TEST_REQUIRE(listed.size() == expected.size());
            for (std::size_t i = 0; i < listed.size(); ++i) BOOST_TEST(listed[i] == expected[i].room_id);
        }
    }
}

}  // namespace

// The listing index against a brute-force sort: every page in both orders, through cursors, after updates that
// move rooms in and out of the public list.
BOOST_AUTO_TEST_CASE(list_public_pages_match_a_full_sort) {
    RoomRegistry rooms;
    std::mt19937 random(42);
    std::vector<Room> all;
    for (int i = 0; i < 500; ++i) {
        Room room = make_room("room-" + std::to_string(random() % 100000) + "-" + std::to_string(i));
        room.view_count = random() % 3;
        room.create_time = 1000 + static_cast<std::int64_t>(random() % 20);
        room.is_public_visible = random() % 4 != 0;
        BOOST_TEST_REQUIRE((rooms.create(room, 0, 0) == CreateOutcome::created));
        all.push_back(room);
    }
    for (int i = 0; i < 100; ++i) {
        Room& room = all[random() % all.size()];
        room.is_public_visible = !room.is_public_visible;
        BOOST_TEST(
            rooms.update(room.room_id, [&](Room& stored) { stored.is_public_visible = room.is_public_visible; }));
    }
    for (int i = 0; i < 50; ++i) {
        const std::size_t at = random() % all.size();
        BOOST_TEST(rooms.destroy(all[at].room_id));
        all.erase(all.begin() + static_cast<std::ptrdiff_t>(at));
    }
    expect_pages_match_a_full_sort(rooms, all);
}

// Creates as a load test sends them: one second after another, RoomIds mostly in order but some answered out of
// order (two I/O threads), so a room lands right after the one listed last, right before it, or elsewhere; and
// destroys and updates of the rooms beside that spot in between. The shard's hint of where the next room goes must
// never put one out of order. Every RoomId is of one shard, so each create meets the hint the one before it left.
BOOST_AUTO_TEST_CASE(rooms_created_nearly_in_order_list_in_order) {
    RoomRegistry rooms;
    std::mt19937 random(7);
    std::vector<Room> all;
    std::vector<std::string> ids;
    for (int i = 100000; ids.size() < 3000; ++i) {
        std::string id = "load-" + std::to_string(i);
        if (RoomRegistry::shard_of(id) == RoomRegistry::shard_of("load-100000")) ids.push_back(std::move(id));
    }
    for (std::size_t i = 0; i + 5 <= ids.size(); i += 5) {  // answered out of order, a few at a time
        if (random() % 2 == 0)
            std::shuffle(ids.begin() + static_cast<std::ptrdiff_t>(i), ids.begin() + static_cast<std::ptrdiff_t>(i + 5),
                         random);
    }
    for (std::size_t i = 0; i < ids.size(); ++i) {
        Room room = make_room(ids[i]);
        room.create_time = 2000 + static_cast<std::int64_t>(i / 400);  // 400 creates a second
        room.is_public_visible = random() % 10 != 0;
        BOOST_TEST_REQUIRE((rooms.create(room, 0, 0) == CreateOutcome::created));
        all.push_back(room);
        const auto roll = random() % 16;
        if (roll == 0 && all.size() > 2) {  // the room just listed, or the one before it, goes
            const std::size_t at = all.size() - 1 - random() % 2;
            BOOST_TEST_REQUIRE(rooms.destroy(all[at].room_id));
            all.erase(all.begin() + static_cast<std::ptrdiff_t>(at));
        } else if (roll == 1 && all.size() > 3) {  // one near the end moves in the order or out of the list
            Room& moved = all[all.size() - 1 - random() % 3];
            moved.view_count += random() % 2;
            moved.is_public_visible = random() % 2 == 0;
            BOOST_TEST_REQUIRE(rooms.update(moved.room_id, [&](Room& stored) {
                stored.view_count = moved.view_count;
                stored.is_public_visible = moved.is_public_visible;
            }));
        }
    }
    expect_pages_match_a_full_sort(rooms, all);
}

BOOST_AUTO_TEST_CASE(a_clock_set_back_does_not_keep_the_room_id_locked) {
    RoomRegistry rooms;
    const std::int64_t t0 = 10'000'000'000;
    BOOST_TEST(rooms.create(make_room("r"), t0, kInterval) == CreateOutcome::created);
    BOOST_TEST(rooms.destroy("r"));
    BOOST_TEST(rooms.create(make_room("r"), t0 - 3'600'000, kInterval) == CreateOutcome::created);
}

BOOST_AUTO_TEST_CASE(pruning_never_changes_an_answer) {
    // Windows recorded under a short interval, checked under a longer one: with or without the prune pass that
    // thousands of other ids trigger, the answer for "r" is the same.
    for (const bool crowd : {false, true}) {
        RoomRegistry rooms;
        BOOST_TEST(rooms.create(make_room("r"), 0, 100) == CreateOutcome::created);
        if (crowd) {
            for (int i = 0; i < 5000; ++i) (void)rooms.create(make_room("other" + std::to_string(i)), 500, 1000);
        }
        BOOST_TEST(rooms.create(make_room("r"), 600, 1000) == CreateOutcome::too_frequent, "crowd " << crowd);
    }
}

// 200,000 rooms made, a sixth destroyed: over 10,000 a shard, so every shard's table fills past 4,096 entries (at
// 6,719) and is drained into a bigger one over the inserts that follow. Rooms stay findable, destroyable and
// counted whichever table holds them.
BOOST_AUTO_TEST_CASE(rooms_stay_reachable_while_shards_grow) {
    RoomRegistry rooms;
    constexpr int kTotal = 200'000;
    std::vector<bool> alive;
    alive.reserve(kTotal);
    for (int i = 0; i < kTotal; ++i) {
        BOOST_TEST_REQUIRE(rooms.create(make_room("g" + std::to_string(i)), 0, 0) == CreateOutcome::created);
        alive.push_back(true);
        if (i % 6 == 5) {  // a room made just before (often still in the table being drained), or an older one
            const int victim = i % 12 == 5 ? i - 2 : i / 2;
            if (alive[static_cast<std::size_t>(victim)]) {
                BOOST_TEST_REQUIRE(rooms.destroy("g" + std::to_string(victim)));
                alive[static_cast<std::size_t>(victim)] = false;
            }
        }
    }
    std::size_t expected = 0;
    for (int i = 0; i < kTotal; ++i) {
        const std::string id = "g" + std::to_string(i);
        BOOST_TEST_REQUIRE(rooms.find(id).has_value() == alive[static_cast<std::size_t>(i)], id);
        expected += alive[static_cast<std::size_t>(i)] ? 1 : 0;
    }
    BOOST_TEST(rooms.size() == expected);
    BOOST_TEST(rooms.snapshot().size() == expected);
    BOOST_TEST(rooms.create(make_room("g1"), 0, 0) == CreateOutcome::exists_same_owner);
    BOOST_TEST(!rooms.destroy("g3"));  // destroyed in the loop (at i = 5)
}

BOOST_AUTO_TEST_CASE(list_by_id_pages_through_every_room_once_and_says_whether_more_exist) {
    RoomRegistry rooms;
    for (int i = 0; i < 50; ++i) {
        Room room = make_room("r" + std::to_string(100 + i));
        room.is_public_visible = i % 5 != 0;  // hidden rooms are listed too
        room.metadata = {{"k", std::to_string(i)}};
        BOOST_TEST_REQUIRE(rooms.create(std::move(room), 0, 0) == CreateOutcome::created);
    }
    bool more = false;
    const auto page = rooms.list_by_id(std::nullopt, 7, more);
    BOOST_TEST(more);
    BOOST_TEST_REQUIRE(page.size() == 7u);
    for (std::size_t i = 0; i < page.size(); ++i) {
        BOOST_TEST(page[i].room_id == "r" + std::to_string(100 + i));
        BOOST_TEST(page[i].metadata.at(0).value == std::to_string(i));  // unpacked whole
    }
    const auto rest = rooms.list_by_id(std::string("r106"), 100, more);
    BOOST_TEST(rest.size() == 43u);
    BOOST_TEST(!more);
    BOOST_TEST(rest.front().room_id == "r107");
    const auto exact = rooms.list_by_id(std::string("r106"), 43, more);
    BOOST_TEST(exact.size() == 43u);
    BOOST_TEST(!more);
    BOOST_TEST(rooms.list_by_id(std::nullopt, 0, more).empty());
}

// Every field survives the registry's packed form, through create, find, update and snapshot.
BOOST_AUTO_TEST_CASE(a_stored_room_comes_back_field_for_field) {
    RoomRegistry rooms;
    Room room = make_room("packed-é", "owner");
    room.room_name = std::string(300, 'n');
    room.room_type = "Live";
    room.take_seat_mode = "ApplyToTake";
    room.cover_url = "https://example.com/c.png";
    room.notice = "";
    room.max_member_count = 7;
    room.is_message_disabled = true;
    room.is_unlimited_room_enabled = true;
    room.is_public_visible = false;
    room.category = {std::int64_t{-5}, std::string("tag"), std::string()};
    room.activity_status = -3;
    room.create_time = 1'800'000'000;
    room.view_count = 12;
    room.metadata = {{"a", "1"}, {"b", std::string(2000, 'v')}};
    room.robots = {"bot1", "bot2"};
    BOOST_TEST_REQUIRE(rooms.create(room, 0, 0) == CreateOutcome::created);
    const auto same = [&](const Room& got) {
        BOOST_TEST(got.room_id == room.room_id);
        BOOST_TEST(got.room_name == room.room_name);
        BOOST_TEST(got.owner_account == room.owner_account);
        BOOST_TEST(got.take_seat_mode == room.take_seat_mode);
        BOOST_TEST(got.seat_template == room.seat_template);
        BOOST_TEST(got.max_seat_count == room.max_seat_count);
        BOOST_TEST(got.max_member_count == room.max_member_count);
        BOOST_TEST(got.is_message_disabled == room.is_message_disabled);
        BOOST_TEST(got.is_unlimited_room_enabled == room.is_unlimited_room_enabled);
        BOOST_TEST(got.is_public_visible == room.is_public_visible);
        BOOST_TEST((got.category == room.category));
        BOOST_TEST(got.activity_status == room.activity_status);
        BOOST_TEST(got.create_time == room.create_time);
        BOOST_TEST(got.view_count == room.view_count);
        BOOST_TEST(got.notice == room.notice);
        BOOST_TEST_REQUIRE(got.metadata.size() == room.metadata.size());
        BOOST_TEST(got.metadata[1].value == room.metadata[1].value);
        BOOST_TEST((got.robots == room.robots));
    };
    same(*rooms.find(room.room_id));
    room.notice = "changed";
    room.robots.push_back("bot3");
    BOOST_TEST(rooms.update(room.room_id, [&](Room& stored) {
        stored.notice = room.notice;
        stored.robots = room.robots;
    }));
    same(*rooms.find(room.room_id));
    same(rooms.snapshot().at(0));
    BOOST_TEST(rooms.create(make_room("packed-é", "owner"), 0, 0) == CreateOutcome::exists_same_owner);
    BOOST_TEST(rooms.create(make_room("packed-é", "other"), 0, 0) == CreateOutcome::exists_other_owner);
}

BOOST_AUTO_TEST_CASE(created_then_exists_same_or_other_owner) {
    RoomRegistry rooms;
    BOOST_TEST(rooms.create(make_room("r1", "alice"), 0, kInterval) == CreateOutcome::created);
    BOOST_TEST(rooms.size() == 1u);
    BOOST_TEST(rooms.create(make_room("r1", "alice"), 1000, kInterval) == CreateOutcome::exists_same_owner);
    BOOST_TEST(rooms.create(make_room("r1", "bob"), 2000, kInterval) == CreateOutcome::exists_other_owner);
    BOOST_TEST(rooms.size() == 1u);
    const auto stored = rooms.find("r1");
    BOOST_TEST_REQUIRE(stored.has_value());
    BOOST_TEST(stored->owner_account == "alice");  // a failed create does not overwrite the room

    // Other ids are independent, including ids that differ only in case.
    BOOST_TEST(rooms.create(make_room("R1", "bob"), 2000, kInterval) == CreateOutcome::created);
    BOOST_TEST(rooms.create(make_room("r2", "bob"), 2000, kInterval) == CreateOutcome::created);
    BOOST_TEST(rooms.size() == 3u);
}

BOOST_AUTO_TEST_CASE(too_frequent_within_the_interval_and_before_exists) {
    RoomRegistry rooms;
    const std::int64_t t0 = 1'700'000'000'000;
    BOOST_TEST(rooms.create(make_room("r", "alice"), t0, kInterval) == CreateOutcome::created);
    BOOST_TEST(rooms.create(make_room("r", "alice"), t0, kInterval) == CreateOutcome::too_frequent);
    BOOST_TEST(rooms.create(make_room("r", "bob"), t0 + 1, kInterval) == CreateOutcome::too_frequent);
    BOOST_TEST(rooms.create(make_room("r", "alice"), t0 + 999, kInterval) == CreateOutcome::too_frequent);
    // Exactly one interval later the window has passed.
    BOOST_TEST(rooms.create(make_room("r", "bob"), t0 + 1000, kInterval) == CreateOutcome::exists_other_owner);
    // That attempt passed the interval check, so it started a new window.
    BOOST_TEST(rooms.create(make_room("r", "alice"), t0 + 1999, kInterval) == CreateOutcome::too_frequent);
    BOOST_TEST(rooms.create(make_room("r", "alice"), t0 + 2000, kInterval) == CreateOutcome::exists_same_owner);
    // A longer interval is honoured as given.
    BOOST_TEST(rooms.create(make_room("s"), t0, 60'000) == CreateOutcome::created);
    BOOST_TEST(rooms.create(make_room("s"), t0 + 59'999, 60'000) == CreateOutcome::too_frequent);
    BOOST_TEST(rooms.create(make_room("s"), t0 + 60'000, 60'000) == CreateOutcome::exists_same_owner);
}

BOOST_AUTO_TEST_CASE(rejected_attempts_do_not_restart_the_window) {
    RoomRegistry rooms;
    BOOST_TEST(rooms.create(make_room("r"), 0, kInterval) == CreateOutcome::created);
    BOOST_TEST(rooms.create(make_room("r"), 900, kInterval) == CreateOutcome::too_frequent);
    // Had the 900 ms attempt restarted the window, this would be too_frequent until 1900.
    BOOST_TEST(rooms.create(make_room("r"), 1000, kInterval) == CreateOutcome::exists_same_owner);

    // A client retrying every 900 ms gets through every other attempt, never locked out.
    RoomRegistry retry;
    BOOST_TEST(retry.create(make_room("x"), 0, kInterval) == CreateOutcome::created);
    int passed = 0;
    for (std::int64_t t = 900; t <= 9000; t += 900) {
        const CreateOutcome outcome = retry.create(make_room("x"), t, kInterval);
        BOOST_TEST((outcome == CreateOutcome::too_frequent || outcome == CreateOutcome::exists_same_owner));
        if (outcome == CreateOutcome::exists_same_owner) ++passed;
    }
    BOOST_TEST(passed == 5);  // 1800, 3600, 5400, 7200, 9000
}

BOOST_AUTO_TEST_CASE(interval_zero_disables_the_check) {
    RoomRegistry rooms;
    BOOST_TEST(rooms.create(make_room("r", "alice"), 5, 0) == CreateOutcome::created);
    BOOST_TEST(rooms.create(make_room("r", "alice"), 5, 0) == CreateOutcome::exists_same_owner);
    BOOST_TEST(rooms.create(make_room("r", "bob"), 5, 0) == CreateOutcome::exists_other_owner);
    BOOST_TEST(rooms.destroy("r"));
    BOOST_TEST(rooms.create(make_room("r", "bob"), 5, 0) == CreateOutcome::created);
    BOOST_TEST(rooms.find("r")->owner_account == "bob");
    // A window recorded under a longer interval no longer applies once the interval is 0.
    BOOST_TEST(rooms.create(make_room("q"), 10, kInterval) == CreateOutcome::created);
    BOOST_TEST(rooms.create(make_room("q"), 11, 0) == CreateOutcome::exists_same_owner);
}

BOOST_AUTO_TEST_CASE(destroy_then_create_again) {
    RoomRegistry rooms;
    BOOST_TEST(rooms.create(make_room("r", "alice"), 0, kInterval) == CreateOutcome::created);
    BOOST_TEST(rooms.destroy("r"));
    BOOST_TEST(!rooms.find("r"));
    BOOST_TEST(rooms.size() == 0u);
    BOOST_TEST(!rooms.destroy("r"));  // already gone
    // The create window outlives the room: a re-create within the interval is too frequent.
    BOOST_TEST(rooms.create(make_room("r", "bob"), 500, kInterval) == CreateOutcome::too_frequent);
    BOOST_TEST(!rooms.find("r"));
    BOOST_TEST(rooms.create(make_room("r", "bob"), 1000, kInterval) == CreateOutcome::created);
    BOOST_TEST(rooms.find("r")->owner_account == "bob");
    BOOST_TEST(rooms.size() == 1u);
}

BOOST_AUTO_TEST_CASE(unknown_ids) {
    RoomRegistry rooms;
    BOOST_TEST(rooms.create(make_room("known"), 0, kInterval) == CreateOutcome::created);
    BOOST_TEST(!rooms.find("unknown"));
    BOOST_TEST(!rooms.find(""));
    BOOST_TEST(!rooms.find("KNOWN"));
    BOOST_TEST(!rooms.destroy("unknown"));
    bool called = false;
    BOOST_TEST(!rooms.update("unknown", [&](Room&) { called = true; }));
    BOOST_TEST(!called);
    BOOST_TEST(rooms.size() == 1u);
}

BOOST_AUTO_TEST_CASE(update_find_snapshot_clear) {
    RoomRegistry rooms;
    BOOST_TEST(rooms.create(make_room("a"), 0, kInterval) == CreateOutcome::created);
    BOOST_TEST(rooms.create(make_room("b"), 0, kInterval) == CreateOutcome::created);
    BOOST_TEST(rooms.update("a", [](Room& room) {
        room.room_name = "renamed";
        room.view_count = 7;
    }));
    auto copy = rooms.find("a");
    BOOST_TEST_REQUIRE(copy.has_value());
    BOOST_TEST(copy->room_name == "renamed");
    BOOST_TEST(copy->view_count == 7u);
    copy->room_name = "changed in the copy only";
    BOOST_TEST(rooms.find("a")->room_name == "renamed");  // find returns a copy

    auto all = rooms.snapshot();
    std::sort(all.begin(), all.end(), [](const Room& x, const Room& y) { return x.room_id < y.room_id; });
    BOOST_TEST_REQUIRE(all.size() == 2u);
    BOOST_TEST(all[0].room_id == "a");
    BOOST_TEST(all[1].room_id == "b");
    BOOST_TEST(rooms.tracked_create_windows() == 2u);

    rooms.clear();
    BOOST_TEST(rooms.size() == 0u);
    BOOST_TEST(rooms.snapshot().empty());
    BOOST_TEST(rooms.tracked_create_windows() == 0u);
    // clear() forgets the create windows too.
    BOOST_TEST(rooms.create(make_room("a"), 1, kInterval) == CreateOutcome::created);
}

BOOST_AUTO_TEST_CASE(create_windows_stay_bounded) {
    RoomRegistry rooms;
    constexpr int kIds = 10'000;
    std::size_t most = 0;
    std::int64_t now = 1'700'000'000'000;
    for (int i = 0; i < kIds; ++i) {
        const std::string id = "memory-" + std::to_string(i);
        BOOST_TEST_REQUIRE(rooms.create(make_room(id), now, kInterval) == CreateOutcome::created);
        BOOST_TEST_REQUIRE(rooms.destroy(id));
        most = std::max(most, rooms.tracked_create_windows());
        now += kInterval + 1;
    }
    BOOST_TEST(rooms.size() == 0u);
    BOOST_TEST_MESSAGE("most create windows tracked at once: " << most);
    BOOST_TEST(most >= 1u);
    BOOST_TEST(most <= 2048u);  // bounded by the pruning, not by the number of ids seen
    BOOST_TEST(rooms.tracked_create_windows() <= 2048u);

    // Windows that are still live are never pruned: 5,000 creates within one interval are all remembered.
    RoomRegistry burst;
    for (int i = 0; i < 5000; ++i) {
        BOOST_TEST_REQUIRE(burst.create(make_room("burst-" + std::to_string(i)), 0, kInterval) ==
                           CreateOutcome::created);
    }
    BOOST_TEST(burst.tracked_create_windows() == 5000u);
    for (int i = 0; i < 5000; i += 97) {
        BOOST_TEST_REQUIRE(burst.destroy("burst-" + std::to_string(i)));
        BOOST_TEST_REQUIRE(burst.create(make_room("burst-" + std::to_string(i)), 999, kInterval) ==
                           CreateOutcome::too_frequent);
    }
}

BOOST_AUTO_TEST_CASE(concurrent_creates_of_one_id_are_linearizable) {
    constexpr int kThreads = 64;
    constexpr int kRounds = 50;
    RoomRegistry rooms;
    // outcomes[round][thread]: each thread writes only its own cells.
    std::vector<std::vector<CreateOutcome>> outcomes(kRounds, std::vector<CreateOutcome>(kThreads));
    std::barrier start(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int round = 0; round < kRounds; ++round) {
                start.arrive_and_wait();
                // Odd rounds disable the interval, so the losers see the winner's room rather than its window.
                const std::int64_t interval = round % 2 == 0 ? kInterval : 0;
                outcomes[static_cast<std::size_t>(round)][static_cast<std::size_t>(t)] = rooms.create(
                    make_room("race-" + std::to_string(round), "owner-" + std::to_string(t)), 1000, interval);
            }
        });
    }
    for (auto& thread : threads) thread.join();

    for (int round = 0; round < kRounds; ++round) {
        BOOST_TEST_CONTEXT("round " << round) {
            const auto& row = outcomes[static_cast<std::size_t>(round)];
            const auto created = std::count(row.begin(), row.end(), CreateOutcome::created);
            BOOST_TEST(created == 1);
            const auto expected_loss = round % 2 == 0 ? CreateOutcome::too_frequent : CreateOutcome::exists_other_owner;
            BOOST_TEST(std::count(row.begin(), row.end(), expected_loss) == kThreads - 1);
            const auto winner = std::find(row.begin(), row.end(), CreateOutcome::created) - row.begin();
            const auto room = rooms.find("race-" + std::to_string(round));
            BOOST_TEST_REQUIRE(room.has_value());
            BOOST_TEST(room->owner_account == "owner-" + std::to_string(winner));
        }
    }
    BOOST_TEST(rooms.size() == static_cast<std::size_t>(kRounds));
}

BOOST_AUTO_TEST_CASE(concurrent_creates_of_different_ids_all_succeed) {
    constexpr int kThreads = 16;
    constexpr int kPerThread = 500;
    RoomRegistry rooms;
    std::atomic<int> created{0};
    std::latch start(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            start.arrive_and_wait();
            for (int i = 0; i < kPerThread; ++i) {
                const std::string id = "t" + std::to_string(t) + "-" + std::to_string(i);
                if (rooms.create(make_room(id), 0, kInterval) == CreateOutcome::created) ++created;
                // Reads and updates of other ids run at the same time.
                rooms.update(id, [](Room& room) { ++room.view_count; });
                (void)rooms.find("t0-0");
            }
        });
    }
    for (auto& thread : threads) thread.join();
    BOOST_TEST(created.load() == kThreads * kPerThread);
    BOOST_TEST(rooms.size() == static_cast<std::size_t>(kThreads * kPerThread));
    const auto all = rooms.snapshot();
    BOOST_TEST(std::all_of(all.begin(), all.end(), [](const Room& room) { return room.view_count == 1; }));
}

BOOST_AUTO_TEST_CASE(a_full_registry_refuses_new_rooms_only) {
    RoomRegistry registry(2);
    BOOST_TEST(name_of(registry.create(make_room("a"), 0, 1000)) == "created");
    BOOST_TEST(name_of(registry.create(make_room("b"), 0, 1000)) == "created");
    BOOST_TEST(name_of(registry.create(make_room("c"), 0, 1000)) == "full");
    BOOST_TEST(registry.tracked_create_windows() == 2u);  // a refused create opens no interval
    BOOST_TEST(name_of(registry.create(make_room("a"), 5000, 1000)) ==
               "exists_same_owner");  // existing rooms still answer
    BOOST_TEST(registry.destroy("a"));
    BOOST_TEST(name_of(registry.create(make_room("c"), 5000, 1000)) == "created");
    registry.clear();
    BOOST_TEST(name_of(registry.create(make_room("d"), 9000, 1000)) == "created");
    BOOST_TEST(name_of(registry.create(make_room("e"), 9000, 1000)) == "created");
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(tenant_directory)

BOOST_AUTO_TEST_CASE(the_number_of_apps_is_bounded) {
    lee::state::TenantDirectory directory(lee::state::TenantLimits{2, 10});
    BOOST_TEST(directory.get_or_create(1, 0) != nullptr);
    BOOST_TEST(directory.get_or_create(2, 0) != nullptr);
    BOOST_TEST(directory.get_or_create(1, 0) != nullptr);  // a known app is found as before
    const auto held = directory.get_or_create(1, 0);
    held->rooms.create(make_room("kept"), 0, 0);
    const auto third = directory.get_or_create(3, 0);  // app 2 holds nothing and nobody uses it: it makes room
    BOOST_TEST(third != nullptr);
    third->rooms.create(make_room("x"), 0, 0);
    BOOST_TEST(directory.get_or_create(4, 0) == nullptr);  // both remaining apps hold rooms
}

using lee::state::TenantDirectory;

BOOST_AUTO_TEST_CASE(apps_are_isolated) {
    TenantDirectory tenants;
    BOOST_TEST(!tenants.find(1400000001));
    const auto a = tenants.get_or_create(1400000001, 0);
    const auto b = tenants.get_or_create(1400000002, 0);
    BOOST_TEST_REQUIRE(a);
    BOOST_TEST_REQUIRE(b);
    BOOST_TEST(a != b);
    BOOST_TEST(tenants.get_or_create(1400000001, 0) == a);
    BOOST_TEST(tenants.find(1400000001) == a);
    BOOST_TEST(tenants.size() == 2u);

    BOOST_TEST(a->rooms.create(make_room("shared-id", "alice"), 0, kInterval) == CreateOutcome::created);
    BOOST_TEST(!b->rooms.find("shared-id"));
    // Same RoomId, same instant, other app: no 100012, no 100010.
    BOOST_TEST(b->rooms.create(make_room("shared-id", "bob"), 0, kInterval) == CreateOutcome::created);
    BOOST_TEST(a->rooms.find("shared-id")->owner_account == "alice");
    BOOST_TEST(b->rooms.find("shared-id")->owner_account == "bob");

    // Rate windows are per app too.
    BOOST_TEST(a->rate.admit(Command::create_room, 0, 1));
    BOOST_TEST(!a->rate.admit(Command::create_room, 0, 1));
    BOOST_TEST(b->rate.admit(Command::create_room, 0, 1));
}

BOOST_AUTO_TEST_CASE(reset_one_app_leaves_the_others) {
    TenantDirectory tenants;
    const auto a = tenants.get_or_create(1, 0);
    const auto b = tenants.get_or_create(2, 0);
    BOOST_TEST(a->rooms.create(make_room("r"), 0, kInterval) == CreateOutcome::created);
    BOOST_TEST(b->rooms.create(make_room("r"), 0, kInterval) == CreateOutcome::created);
    BOOST_TEST(a->rate.admit(Command::get_room_list, 0, 1));
    BOOST_TEST(b->rate.admit(Command::get_room_list, 0, 1));

    tenants.reset(1);
    BOOST_TEST(tenants.find(1) == a);  // cleared in place: holders keep a valid object
    BOOST_TEST(a->rooms.size() == 0u);
    BOOST_TEST(a->rooms.tracked_create_windows() == 0u);
    BOOST_TEST(a->rate.admit(Command::get_room_list, 0, 1));                              // window forgotten
    BOOST_TEST(a->rooms.create(make_room("r"), 0, kInterval) == CreateOutcome::created);  // interval forgotten
    BOOST_TEST(b->rooms.size() == 1u);
    BOOST_TEST(!b->rate.admit(Command::get_room_list, 0, 1));
    BOOST_TEST(b->rooms.create(make_room("r"), 0, kInterval) == CreateOutcome::too_frequent);

    tenants.reset(99);  // an app never seen: nothing happens
    BOOST_TEST(a->rooms.size() == 1u);
    BOOST_TEST(b->rooms.size() == 1u);
    BOOST_TEST(!tenants.find(99));

    tenants.reset(std::nullopt);
    BOOST_TEST(a->rooms.size() == 0u);
    BOOST_TEST(b->rooms.size() == 0u);
    BOOST_TEST(b->rate.admit(Command::get_room_list, 0, 1));
    BOOST_TEST(tenants.size() == 2u);
}

BOOST_AUTO_TEST_CASE(prune_drops_idle_tenants_only) {
    TenantDirectory tenants;
    const std::int64_t now = 1'700'000'000'000;
    tenants.get_or_create(1, now);                                                // idle: never used
    tenants.get_or_create(2, now)->rooms.create(make_room("r"), now, kInterval);  // holds a room
    const auto held = tenants.get_or_create(3, now);                              // held by a request
    tenants.get_or_create(4, now)->rate.admit(Command::create_room, now, 10);     // current rate window
    tenants.get_or_create(5, now)->rate.admit(Command::create_room, now, 0);      // unlimited: nothing recorded
    BOOST_TEST(tenants.size() == 5u);

    tenants.prune(now);
    BOOST_TEST(!tenants.find(1));
    BOOST_TEST(tenants.find(2));
    BOOST_TEST(tenants.find(3) == held);
    BOOST_TEST(tenants.find(4));
    BOOST_TEST(!tenants.find(5));
    BOOST_TEST(tenants.size() == 3u);

    // A second later the rate window is over; the room and the holder still keep theirs.
    tenants.prune(now + 1000);
    BOOST_TEST(tenants.find(2));
    BOOST_TEST(tenants.find(3) == held);
    BOOST_TEST(!tenants.find(4));

    // A pruned app comes back empty on its next request.
    const auto again = tenants.get_or_create(1, now + 2000);
    BOOST_TEST(again->rooms.size() == 0u);
    BOOST_TEST(tenants.size() == 3u);
}

BOOST_AUTO_TEST_CASE(prune_keeps_a_live_create_window) {
    TenantDirectory tenants;
    const std::int64_t now = 1'700'000'000'000;
    auto tenant = tenants.get_or_create(7, now);
    BOOST_TEST(tenant->rooms.create(make_room("r"), now, kInterval) == CreateOutcome::created);
    BOOST_TEST(tenant->rooms.destroy("r"));
    const std::weak_ptr<lee::state::Tenant> weak = tenant;
    tenant.reset();  // only the live window can keep the tenant now
    // Within the interval: dropping the tenant would forget the window and let a re-create through early.
    tenants.prune(now + 10);
    const auto found = tenants.find(7);
    BOOST_TEST_REQUIRE(found);
    BOOST_TEST(found->rooms.create(make_room("r"), now + 10, kInterval) == CreateOutcome::too_frequent);
    BOOST_TEST(!weak.expired());
}

// A tenant whose rooms are all gone and whose create windows expired long ago holds nothing: prune() forgets it.
BOOST_AUTO_TEST_CASE(prune_drops_a_tenant_whose_create_windows_expired) {
    TenantDirectory tenants;
    const std::int64_t now = 1'700'000'000'000;
    {
        const auto tenant = tenants.get_or_create(8, now);
        BOOST_TEST_REQUIRE(tenant->rooms.create(make_room("r"), now, kInterval) == CreateOutcome::created);
        BOOST_TEST_REQUIRE(tenant->rooms.destroy("r"));
    }
    tenants.prune(now + kInterval - 1);  // the window is still open: kept
    BOOST_TEST(tenants.find(8));
    tenants.prune(now + 86'400'000);  // a day later
    BOOST_TEST(!tenants.find(8));
}

BOOST_AUTO_TEST_CASE(concurrent_get_or_create_returns_one_tenant) {
    TenantDirectory tenants;
    constexpr int kThreads = 16;
    std::vector<std::shared_ptr<lee::state::Tenant>> seen(kThreads);
    std::latch start(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            start.arrive_and_wait();
            seen[static_cast<std::size_t>(t)] = tenants.get_or_create(42, 0);
            for (std::uint64_t id = 100; id < 200; ++id) tenants.get_or_create(id, 0);
        });
    }
    for (auto& thread : threads) thread.join();
    BOOST_TEST(std::all_of(seen.begin(), seen.end(), [&](const auto& tenant) { return tenant == seen[0]; }));
    BOOST_TEST(tenants.size() == 101u);
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(rate_limiter)

using lee::state::RateLimiter;

BOOST_AUTO_TEST_CASE(limit_admits_exactly_n_per_window) {
    RateLimiter limiter;
    const std::int64_t window_start = 1'700'000'000'000;  // a multiple of 1000
    for (int i = 0; i < 5; ++i) {
        // Spread over the window: every millisecond of [start, start + 999] is the same window.
        BOOST_TEST(limiter.admit(Command::create_room, window_start + i * 249, 5));
    }
    BOOST_TEST(!limiter.admit(Command::create_room, window_start + 999, 5));
    BOOST_TEST(!limiter.admit(Command::create_room, window_start, 5));
    // The next window admits again, N more.
    for (int i = 0; i < 5; ++i) BOOST_TEST(limiter.admit(Command::create_room, window_start + 1000, 5));
    BOOST_TEST(!limiter.admit(Command::create_room, window_start + 1999, 5));
    // Skipping windows is fine too.
    BOOST_TEST(limiter.admit(Command::create_room, window_start + 60'000, 5));
}

BOOST_AUTO_TEST_CASE(windows_are_fixed_seconds_not_sliding) {
    RateLimiter limiter;
    // Two at the very end of one second and two at the very start of the next: all admitted with limit 2.
    BOOST_TEST(limiter.admit(Command::get_room_list, 4999, 2));
    BOOST_TEST(limiter.admit(Command::get_room_list, 4999, 2));
    BOOST_TEST(!limiter.admit(Command::get_room_list, 4999, 2));
    BOOST_TEST(limiter.admit(Command::get_room_list, 5000, 2));
    BOOST_TEST(limiter.admit(Command::get_room_list, 5000, 2));
    BOOST_TEST(!limiter.admit(Command::get_room_list, 5001, 2));
}

BOOST_AUTO_TEST_CASE(commands_have_their_own_windows) {
    RateLimiter limiter;
    BOOST_TEST(limiter.admit(Command::create_room, 0, 1));
    BOOST_TEST(!limiter.admit(Command::create_room, 0, 1));
    for (std::size_t i = 1; i < lee::core::kCommandCount; ++i) {
        BOOST_TEST(limiter.admit(static_cast<Command>(i), 0, 1));
        BOOST_TEST(!limiter.admit(static_cast<Command>(i), 0, 1));
    }
}

BOOST_AUTO_TEST_CASE(windows_never_repeat_however_far_the_clock_jumps) {
    // A window kept modulo 2^32 seconds would take a jump of 2^32 s for the same, already full, window.
    RateLimiter limiter;
    const std::int64_t start = 5000;
    const std::int64_t jump = (std::int64_t{1} << 32) * 1000;
    BOOST_TEST(limiter.admit(Command::create_room, start, 1));
    BOOST_TEST(!limiter.admit(Command::create_room, start, 1));
    BOOST_TEST(limiter.admit(Command::create_room, start + jump, 1));
    BOOST_TEST(!limiter.admit(Command::create_room, start + jump, 1));
    BOOST_TEST(limiter.admit(Command::create_room, 253'402'300'799'999, 50'000'000));  // year 9999, the top limit
}

BOOST_AUTO_TEST_CASE(limit_zero_is_unlimited) {
    RateLimiter limiter;
    bool all = true;
    for (int i = 0; i < 10'000; ++i) all = all && limiter.admit(Command::create_room, 0, 0);
    BOOST_TEST(all);
    BOOST_TEST(limiter.idle(0));  // unlimited requests are not recorded
    // Lowering the limit later counts from the next request on.
    BOOST_TEST(limiter.admit(Command::create_room, 0, 1));
    BOOST_TEST(!limiter.admit(Command::create_room, 0, 1));
}

BOOST_AUTO_TEST_CASE(limit_one_and_large_limits) {
    RateLimiter limiter;
    BOOST_TEST(limiter.admit(Command::destroy_room, 0, 1));
    BOOST_TEST(!limiter.admit(Command::destroy_room, 0, 1));
    int admitted = 0;
    for (int i = 0; i < 2500; ++i) admitted += limiter.admit(Command::update_room_info, 7000, 2000) ? 1 : 0;
    BOOST_TEST(admitted == 2000);
}

BOOST_AUTO_TEST_CASE(idle_and_clear) {
    RateLimiter limiter;
    BOOST_TEST(limiter.idle(0));
    BOOST_TEST(limiter.admit(Command::get_room_info, 3500, 10));
    BOOST_TEST(!limiter.idle(3000));
    BOOST_TEST(!limiter.idle(3999));
    BOOST_TEST(limiter.idle(4000));
    limiter.clear();
    BOOST_TEST(limiter.idle(3500));
    for (int i = 0; i < 10; ++i) BOOST_TEST(limiter.admit(Command::get_room_info, 3500, 10));
    BOOST_TEST(!limiter.admit(Command::get_room_info, 3500, 10));
}

BOOST_AUTO_TEST_CASE(concurrent_admits_never_exceed_the_limit) {
    constexpr int kThreads = 8;
    constexpr int kAttempts = 2000;
    constexpr std::uint32_t kLimit = 100;
    RateLimiter limiter;
    for (int window = 0; window < 5; ++window) {
        std::atomic<int> admitted{0};
        std::latch start(kThreads);
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&] {
                start.arrive_and_wait();
                int mine = 0;
                for (int i = 0; i < kAttempts; ++i) {
                    if (limiter.admit(Command::create_room, window * 1000 + i % 1000, kLimit)) ++mine;
                }
                admitted += mine;
            });
        }
        for (auto& thread : threads) thread.join();
        BOOST_TEST_CONTEXT("window " << window) {
            // Never above the limit, and, with far more attempts than the limit, exactly at it.
            BOOST_TEST(admitted.load() == static_cast<int>(kLimit));
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------------------------
// emulator-interface.md, clock row: freeze stops it, advance_ms moves it forward, set_ms sets it (a frozen clock stays
// frozen, a running one runs on from N), resume lets it run again from where it stands.
BOOST_AUTO_TEST_SUITE(emulator_clock)

using lee::state::EmulatorClock;

std::int64_t wall_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

void sleep_ms(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

constexpr std::int64_t kSlack = 2000;  // generous: sanitizer builds on a loaded CI machine

BOOST_AUTO_TEST_CASE(starts_running_at_wall_time) {
    EmulatorClock clock;
    BOOST_TEST(!clock.frozen());
    const std::int64_t before = wall_ms();
    const std::int64_t now = clock.now_ms();
    BOOST_TEST(now >= before);
    BOOST_TEST(now <= wall_ms());
    sleep_ms(20);
    BOOST_TEST(clock.now_ms() >= now + 20);
}

BOOST_AUTO_TEST_CASE(freeze_stops_it) {
    EmulatorClock clock;
    clock.freeze();
    BOOST_TEST(clock.frozen());
    const std::int64_t frozen_at = clock.now_ms();
    BOOST_TEST(std::abs(frozen_at - wall_ms()) <= kSlack);
    sleep_ms(30);
    BOOST_TEST(clock.now_ms() == frozen_at);
    clock.freeze();  // freezing a frozen clock changes nothing
    BOOST_TEST(clock.frozen());
    BOOST_TEST(clock.now_ms() == frozen_at);
}

BOOST_AUTO_TEST_CASE(advance_while_frozen_is_exact) {
    EmulatorClock clock;
    clock.set(1'000'000);
    clock.freeze();
    clock.set(1'000'000);
    clock.advance(1500);
    BOOST_TEST(clock.now_ms() == 1'001'500);
    clock.advance(0);
    BOOST_TEST(clock.now_ms() == 1'001'500);
    clock.advance(86'400'000);
    BOOST_TEST(clock.now_ms() == 87'401'500);
    BOOST_TEST(clock.frozen());
}

BOOST_AUTO_TEST_CASE(set_while_frozen_stays_frozen) {
    EmulatorClock clock;
    clock.freeze();
    clock.set(1'700'000'000'000);
    BOOST_TEST(clock.frozen());
    BOOST_TEST(clock.now_ms() == 1'700'000'000'000);
    sleep_ms(20);
    BOOST_TEST(clock.now_ms() == 1'700'000'000'000);
    clock.set(5);  // backwards is allowed
    BOOST_TEST(clock.now_ms() == 5);
    BOOST_TEST(clock.now_seconds() == 0);
}

BOOST_AUTO_TEST_CASE(set_while_running_runs_on_from_n) {
    EmulatorClock clock;
    const std::int64_t target = 1'000'000'000'000;  // 2001, far from wall time
    clock.set(target);
    BOOST_TEST(!clock.frozen());
    const std::int64_t first = clock.now_ms();
    BOOST_TEST(first >= target);
    BOOST_TEST(first <= target + kSlack);
    sleep_ms(30);
    const std::int64_t second = clock.now_ms();
    BOOST_TEST(second >= first + 30);
    BOOST_TEST(second <= target + 30 + kSlack);
}

BOOST_AUTO_TEST_CASE(advance_while_running_shifts_it) {
    EmulatorClock clock;
    const std::int64_t before = clock.now_ms();
    clock.advance(3'600'000);
    const std::int64_t after = clock.now_ms();
    BOOST_TEST(!clock.frozen());
    BOOST_TEST(after - before >= 3'600'000);
    BOOST_TEST(after - before <= 3'600'000 + kSlack);
    sleep_ms(20);
    BOOST_TEST(clock.now_ms() >= after + 20);
}

BOOST_AUTO_TEST_CASE(resume_runs_on_from_where_it_stands) {
    EmulatorClock clock;
    const std::int64_t target = 1'000'000'000'000;
    clock.freeze();
    clock.set(target);
    sleep_ms(300);  // time passing while frozen is not caught up on resume
    clock.resume();
    BOOST_TEST(!clock.frozen());
    const std::int64_t first = clock.now_ms();
    BOOST_TEST(first >= target);
    BOOST_TEST(first < target + 300);
    sleep_ms(30);
    BOOST_TEST(clock.now_ms() >= first + 30);

    // Freeze again and resume: still continuous with the emulator time, not with wall time.
    clock.freeze();
    const std::int64_t second = clock.now_ms();
    BOOST_TEST(second >= first + 30);
    BOOST_TEST(second <= target + kSlack);
    clock.resume();
    BOOST_TEST(clock.now_ms() >= second);
    BOOST_TEST(clock.now_ms() <= second + kSlack);
}

BOOST_AUTO_TEST_CASE(resume_of_a_running_clock_changes_nothing) {
    EmulatorClock clock;
    clock.advance(-86'400'000);  // a day behind wall time
    const std::int64_t before = clock.now_ms();
    clock.resume();
    const std::int64_t after = clock.now_ms();
    BOOST_TEST(after >= before);
    BOOST_TEST(after <= before + kSlack);
    BOOST_TEST(wall_ms() - after >= 86'400'000 - kSlack);
}

BOOST_AUTO_TEST_CASE(reset_returns_to_running_wall_time) {
    EmulatorClock clock;
    clock.freeze();
    clock.set(42);
    clock.reset();
    BOOST_TEST(!clock.frozen());
    BOOST_TEST(std::abs(clock.now_ms() - wall_ms()) <= kSlack);
}

BOOST_AUTO_TEST_CASE(readers_during_writes_see_sane_times) {
    EmulatorClock clock;
    clock.set(1'000'000'000'000);
    std::atomic<bool> stop{false};
    std::atomic<int> insane{0};
    std::thread reader([&] {
        while (!stop.load()) {
            const std::int64_t now = clock.now_ms();
            // Every write below keeps the clock within [1e12, 1e12 + 2 s].
            // (A reader that sampled wall time just before a set() may land a few ms below it.)
            if (now < 1'000'000'000'000 - kSlack || now > 1'000'000'000'000 + 10 * kSlack) ++insane;
        }
    });
    for (int i = 0; i < 2000; ++i) {
        clock.freeze();
        clock.set(1'000'000'000'000 + i);
        clock.resume();
        clock.set(1'000'000'000'000);
    }
    stop = true;
    reader.join();
    BOOST_TEST(insane.load() == 0);
}

// "Running" is marked by a value outside the clock's range, so extreme set/advance values are clamped into
// [0, kMaxMs] and never turn a frozen clock into a running one, nor overflow a running one.
BOOST_AUTO_TEST_CASE(a_frozen_clock_set_to_extremes_stays_frozen_and_clamped) {
    EmulatorClock clock;
    clock.freeze();
    clock.set(INT64_MIN);
    BOOST_TEST(clock.frozen());
    BOOST_TEST(clock.now_ms() == 0);
    clock.advance(INT64_MIN);
    BOOST_TEST(clock.frozen());
    BOOST_TEST(clock.now_ms() == 0);
    clock.set(INT64_MAX);
    BOOST_TEST(clock.now_ms() == EmulatorClock::kMaxMs);
    clock.advance(INT64_MAX);
    BOOST_TEST(clock.now_ms() == EmulatorClock::kMaxMs);
}

BOOST_AUTO_TEST_CASE(a_running_clock_never_overflows) {
    EmulatorClock clock;
    clock.set(INT64_MAX);
    BOOST_TEST(!clock.frozen());
    BOOST_TEST(clock.now_ms() >= EmulatorClock::kMaxMs - 60'000);
    BOOST_TEST(clock.now_ms() <= EmulatorClock::kMaxMs + 60'000);
    clock.advance(INT64_MAX);
    BOOST_TEST(clock.now_ms() <= EmulatorClock::kMaxMs + 60'000);
    clock.advance(INT64_MIN);
    BOOST_TEST(clock.now_ms() >= 0);
    BOOST_TEST(clock.now_ms() < 60'000);
}

BOOST_AUTO_TEST_CASE(manual_clock_moves_only_when_told) {
    lee::state::ManualClock clock(5000);
    BOOST_TEST(clock.now_ms() == 5000);
    sleep_ms(5);
    BOOST_TEST(clock.now_ms() == 5000);
    clock.advance(1500);
    BOOST_TEST(clock.now_ms() == 6500);
    BOOST_TEST(clock.now_seconds() == 6);
    clock.set(10);
    BOOST_TEST(clock.now_ms() == 10);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
