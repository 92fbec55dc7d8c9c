// SPDX-License-Identifier: MIT
// Collective ops of a sharded graph on a system: whether they can run, the link-transfer steps they
// become, and the floor no collective can beat.
#pragma once

#include <string>
#include <vector>

#include "arch/interconnect/collective.h"
#include "arch/system.h"
#include "workloads/op.h"

namespace xpusim::driver {

/// Throws ConfigError when collective `op` of graph `graph_name` cannot run: it needs links and
/// `system` (nullptr for a lone chip) has none, or it spans more chips than the stage's tp.
void check_collective(const arch::System* system, const wl::OpNode& op, const std::string& graph_name);

/// The point-to-point steps of collective `op` over its stage's chips; empty without a topology.
std::vector<arch::CollectiveStep> collective_steps(const arch::System* system, const wl::OpNode& op);

/// The busiest chip's bytes on the wire over its injection bandwidth: no collective can beat it.
Time collective_floor(const arch::System& system, const wl::OpNode& op);

}  // namespace xpusim::driver
