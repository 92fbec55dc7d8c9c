// SPDX-License-Identifier: MIT
#include <catch2/catch.hpp>

#include "sim/unit_parse.h"
#include "sim/units.h"

using namespace xpusim;
using namespace xpusim::literals;

template <class A, class B>
concept can_add = requires(A a, B b) { a + b; };
template <class A, class B>
concept can_compare = requires(A a, B b) { a < b; };
template <class A, class B>
concept can_multiply = requires(A a, B b) { a * b; };
template <class A>
concept converts_to_double = requires(A a) { static_cast<double>(a); };

static_assert(!can_add<Time, Bytes>, "time and bytes must not add");
static_assert(!can_add<Bandwidth, Frequency>);
static_assert(!can_add<Energy, Power>);
static_assert(!can_compare<Time, Cycles>);
static_assert(!converts_to_double<Bandwidth>);
static_assert(!std::is_convertible_v<double, Time>);
static_assert(can_add<Time, Time>);
// Integer quantities scale by whole numbers only: 0.25 * t would silently truncate to 0.
static_assert(can_multiply<Time, int> && can_multiply<std::int64_t, Time> && can_multiply<Bytes, std::size_t>);
static_assert(!can_multiply<Time, double> && !can_multiply<double, Time> && !can_multiply<Bytes, double>);
static_assert(!can_multiply<Cycles, double> && !can_multiply<Time, float>);

TEST_CASE("unit strings parse with decimal and binary prefixes", "[units]") {
  CHECK(parse_quantity<Bandwidth>("3.35 TB/s").bytes_per_second() == Approx(3.35e12));
  CHECK(parse_quantity<Bytes>("80 GiB").count() == 80LL << 30);
  CHECK(parse_quantity<Bytes>("48 KiB").count() == 48 * 1024);
  CHECK(parse_quantity<Bytes>("64 kB").count() == 64000);
  CHECK(parse_quantity<Frequency>("1.755 GHz").hz() == Approx(1.755e9));
  CHECK(parse_quantity<Power>("700 W").watts() == Approx(700));
  CHECK(parse_quantity<EnergyPerByte>("4.5 pJ/bit").joules_per_byte() == Approx(36e-12));
  CHECK(parse_quantity<EnergyPerByte>("2 pJ/B").joules_per_byte() == Approx(2e-12));
  CHECK(parse_quantity<Time>("110 ns").ps() == 110000);
  CHECK(parse_quantity<Bandwidth>("112 Gb/s").bytes_per_second() == Approx(14e9));
  CHECK(parse_quantity<FlopRate>("989 TFLOP/s").per_second() == Approx(989e12));
}

TEST_CASE("a missing or wrong unit is a clear error", "[units]") {
  CHECK_THROWS_WITH(parse_quantity<Bandwidth>("3.35 TB"),
                    Catch::Contains("expects a bandwidth like") && Catch::Contains("unknown unit 'TB'"));
  CHECK_THROWS_WITH(parse_quantity<Bandwidth>("819"), Catch::Contains("missing unit"));
  CHECK_THROWS_WITH(parse_quantity<Bytes>("lots"), Catch::Contains("no number"));
  CHECK_THROWS_WITH(parse_quantity<Bytes>("1.5 B"), Catch::Contains("whole number"));
}

TEST_CASE("mixed operators follow physics and round transfer time up", "[units]") {
  Time t = Bytes(1000) / Bandwidth(3e12);  // 333.33 ps
  CHECK(t.ps() == 334);
  CHECK((Bandwidth(1e9) * 1_us).count() == 1000);
  CHECK((Power(700) * Time(1'000'000'000'000)).joules() == Approx(700));
  Clock clk(1.4_GHz);
  CHECK(clk.to_time(Cycles(7)).ps() == 5000);
  CHECK(clk.to_time(Cycles(1)).ps() == 715);
  CHECK(clk.cycles_ceil(Time(5000)).count() == 7);
  CHECK(clk.cycles_ceil(Time(5001)).count() == 8);
}

TEST_CASE("quantities print with prefixes", "[units]") {
  CHECK(format(parse_quantity<Bandwidth>("3.35 TB/s")) == "3.35 TB/s");
  CHECK(format(Bytes(80LL << 30)) == "80 GiB");
  CHECK(format(Time(110000)) == "110 ns");
}
