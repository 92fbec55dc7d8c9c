// SPDX-License-Identifier: MIT
// How dynamic energy scales between process nodes: one documented table, from the 45 nm figures most
// published per-operation energies are given at (Horowitz, ISSCC 2014) to the node a chip is built in.
#pragma once

#include <optional>

#include "sim/units.h"

namespace xpusim::arch {

/// The supply voltage the node table holds at both ends. Energies given at a reference node are read
/// as energies at this voltage; a chip's voltage in force scales them by (V / kNodeTableVoltage)^2.
inline constexpr Voltage kNodeTableVoltage{0.8};

/// Dynamic energy of the same circuit at node `to` relative to node `from` (both within the table's
/// 3-45 nm; nodes between rows interpolate log-linearly). nullopt outside the table.
std::optional<double> node_energy_ratio(Length from, Length to);

/// True when `node` lies within the table (3-45 nm).
bool in_node_table(Length node);

/// The nodes the table lists, for messages.
const char* node_table_range();

}  // namespace xpusim::arch
