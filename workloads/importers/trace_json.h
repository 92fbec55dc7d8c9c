// SPDX-License-Identifier: MIT
// The xpusim JSON op-graph trace (traces/FORMAT.md): read into an OpGraph and written from one. Lets
// other tools (the PyTorch and ONNX exporters in python/xpusim) hand graphs to the simulator.
#pragma once

#include <string>

#include "sim/config/config_node.h"
#include "workloads/op_graph.h"

namespace xpusim::wl {

/// The trace format version this build reads and writes.
constexpr int kTraceVersion = 1;

/// True when `root` (a parsed .json file) is a trace: a map with the key "xpusim_trace".
bool is_trace(const ConfigNode& root);

/// Builds the graph a parsed trace describes. Collects every problem (missing or unknown fields with
/// a did-you-mean, unknown op kind or dtype, shape keys of another kind, tensors naming unknown ops or
/// larger than their producer's output) and throws one ConfigError whose lines name file:line and op.
/// The returned graph passed validate().
OpGraph import_trace(const ConfigNode& root);
/// Reads and imports the trace file at `path`.
OpGraph import_trace_file(const std::string& path);

/// The graph as a version-1 trace: ops in id order, tensors in OpGraph::tensors() order, every field
/// written exactly (integers as integers, reals with 17 significant digits), so import_trace of the
/// result rebuilds an identical graph.
std::string export_trace(const OpGraph& g);

}  // namespace xpusim::wl
