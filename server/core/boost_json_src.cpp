// Boost.JSON compiled into the emulator rather than linked from its shared library: calls inside the library
// (parser to value stack, object lookups, string assignment) can then be inlined instead of going through the
// PLT, which was a measurable share of create_room's CPU (issue 11). The one TU that includes its sources.
#include <boost/json/src.hpp>
