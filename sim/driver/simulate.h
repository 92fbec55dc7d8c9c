// SPDX-License-Identifier: MIT
// Entry point of a simulation: run an op graph on a chip and collect a Result.
#pragma once

#include <cstdint>

#include "arch/chip.h"
#include "arch/system.h"
#include "sim/result.h"
#include "workloads/op_graph.h"

namespace xpusim {

struct SimOptions {
  bool trace = false;       // fill Result::timeline
  std::uint64_t seed = 1;   // for any randomness in mapping (none yet)
};

/// Resets the chip, runs `graph` on it in a fresh SystemC context and returns the result. Many
/// simulations may run one after another in one process. Throws ConfigError when the graph cannot be
/// mapped onto the chip (an op kind no unit supports, a tile that fits no buffer), or does not fit a
/// main memory with a hard capacity (an SRAM-only chip; see check_resident_fit).
Result simulate(arch::Chip& chip, const wl::OpGraph& graph, const SimOptions& options = {});

/// Runs a (sharded) graph on a system: each op on the representative chip of its pipeline stage
/// (OpNode::stage), each collective as link transfers over the stage's chips. Throughput counts the
/// system's data-parallel replicas. Throws ConfigError for ops on stages the system lacks, collectives
/// without links, or stages that overflow a main memory with a hard capacity.
Result simulate_system(arch::System& system, const wl::OpGraph& graph, const SimOptions& options = {});

}  // namespace xpusim
