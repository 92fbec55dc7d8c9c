// SPDX-License-Identifier: MIT
// Where an op's operands sit in its chip's main memory. Addresses matter to memories that treat them
// differently: a DRAM keeps rows open along a stream, and a tiered memory (at-memory grids, wafers)
// serves a window of addresses on chip and the rest from its backing store. A layout that never reused
// an address would push a long graph's activations out of that window although only a few are live.
#pragma once

#include <cstdint>
#include <vector>

#include "workloads/op_graph.h"

namespace xpusim::driver {

/// A tensor's address range; accesses past its end wrap to its start (a loop nest re-reads operands).
struct Region {
  std::uint64_t base = 0;
  std::uint64_t size = 1;
  std::uint64_t at(std::uint64_t offset) const { return base + offset % size; }
};

/// Operand A (activations in), B (weights, or the KV state an attention GEMM reads) and C (the output).
struct OpLayout {
  Region a, b, c;
  bool has_b = false;  // b is a tensor of the op's own (weights, KV state), not the default
};

/// Lays out the main-memory tensors of every op, in one address space per pipeline stage:
/// - activations from address 0: each op's output from a first-fit allocator, freed once its last
///   consumer (in topological order) has been placed, so the footprint is the live set, not the total;
/// - persistent tensors above the activations' high-water mark, in topological order: weights (one
///   copy per layer, shared by its micro-batch copies "mb<i>/"), and the B operand of activation GEMMs
///   (the KV cache a decode step attends over, one per micro-batch), which outlives the step.
/// A tiered memory thus keeps the activations and the first weights in its on-chip window.
/// A is the first producer's output; an op without producers reads an input buffer of its own.
/// `order` is graph.topo_order().
std::vector<OpLayout> layout_tensors(const wl::OpGraph& graph, const std::vector<wl::OpId>& order);

}  // namespace xpusim::driver
