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
  if (!p_.governed() || p_.threshold_voltage.volts() >= p_.nominal_voltage().volts()) {
    throw std::logic_error("ClockGovernor needs a cap or a boost, and V_t below the core voltage (Chip::build checks both)");
  }
}

Time KernelDemand::duration(double clock_ratio) const {
  return std::max(Time::from_seconds_ceil(on_die.seconds() / clock_ratio), off_die_floor);
}

double ClockGovernor::voltage_ratio(double clock_ratio) const {
  if (clock_ratio == 1.0) return 1.0;
  const double vt = p_.threshold_voltage.volts(), v1 = p_.nominal_voltage().volts();
  auto speed = [&](double v) { return std::pow(v - vt, p_.alpha) / v; };  // rises with v above V_t for alpha >= 1
  const double target = clock_ratio * speed(v1);
  double lo = vt, hi = v1;
  while (speed(hi) < target) hi *= 2;  // a boost clock needs more than the nominal voltage
  if (clock_ratio > 1.0) lo = v1;
  for (int i = 0; i < kSteps; ++i) {
    const double mid = 0.5 * (lo + hi);
    (speed(mid) < target ? lo : hi) = mid;
  }
  return hi / v1;
}

Power ClockGovernor::power(const KernelDemand& d, double clock_ratio) const {
  const double t = d.duration(clock_ratio).seconds();
  if (t <= 0) return p_.active_idle;
  const double v = voltage_ratio(clock_ratio);
  return p_.active_idle + Power((d.on_die_energy.joules() * v * v + d.off_die_energy.joules()) / t);
}

double ClockGovernor::clock_ratio(const KernelDemand& d) const {
  if (p_.tdp.watts() <= 0 || power(d, p_.max_clock) <= p_.tdp) return p_.max_clock;
  if (power(d, p_.min_clock) >= p_.tdp) return p_.min_clock;
  // Power rises with the clock (shorter time, higher voltage): keep the fastest clock that fits.
  double lo = p_.min_clock, hi = p_.max_clock;
  for (int i = 0; i < kSteps; ++i) {
    const double mid = 0.5 * (lo + hi);
    (power(d, mid) <= p_.tdp ? lo : hi) = mid;
  }
  return lo;
}

}  // namespace xpusim::arch
