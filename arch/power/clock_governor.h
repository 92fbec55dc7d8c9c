// SPDX-License-Identifier: MIT
// The power cap of a chip (`chip: power: tdp:`) and the clock it leaves a kernel. Like a GPU's power
// controller, the governor runs the core clock -- and with it the voltage -- as high as the boost clock
// allows and the kernel's board power fits the cap. On-die work stretches as the clock drops while
// off-chip traffic does not, so a compute-bound kernel slows and a memory-bound one barely changes. The
// voltage at another clock comes from the alpha-power law (Sakurai & Newton, IEEE JSSC 25(2):584-594, 1990).
#pragma once

#include "arch/power/chip_power.h"

namespace xpusim::arch {

/// What one kernel asks of a chip at its configured clocks, predicted before it runs.
struct KernelDemand {
  Time on_die{0};          // busy time of its busiest on-die component: it stretches as 1 / clock
  Time off_die_floor{0};   // its off-chip bytes at the off-chip memory's peak bandwidth: it does not
  Energy on_die_energy{0};  // dynamic energy of the on-die components: it scales with voltage^2
  Energy off_die_energy{0}; // dynamic energy of off-chip memory: it does not

  /// max(on_die / clock_ratio, off_die_floor).
  Time duration(double clock_ratio) const;
};

/// A clock and the core voltage it runs at, both relative to the configured clocks' (1, 1).
struct ClockSetting {
  double clock = 1.0;
  double voltage = 1.0;
};

class ClockGovernor {
 public:
  /// Highest core voltage a boost may need, relative to the nominal: beyond it a chip would not run.
  static constexpr double kMaxVoltageRatio = 4.0;
  /// `power` must be governed(), with a threshold voltage below its nominal voltage and a max_clock
  /// reachable within kMaxVoltageRatio (boost_reachable).
  explicit ClockGovernor(const ChipPowerParams& power);
  /// True when `power`'s max_clock needs at most kMaxVoltageRatio x its nominal voltage.
  static bool boost_reachable(const ChipPowerParams& power);

  /// Core voltage at `clock_ratio` x the configured clocks, relative to the voltage at the configured
  /// clocks: solves f ~ (V - V_t)^alpha / V for V (above 1 when boosting).
  double voltage_ratio(double clock_ratio) const;
  /// Board power while the kernel runs at `clock_ratio`: the active-idle floor plus its dynamic energy
  /// over its duration max(on_die / ratio, off_die_floor).
  Power power(const KernelDemand& d, double clock_ratio) const;
  /// The highest clock ratio in [min_clock, max_clock] at which the kernel fits the cap: exactly
  /// max_clock when it fits there (always, without a cap), min_clock when even that draws more.
  double clock_ratio(const KernelDemand& d) const { return setting(d).clock; }
  /// clock_ratio with the voltage it runs at.
  ClockSetting setting(const KernelDemand& d) const;
  /// The cap; 0 W when the chip only boosts.
  Power tdp() const { return p_.tdp; }

 private:
  /// The clock ratio a voltage ratio allows under `power`'s alpha-power law.
  static double clock_at(const ChipPowerParams& power, double voltage_ratio);
  Power power_at(const KernelDemand& d, double clock_ratio, double voltage_ratio) const;

  ChipPowerParams p_;
  double v_min_ = 1, v_max_ = 1;  // voltage ratios at min_clock and max_clock
};

}  // namespace xpusim::arch
