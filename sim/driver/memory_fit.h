// SPDX-License-Identifier: MIT
// Does a graph's data fit the main memory of the chips it runs on? Weights, KV cache and activations
// per pipeline stage, and the checks that refuse a run that does not fit, saying by how much.
#pragma once

#include <vector>

#include "arch/chip.h"
#include "arch/system.h"
#include "workloads/op_graph.h"

namespace xpusim {

/// Memory one pipeline stage's chip needs for a sharded graph, by kind.
struct MemoryNeed {
  Bytes weights{0}, kv_cache{0}, activations{0};
  Bytes total() const { return weights + kv_cache + activations; }
};

/// Per stage: weights (each weight once, not per micro-batch), the KV cache the attention reads (the
/// B operands of scores and pv), and the largest op's activations in and out (the cache it reads
/// counted as cache only).
std::vector<MemoryNeed> memory_needs(const wl::OpGraph& sharded, int stages);

/// Throws ConfigError (naming the stage, each part and the shortfall) when a stage does not fit its
/// chip's main memory.
void check_memory_fit(const arch::System& system, const wl::OpGraph& sharded);

/// For a chip whose main memory has a hard capacity (MemoryModel::hard_capacity: on-chip SRAM with
/// nothing behind it), throws ConfigError when `graph` (all on one chip) does not fit it; other chips
/// accept any graph, as single-chip what-if runs always have.
void check_resident_fit(const arch::Chip& chip, const wl::OpGraph& graph);

}  // namespace xpusim
