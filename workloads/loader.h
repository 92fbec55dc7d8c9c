// SPDX-License-Identifier: MIT
// Loads a workload file into an op graph, by kind of file: a SCALE-Sim topology (.csv), a workload
// spec (.yaml: builder name and parameters), an xpusim trace (.json with "xpusim_trace") or a Hugging
// Face config.json (a transformer).
#pragma once

#include <string>
#include <vector>

#include "workloads/op_graph.h"

namespace xpusim::wl {

/// `overrides` are `key=value` settings applied to a workload spec (e.g. batch=8). Entries
/// `compression.KEY=VALUE` (any file type) extend the spec's `compression:` block and the result is
/// compressed (workloads/transforms/compress.h). Throws ConfigError naming file, line and key for any
/// bad input. The returned graph passed validate().
OpGraph load_workload(const std::string& path, const std::vector<std::string>& overrides = {});

}  // namespace xpusim::wl
