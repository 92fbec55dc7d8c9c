// SPDX-License-Identifier: MIT
// Collective ops of a sharded graph on a system: whether they can run, the link-transfer plan they
// become, and the floor no collective can beat.
#pragma once

#include <string>

#include "arch/interconnect/collective.h"
#include "arch/system.h"
#include "workloads/op.h"

namespace xpusim::driver {

/// Throws ConfigError when collective `op` of graph `graph_name` cannot run: it needs links and
/// `system` (nullptr for a lone chip) has none, or it spans more chips than the stage's tp.
void check_collective(const arch::System* system, const wl::OpNode& op, const std::string& graph_name);

/// The plan of collective op `op` over its stage's chips: send/recv to the peer stage's chips, or the
/// collective under the system's algorithm (`auto`: chosen by size). A configured algorithm the
/// collective cannot use (nvls for an all-gather, tree for an all-to-all) falls back to the ring, as
/// NCCL does. Empty for a system without links.
arch::CollectivePlan plan_op_collective(const arch::System& system, const wl::OpNode& op);

/// The busiest channel's bytes over its bandwidth, step by step: no run of `plan` can beat it.
/// `system` must have a topology.
Time collective_floor(const arch::System& system, const arch::CollectivePlan& plan);

}  // namespace xpusim::driver
