// SPDX-License-Identifier: MIT
// Reads SCALE-Sim topology CSVs, conv form (name, IFMAP H, IFMAP W, Filter H, Filter W, Channels,
// Num Filter, Stride,) and GEMM form (name, M, N, K,), so SCALE-Sim users bring their inputs unchanged.
#pragma once

#include <string>

#include "workloads/op_graph.h"

namespace xpusim::wl {

/// Layers run in file order (each depends on the previous one), 1-byte words as in SCALE-Sim, and
/// SCALE-Sim's output-size arithmetic (no padding, ceil). Throws ConfigError naming file and line.
OpGraph import_scalesim_topology(const std::string& path);

}  // namespace xpusim::wl
