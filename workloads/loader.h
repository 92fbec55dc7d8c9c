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

/// What a workload file holds: the `type:` of a spec (.yaml: transformer, resnet50, sdxl, gemm,
/// generation), "transformer" for a Hugging Face config.json, "trace" for an xpusim trace, "topology" for
/// a SCALE-Sim CSV, "" for a spec without a type or a file of another kind. Throws ConfigError for
/// malformed files; the type itself is checked on loading.
std::string workload_type(const std::string& path);

/// The spec key that sets how many samples one run of a workload of `type` processes ("batch";
/// "images" for sdxl), or "" when its graph is fixed (a SCALE-Sim topology or a trace).
std::string batch_key(const std::string& type);

}  // namespace xpusim::wl
