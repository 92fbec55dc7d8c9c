// SPDX-License-Identifier: MIT
// Sums repeated steps (the decode buckets of a generation, the batches of a scenario) into one Result:
// energy and its breakdown weighted by how often each step ran, bound fractions by the time it took.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/result.h"
#include "sim/units.h"

namespace xpusim {

class StepLedger {
 public:
  /// Records `count` runs of `step`. Steps must come from one chip (same components, same order).
  void add(const Result& step, double count);
  /// Writes the sums into `r`: energy_j, energy_breakdown_j, the time-bound fractions (left as they are
  /// when no step took time) and avg_power_w over `duration_s` seconds; on a capped chip also the cap
  /// and the clock ratio weighted by step time. The time of `duration_s` no step ran costs
  /// `idle_power` (the hardware's static power), booked as the breakdown's "idle" entry.
  void apply(Result& r, double duration_s, Power idle_power = Power(0)) const;
  double energy_j() const { return energy_j_; }

 private:
  double energy_j_ = 0;
  std::vector<std::pair<std::string, double>> breakdown_;
  double busy_[3] = {0, 0, 0};  // seconds bound by compute, memory, interconnect
  bool governed_ = false;  // the steps ran under a clock governor (a cap or a boost)
  std::optional<double> power_cap_w_;
  double busy_s_ = 0;     // step time, every step counted (steps come from one chip: all governed or none)
  double clocked_s_ = 0;  // step time weighted by its clock ratio
};

}  // namespace xpusim
