// SPDX-License-Identifier: MIT
// The power cap's clock governor: the alpha-power law's voltage at a lowered clock, and the highest
// clock at which a kernel fits the cap -- exactly the configured clock when it fits there.
#include "arch/power/clock_governor.h"

#include <catch2/catch.hpp>

#include <cmath>

using namespace xpusim;
using namespace xpusim::arch;

namespace {

ChipPowerParams capped(double tdp_w) {
  ChipPowerParams p;
  p.node = Length(4e-9);
  p.voltage = Voltage(1.0);
  p.active_idle = Power(100);
  p.tdp = Power(tdp_w);
  return p;
}

// 1 ms of on-die work at the configured clocks spending 0.5 J on die, 0.1 J off die: 700 W at full clock.
KernelDemand compute_bound() { return {Time::from_seconds_ceil(1e-3), Time::from_seconds_ceil(0.2e-3), Energy(0.5), Energy(0.1)}; }
// Off-chip traffic takes 4x the on-die work: lowering the clock saves voltage, not time.
KernelDemand memory_bound() { return {Time::from_seconds_ceil(0.25e-3), Time::from_seconds_ceil(1e-3), Energy(0.2), Energy(0.3)}; }

}  // namespace

TEST_CASE("the governor's voltage follows the alpha-power law", "[power][dvfs]") {
  const ChipPowerParams p = capped(500);
  const ClockGovernor g(p);
  CHECK(g.voltage_ratio(1.0) == 1.0);
  double previous = 0;
  for (double r = 0.25; r < 1.0; r += 0.05) {
    const double v = g.voltage_ratio(r);
    CHECK(v > previous);
    CHECK(v < 1.0);
    CHECK(v > p.threshold_voltage.volts());
    // f ~ (V - V_t)^alpha / V, relative to the configured clock.
    auto speed = [&](double volts) { return std::pow(volts - 0.3, 1.3) / volts; };
    CHECK(speed(v * 1.0) / speed(1.0) == Approx(r).epsilon(1e-9));
    previous = v;
  }
}

TEST_CASE("a kernel that fits the cap runs at exactly the configured clock", "[power][dvfs]") {
  const ClockGovernor g(capped(700.5));
  CHECK(g.power(compute_bound(), 1.0).watts() == Approx(700.0));
  CHECK(g.clock_ratio(compute_bound()) == 1.0);
}

TEST_CASE("a compute-bound kernel over the cap runs at the highest clock that fits", "[power][dvfs]") {
  const ClockGovernor g(capped(400));
  const double r = g.clock_ratio(compute_bound());
  CHECK(r < 1.0);
  CHECK(r > 0.25);
  CHECK(g.power(compute_bound(), r).watts() <= 400.0);
  CHECK(g.power(compute_bound(), r).watts() == Approx(400.0).epsilon(1e-9));
  CHECK(g.power(compute_bound(), r + 1e-6).watts() > 400.0);
  // A lower cap, a lower clock.
  CHECK(ClockGovernor(capped(300)).clock_ratio(compute_bound()) < r);
}

TEST_CASE("a memory-bound kernel over the cap keeps its time and saves voltage", "[power][dvfs]") {
  // 100 W idle + 0.5 J over the 1 ms floor = 600 W; at voltage ratio v, 400 W + 200 W x v^2.
  const ClockGovernor g(capped(550));
  const KernelDemand d = memory_bound();
  CHECK(g.power(d, 1.0).watts() == Approx(600.0).epsilon(1e-6));
  const double r = g.clock_ratio(d);
  CHECK(r < 1.0);
  CHECK(g.voltage_ratio(r) == Approx(std::sqrt(0.75)).epsilon(1e-6));
  // Still memory-bound at that clock: the kernel takes as long as at full clock.
  CHECK(d.on_die.seconds() / r <= d.off_die_floor.seconds());
}

TEST_CASE("a kernel that exceeds the cap even at the lowest clock runs at the lowest clock", "[power][dvfs]") {
  ChipPowerParams p = capped(120);
  p.min_clock = 0.5;
  CHECK(ClockGovernor(p).clock_ratio(compute_bound()) == 0.5);
}
