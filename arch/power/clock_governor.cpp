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
  if (!p_.governed() || p_.threshold_voltage.volts() >= p_.nominal_voltage().volts() || !boost_reachable(p_)) {
    throw std::logic_error("ClockGovernor needs a cap or a boost, V_t below the core voltage and a reachable boost (Chip::build checks)");
  }
  v_min_ = voltage_ratio(p_.min_clock);
  v_max_ = voltage_ratio(p_.max_clock);
}

Time KernelDemand::duration(double clock_ratio) const {
  return std::max(Time::from_seconds_ceil(on_die.seconds() / clock_ratio), off_die_floor);
}

bool ClockGovernor::boost_reachable(const ChipPowerParams& power) {
  if (power.threshold_voltage.volts() >= power.nominal_voltage().volts()) return false;
  return clock_at(power, kMaxVoltageRatio) >= power.max_clock;
}

double ClockGovernor::clock_at(const ChipPowerParams& power, double voltage_ratio) {
  // (V - V_t)^alpha / V, the clock a voltage allows up to a constant; it rises with V above V_t.
  auto speed = [&](double volts) { return std::pow(volts - power.threshold_voltage.volts(), power.alpha) / volts; };
  const double v1 = power.nominal_voltage().volts();
  return speed(voltage_ratio * v1) / speed(v1);
}

double ClockGovernor::voltage_ratio(double clock_ratio) const {
  if (clock_ratio == 1.0) return 1.0;
  double lo = p_.threshold_voltage.volts() / p_.nominal_voltage().volts();
  double hi = clock_ratio > 1.0 ? kMaxVoltageRatio : 1.0;  // a boost needs more than the nominal voltage
  for (int i = 0; i < kSteps; ++i) {
    const double mid = 0.5 * (lo + hi);
    (clock_at(p_, mid) < clock_ratio ? lo : hi) = mid;
  }
  return hi;
}

Power ClockGovernor::power_at(const KernelDemand& d, double clock_ratio, double voltage_ratio) const {
  const double t = d.duration(clock_ratio).seconds();
  if (t <= 0) return p_.active_idle;
  const double v2 = voltage_ratio * voltage_ratio;
  return p_.active_idle + Power((d.on_die_energy.joules() * v2 + d.off_die_energy.joules()) / t);
}

Power ClockGovernor::power(const KernelDemand& d, double clock_ratio) const {
  return power_at(d, clock_ratio, voltage_ratio(clock_ratio));
}

ClockSetting ClockGovernor::setting(const KernelDemand& d) const {
  if (p_.tdp.watts() <= 0 || power_at(d, p_.max_clock, v_max_) <= p_.tdp) return {p_.max_clock, v_max_};
  if (power_at(d, p_.min_clock, v_min_) >= p_.tdp) return {p_.min_clock, v_min_};
  // Power rises with the clock (shorter time, higher voltage): keep the fastest clock that fits. The
  // search runs over the voltage, whose clock is closed-form.
  double lo = v_min_, hi = v_max_;
  for (int i = 0; i < kSteps; ++i) {
    const double mid = 0.5 * (lo + hi);
    (power_at(d, clock_at(p_, mid), mid) <= p_.tdp ? lo : hi) = mid;
  }
  return {std::clamp(clock_at(p_, lo), p_.min_clock, p_.max_clock), lo};
}

}  // namespace xpusim::arch
