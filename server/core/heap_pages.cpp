#include "core/heap_pages.hpp"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23  // Linux 5.14; older C library headers lack the name
#endif

namespace lee::core {
namespace {
constexpr int kDefaultTopPad = 128 * 1024;  // glibc's DEFAULT_TOP_PAD
// Below this, the start's heap is a few dozen page faults: populating pages it may never use would cost more.
constexpr std::size_t kMinPad = std::size_t{512} << 10;
constexpr std::size_t kMaxPad = std::size_t{64} << 20;
std::atomic<bool> padded{false};
// What a request's growth leaves untouched is glibc's pad above the block it grew for (128 KiB by default): only the
// top of a larger growth is populated. A bulk load (a snapshot put back) wrote its own pages, and the ones it freed
// and malloc_trim gave back would otherwise be made resident again.
constexpr std::uintptr_t kMaxPopulatedGrowth = std::uintptr_t{512} << 10;
thread_local bool serves_heap = false;  // set on the thread that called end_startup_heap()
std::uintptr_t seen_break = 0;          // the break at that thread's last call; only that thread uses it
std::uintptr_t current_break() noexcept { return reinterpret_cast<std::uintptr_t>(::sbrk(0)); }
// The other I/O threads allocate from glibc's mapped arenas, which grow by the pages a request needs, never by a pad:
// each new page faulted (41 a 1,000 creates with --threads 2, 4 with one thread). Every kArenaPeriod requests two
// blocks carved from the arena's top are populated and freed back into it, so the top holds ~120 KiB of populated
// pages ahead of what the next requests store (a create grows an arena by ~300 bytes); growing for them still faults
// once, where glibc writes the new top's header (14 a 1,000 creates now). Freed, the blocks join the top, and glibc
// trims a thread's heap only once its top reaches the trim threshold (128 KiB, fixed by main.cpp's M_MMAP_THRESHOLD),
// then down to the 128 KiB top pad: two blocks and the little left above them stay within both (a third block would
// be trimmed and populated again every time).
constexpr std::size_t kArenaBlock = std::size_t{60} << 10;
constexpr unsigned kArenaPeriod = 256;
thread_local unsigned arena_calls = 0;
// Set on a thread whose blocks came from the main heap (MALLOC_ARENA_MAX=1): there the first thread populates what
// it grows, and carving blocks would only move the break up and trim it back.
thread_local bool shares_main_heap = false;
// The break before main(): the main heap's blocks lie between it and the current break, mapped arenas elsewhere.
const std::uintptr_t initial_break = current_break();
// A failure leaves the pages to be faulted in one at a time, as without this.
void populate(std::uintptr_t from, std::uintptr_t to) noexcept {
    const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
    const std::uintptr_t start = from & ~(page - 1);
    // NOLINTNEXTLINE(performance-no-int-to-ptr): the break is an address
    (void)::madvise(reinterpret_cast<void*>(start), to - start, MADV_POPULATE_WRITE);
}
// On a thread other than the one that ends the startup (see kArenaBlock).
void populate_arena_top() noexcept {
    if (shares_main_heap || ++arena_calls < kArenaPeriod) return;
    arena_calls = 0;
    // volatile: see begin_startup_heap(). The higher block goes back first, into the top, and the lower joins it.
    void* volatile lower = std::malloc(kArenaBlock);
    void* volatile higher = std::malloc(kArenaBlock);
    const auto at = reinterpret_cast<std::uintptr_t>(lower);
    shares_main_heap = at >= initial_break && at < current_break();
    for (void* block : {lower, higher}) {
        const auto from = reinterpret_cast<std::uintptr_t>(block);
        if (block != nullptr && !shares_main_heap) populate(from, from + kArenaBlock);
    }
    std::free(higher);
    std::free(lower);
}
}  // namespace

void begin_startup_heap(std::size_t bytes) noexcept {
    if (bytes < kMinPad) return;
    ::mallopt(M_TOP_PAD, static_cast<int>(std::min(bytes, kMaxPad)));
    padded.store(true);
    // One block more than the top of the heap holds makes it grow now, by the block and the pad; freed, the block
    // goes back to the top, which keeps the pad instead of being trimmed.
    const std::uintptr_t before = current_break();
    // volatile: a malloc freed unused may be left out by the compiler, and then nothing grows.
    void* volatile block = std::malloc(::mallinfo2().keepcost + 64);
    std::free(block);
    const std::uintptr_t after = current_break();
    // Else the block came from elsewhere (a free chunk, or mmap): nothing to populate.
    if (after > before) populate(before, after);
}

void end_startup_heap() noexcept {
    if (padded.exchange(false)) ::mallopt(M_TOP_PAD, kDefaultTopPad);
    ::malloc_trim(0);
    serves_heap = true;
    seen_break = current_break();
}

void populate_heap_growth() noexcept {
    if (!serves_heap) return populate_arena_top();
    const std::uintptr_t now = current_break();
    if (now > seen_break) populate(std::max(seen_break, now - std::min(now, kMaxPopulatedGrowth)), now);
    seen_break = now;  // lower after a trim: the pages above it are gone
}

}  // namespace lee::core
