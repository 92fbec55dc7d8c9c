// SPDX-License-Identifier: MIT
#include <catch2/catch.hpp>

#include "sim/int_math.h"

using namespace xpusim;

static_assert(round_up_significant(0, 4) == 0 && round_up_significant(16, 4) == 16 && round_up_significant(17, 4) == 18);
static_assert(round_up_significant(1000, 4) == 1024 && round_up_significant(130, 4) == 144);

TEST_CASE("rounding to significant bits never lowers a value and adds under 2^(1-bits) of it", "[int_math]") {
  for (int bits = 1; bits <= 6; ++bits) {
    for (std::int64_t v = 1; v <= 5000; ++v) {
      const std::int64_t r = round_up_significant(v, bits);
      REQUIRE(r >= v);
      REQUIRE(static_cast<double>(r - v) < static_cast<double>(v) * 2.0 / static_cast<double>(1 << bits));
      REQUIRE(round_up_significant(r, bits) == r);  // idempotent: rounded values are their own bucket
    }
  }
}
