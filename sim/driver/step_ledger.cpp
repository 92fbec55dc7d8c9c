// SPDX-License-Identifier: MIT
#include "sim/driver/step_ledger.h"

namespace xpusim {

void StepLedger::add(const Result& step, double count) {
  energy_j_ += step.energy_j * count;
  if (breakdown_.empty()) {
    for (const auto& [component, joules] : step.energy_breakdown_j) breakdown_.emplace_back(component, joules * count);
  } else {
    for (std::size_t k = 0; k < breakdown_.size() && k < step.energy_breakdown_j.size(); ++k) {
      breakdown_[k].second += step.energy_breakdown_j[k].second * count;
    }
  }
  busy_[0] += step.bound_compute * step.latency_s * count;
  busy_[1] += step.bound_memory * step.latency_s * count;
  busy_[2] += step.bound_interconnect * step.latency_s * count;
  busy_s_ += step.latency_s * count;
  if (step.avg_clock_ratio) {
    power_cap_w_ = step.power_cap_w;
    governed_ = true;
    clocked_s_ += *step.avg_clock_ratio * step.latency_s * count;
  }
}

void StepLedger::apply(Result& r, double duration_s, Power idle_power) const {
  r.energy_j = energy_j_;
  r.energy_breakdown_j = breakdown_;
  // Between steps the hardware waits for work, drawing its static power (a server at low load).
  const double idle_s = duration_s - busy_s_;
  if (idle_power.watts() > 0 && idle_s > 0) {
    const double idle_j = idle_power.watts() * idle_s;
    r.energy_breakdown_j.emplace_back("idle", idle_j);
    r.energy_j += idle_j;
  }
  const double total = busy_[0] + busy_[1] + busy_[2];
  if (total > 0) {
    r.bound_compute = busy_[0] / total;
    r.bound_memory = busy_[1] / total;
    r.bound_interconnect = busy_[2] / total;
  }
  r.avg_power_w = duration_s > 0 ? r.energy_j / duration_s : 0;
  if (governed_) {
    r.power_cap_w = power_cap_w_;
    r.avg_clock_ratio = busy_s_ > 0 ? clocked_s_ / busy_s_ : 1.0;
  }
}

}  // namespace xpusim
