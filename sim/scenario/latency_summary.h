// SPDX-License-Identifier: MIT
// Latency percentiles of a scenario run and the verdict against a bound.
#pragma once

#include <string>
#include <vector>

#include "sim/scenario_report.h"
#include "sim/units.h"

namespace xpusim {

/// Nearest-rank percentile of `sorted` (ascending, non-empty): the smallest value that at least p % of
/// the values do not exceed. p in (0, 100].
Time percentile(const std::vector<Time>& sorted, double p);

/// Count, mean, p50, p90, p99 and max of `values` (any order; may be empty).
LatencyDistribution summarize_latencies(std::string name, std::vector<Time> values);

/// `metric`'s p-th percentile of `values` against `bound`.
LatencyConstraint judge(const std::string& metric, std::vector<Time> values, double p, Time bound, std::string source);

}  // namespace xpusim
