// SPDX-License-Identifier: MIT
// MLPerf Inference datacenter server latency constraints for the workloads xpusim bundles, and the tail
// percentiles each scenario is judged at. Used when a scenario gives no bound of its own.
#pragma once

#include <string>

#include "sim/scenario/scenario_spec.h"
#include "sim/units.h"

namespace xpusim {

/// A server-scenario constraint; zero times mean "not constrained".
struct LatencyTargets {
  Time latency{0}, ttft{0}, tpot{0};
  std::string source;  // the rule cited, for the report
};

/// The MLPerf server targets of a workload, by its identity: "resnet50", "sdxl", or an LLM's model name
/// (the config.json stem, e.g. "llama-2-70b"). Empty targets for anything MLPerf does not benchmark.
LatencyTargets mlperf_server_targets(const std::string& workload_id);

/// The tail percentile MLPerf reports for a scenario: 90 for single-stream, 99 for server and
/// multi-stream (the offline scenario has none; 99 is returned for its latency summary).
double mlperf_percentile(ScenarioKind kind);

}  // namespace xpusim
