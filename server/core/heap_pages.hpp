#pragma once
// The heap's new pages populated in one call instead of a page fault at a time (issue 11): at startup, and as rooms
// fill it. On the virtual machines CI runs on, each first touch of a page costs a fault of about 12 µs (a VM exit),
// and populating a range about 0.9 µs a page: building the benchmark's sensitive-word automaton faulted some 640
// pages, a third of the time to READY, and serving create_room faulted one page every 16 rooms. A populated page
// still costs about 6 µs when the process first writes it (measured over 4 MiB; the hypervisor mapping it, it seems),
// so populating halves the cost of new pages, and touching fewer of them is what removes it.
#include <cstddef>

namespace lee::core {

// Until end_startup_heap(): the heap grows `bytes` (at most 64 MiB) ahead of what malloc needs, and the first
// `bytes` are populated now. Populating a page costs about a sixth of what it saves, so `bytes` should be about
// what the startup will use; below 512 KiB nothing is done (the default rules load faster without). Where the kernel
// cannot populate (before Linux 5.14) the pad is still taken and given back at the end; under ASan or TSan (their own
// allocator, no brk heap) nothing happens.
void begin_startup_heap(std::size_t bytes) noexcept;
// Gives the free pages back, so idle memory is what serving needs, and, after begin_startup_heap(), puts the pad
// back to glibc's default (a MALLOC_TOP_PAD_ setting from the environment is not kept). The calling thread becomes
// the one populate_heap_growth() serves.
void end_startup_heap() noexcept;
// While serving: pages the heap has grown by since the last call are populated in one madvise, instead of faulting
// one at a time as rooms fill them (a fault costs ~12 µs on the CI's VMs, a populated page ~0.9 µs + ~6 µs; a million
// rooms fill some 60,000 pages). Called after each request.
// - On the thread that called end_startup_heap(), whose allocations move the break: something happens only when the
//   break has moved (otherwise a thread-local flag and a read of the break), and only the top 512 KiB of a growth
//   are populated (beyond glibc's pad, the request wrote the pages it grew for). The one request that moved it waits
//   for the populate before its answer goes out (about 20 µs for the 32 pages glibc grows by).
// - Other threads allocate from glibc's mapped arenas: every 256th call populates some 120 KiB at the top of the
//   thread's arena (that request's answer waits about 40 µs for it). Where MALLOC_ARENA_MAX=1 makes them share the
//   main heap, the first thread populates what they grow a call later, and they stop trying after the first time.
//   Under ASan or TSan the blocks come from the sanitizer's allocator: populated for nothing, and harmless.
void populate_heap_growth() noexcept;

}  // namespace lee::core
