#pragma once
// The heap the startup allocates from, populated in one call instead of a page fault at a time (issue 11). On the
// virtual machines CI runs on, each first touch of a page costs a fault of about 10 µs (a VM exit), and populating
// a range about 0.6 µs a page: building the sensitive-word automaton alone faulted some 640 pages, a third of the
// time to READY.
#include <cstddef>

namespace lee::core {

// Until end_startup_heap(): the heap grows `bytes` ahead of what malloc needs, and the first `bytes` are populated
// now. Does nothing where the kernel cannot populate (before Linux 5.14) or malloc has other plans.
void begin_startup_heap(std::size_t bytes) noexcept;
// Back to glibc's default growth, and the free pages given back, so idle memory is what serving needs.
void end_startup_heap() noexcept;

}  // namespace lee::core
