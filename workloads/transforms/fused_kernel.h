// SPDX-License-Identifier: MIT
// One kernel of a fused graph from the ops the fusion pass grouped (fuse.cpp): its shape (merged
// projections side by side, an attention kernel, a grouped MoE GEMM), its name, and the FusedWork
// that says what enters and leaves it. Internal to workloads/transforms.
#pragma once

#include <string>
#include <vector>

#include "workloads/op_graph.h"

namespace xpusim::wl {

/// Ops the fusion pass runs as one kernel.
struct KernelGroup {
  std::vector<OpId> members;  // in topological order; members[0] is the anchor
  bool attention = false;     // scores, softmax, P x V
  bool experts = false;       // a grouped GEMM over the experts (modules) of an MoE layer
};

/// A graph's producers, consumers and tensors per op, looked up once.
struct GraphIndex {
  explicit GraphIndex(const OpGraph& graph);
  const OpGraph& g;
  std::vector<std::vector<OpId>> preds, succs;           // distinct, ascending
  std::vector<TensorEdge> edges;
  std::vector<std::vector<TensorEdge>> in_edges, out_edges;  // by consumer, by producer
};

/// The module an op belongs to: its name up to the last '.' or '/' ("L0.expert3" of
/// "L0.expert3.gate_proj"); "" for a top-level name.
std::string module_of(const std::string& name);

/// The leading GEMMs of a group: the kernel's own result, before any epilogue member.
std::vector<OpId> matrix_members(const GraphIndex& ix, const KernelGroup& grp);

/// The kernel op of `grp`: the anchor itself for a lone op (a convolution marked as an implicit GEMM),
/// else an op named after its members whose FusedWork counts, per element of its own result, the
/// epilogue's element ops, the elements read from outside and those that leave for outside readers.
OpNode make_kernel(const GraphIndex& ix, const KernelGroup& grp);

}  // namespace xpusim::wl
