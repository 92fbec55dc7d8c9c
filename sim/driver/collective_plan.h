// SPDX-License-Identifier: MIT
// The link-transfer plan of a collective op of a (sharded) graph on a system.
#pragma once

#include "arch/system.h"
#include "workloads/op_graph.h"

namespace xpusim::driver {

/// The plan of collective op `op` over its stage's chips: send/recv to the peer stage's chips, or the
/// collective under the system's algorithm (`auto`: chosen by size). A configured algorithm the
/// collective cannot use (nvls for an all-gather, tree for an all-to-all) falls back to the ring, as
/// NCCL does. Empty for a system without links.
arch::CollectivePlan plan_op_collective(const arch::System& system, const wl::OpNode& op);

}  // namespace xpusim::driver
