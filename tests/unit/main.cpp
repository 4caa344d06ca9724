#define BOOST_TEST_MODULE live_engine_emulator_unit
#include <boost/test/unit_test.hpp>
