#include "core/startup_heap.hpp"

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
}  // namespace

void begin_startup_heap(std::size_t bytes) noexcept {
    if (bytes < kMinPad) return;
    ::mallopt(M_TOP_PAD, static_cast<int>(std::min(bytes, kMaxPad)));
    padded.store(true);
    // One block more than the top of the heap holds makes it grow now, by the block and the pad; freed, the block
    // goes back to the top, which keeps the pad instead of being trimmed.
    const auto before = reinterpret_cast<std::uintptr_t>(::sbrk(0));
    // volatile: a malloc freed unused may be left out by the compiler, and then nothing grows.
    void* volatile block = std::malloc(::mallinfo2().keepcost + 64);
    std::free(block);
    const auto after = reinterpret_cast<std::uintptr_t>(::sbrk(0));
    if (after <= before) return;  // the block came from elsewhere (a free chunk, or mmap): nothing to populate
    const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
    const std::uintptr_t start = before & ~(page - 1);
    // A failure leaves the pages to be faulted in one at a time, as without this.
    // NOLINTNEXTLINE(performance-no-int-to-ptr): the break is an address
    (void)::madvise(reinterpret_cast<void*>(start), after - start, MADV_POPULATE_WRITE);
}

void end_startup_heap() noexcept {
    if (padded.exchange(false)) ::mallopt(M_TOP_PAD, kDefaultTopPad);
    ::malloc_trim(0);
}

}  // namespace lee::core
