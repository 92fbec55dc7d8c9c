// SPDX-License-Identifier: MIT
// What a planned kernel asks of its chip at the configured clocks, predicted from a walk of its tiles:
// the input of the power cap's clock governor (arch/power/clock_governor.h).
#pragma once

#include "arch/power/clock_governor.h"
#include "sim/driver/mapper.h"

namespace xpusim::driver {

/// The busy time of the busiest on-die component, the off-chip floor and the dynamic energies of op
/// plan `plan` on `chip`, from the units' cost estimates and the memories' streaming energies. The
/// chip must be at its configured clocks (Chip::reset).
arch::KernelDemand kernel_demand(const OpPlan& plan, const arch::Chip& chip);

}  // namespace xpusim::driver
