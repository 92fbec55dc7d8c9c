// SPDX-License-Identifier: MIT
// A summary of an op graph before it is simulated: weights read, total work, compulsory traffic and a
// per-op table. The data behind `xpusim describe`.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "workloads/op_graph.h"

namespace xpusim::wl {

struct OpRow {
  std::string name;
  std::string kind;   // to_string(OpKind)
  std::string shape;  // shape_string()
  Flops flops;
  Bytes bytes;  // compulsory bytes: inputs, weights and outputs, each once
};

struct GraphSummary {
  std::string name;
  double items = 0;
  std::string item_unit;
  std::size_t ops = 0, tensors = 0;
  /// Sum of the ops' weight bytes: the parameters one run reads (MoE: only the experts that received
  /// tokens; a transformer's embedding table is gathered row by row, so it is not in here).
  Bytes weight_bytes;
  Flops flops;
  Bytes compulsory_bytes;
  std::vector<OpRow> rows;  // in topological order
};

/// "gemm 4x[1x128]x[128x1024] (B act)", "conv 1x224x224x3 k7x7/2 p3 -> 64", "vec 4096 x2", ...
std::string shape_string(const OpNode& op);
/// Summarises `g`; the rows follow g.topo_order().
GraphSummary describe(const OpGraph& g);
/// A plain-text report: totals, per-item figures, and the first `max_rows` rows (all when 0).
std::string format_summary(const GraphSummary& s, std::size_t max_rows = 0);

}  // namespace xpusim::wl
