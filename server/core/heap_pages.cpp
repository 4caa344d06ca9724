#include "core/heap_pages.hpp"

#include <malloc.h>
#include <pthread.h>
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
std::atomic<bool> serving{false};
pthread_t serving_thread{};
std::uintptr_t populated_to = 0;  // the break as last populated; only serving_thread reads or writes it
std::uintptr_t current_break() noexcept { return reinterpret_cast<std::uintptr_t>(::sbrk(0)); }
// A failure leaves the pages to be faulted in one at a time, as without this.
void populate(std::uintptr_t from, std::uintptr_t to) noexcept {
    const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
    const std::uintptr_t start = from & ~(page - 1);
    // NOLINTNEXTLINE(performance-no-int-to-ptr): the break is an address
    (void)::madvise(reinterpret_cast<void*>(start), to - start, MADV_POPULATE_WRITE);
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
    serving_thread = ::pthread_self();
    populated_to = current_break();
    serving.store(true, std::memory_order_release);
}

void populate_heap_growth() noexcept {
    if (!serving.load(std::memory_order_acquire) || ::pthread_equal(::pthread_self(), serving_thread) == 0) return;
    const std::uintptr_t now = current_break();
    // The malloc that moved the break has touched the first new page already; the rest are still unfaulted.
    if (now > populated_to) populate(populated_to, now);
    populated_to = now;  // lower after a trim: the pages above it are gone
}

}  // namespace lee::core
