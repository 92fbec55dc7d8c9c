// SPDX-License-Identifier: MIT
#include "arch/power/clock_governor.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace xpusim::arch {
namespace {
// Bisection steps: 2^-50 of the bracket, far below any clock a result prints.
constexpr int kSteps = 50;
}  // namespace

ClockGovernor::ClockGovernor(const ChipPowerParams& power) : p_(power) {
  if (p_.tdp.watts() <= 0 || p_.threshold_voltage.volts() >= p_.max_voltage().volts()) {
    throw std::logic_error("ClockGovernor needs a cap and V_t below the core voltage (Chip::build checks both)");
  }
}

double ClockGovernor::voltage_ratio(double clock_ratio) const {
  if (clock_ratio >= 1.0) return 1.0;
  const double vt = p_.threshold_voltage.volts(), vmax = p_.max_voltage().volts();
  auto speed = [&](double v) { return std::pow(v - vt, p_.alpha) / v; };  // rises with v above V_t for alpha >= 1
  const double target = clock_ratio * speed(vmax);
  double lo = vt, hi = vmax;
  for (int i = 0; i < kSteps; ++i) {
    const double mid = 0.5 * (lo + hi);
    (speed(mid) < target ? lo : hi) = mid;
  }
  return hi / vmax;
}

Power ClockGovernor::power(const KernelDemand& d, double clock_ratio) const {
  const double t = std::max(d.on_die.seconds() / clock_ratio, d.off_die_floor.seconds());
  if (t <= 0) return p_.active_idle;
  const double v = voltage_ratio(clock_ratio);
  return p_.active_idle + Power((d.on_die_energy.joules() * v * v + d.off_die_energy.joules()) / t);
}

double ClockGovernor::clock_ratio(const KernelDemand& d) const {
  if (power(d, 1.0) <= p_.tdp) return 1.0;
  if (power(d, p_.min_clock) >= p_.tdp) return p_.min_clock;
  // Power rises with the clock (shorter time, higher voltage): keep the fastest clock that fits.
  double lo = p_.min_clock, hi = 1.0;
  for (int i = 0; i < kSteps; ++i) {
    const double mid = 0.5 * (lo + hi);
    (power(d, mid) <= p_.tdp ? lo : hi) = mid;
  }
  return lo;
}

}  // namespace xpusim::arch
