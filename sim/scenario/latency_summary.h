// SPDX-License-Identifier: MIT
// Latency percentiles of a scenario run and the verdict against a bound.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/scenario_report.h"
#include "sim/units.h"

namespace xpusim {

/// Nearest-rank percentile of `sorted` (ascending, non-empty): the smallest value that at least p % of
/// the values do not exceed. p in (0, 100].
template <class T>
T percentile(const std::vector<T>& sorted, double p) {
  const auto n = static_cast<std::int64_t>(sorted.size());
  // The tiny slack keeps 99 % of 100 values at rank 99 despite 0.99 * 100 rounding up in binary.
  auto rank = static_cast<std::int64_t>(std::ceil(p / 100.0 * static_cast<double>(n) - 1e-9));
  rank = std::clamp<std::int64_t>(rank, 1, n);
  return sorted[static_cast<std::size_t>(rank - 1)];
}

/// Count, mean, p50, p90, p99 and max of `values` (any order; may be empty).
LatencyDistribution summarize_latencies(std::string name, std::vector<Time> values);

/// `metric`'s p-th percentile of `values` against `bound`.
LatencyConstraint judge(const std::string& metric, std::vector<Time> values, double p, Time bound, std::string source);

}  // namespace xpusim
