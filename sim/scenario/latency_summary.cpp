// SPDX-License-Identifier: MIT
#include "sim/scenario/latency_summary.h"

#include <algorithm>
#include <cmath>

namespace xpusim {

LatencyDistribution summarize_latencies(std::string name, std::vector<Time> values) {
  LatencyDistribution d;
  d.name = std::move(name);
  d.count = static_cast<std::int64_t>(values.size());
  if (values.empty()) return d;
  std::sort(values.begin(), values.end());
  long double sum = 0;
  for (Time t : values) sum += static_cast<long double>(t.ps());
  d.mean_s = static_cast<double>(sum / static_cast<long double>(values.size()) * 1e-12L);
  d.p50_s = percentile(values, 50).seconds();
  d.p90_s = percentile(values, 90).seconds();
  d.p99_s = percentile(values, 99).seconds();
  d.max_s = values.back().seconds();
  return d;
}

LatencyConstraint judge(const std::string& metric, std::vector<Time> values, double p, Time bound, std::string source) {
  LatencyConstraint c;
  c.metric = metric;
  c.percentile = p;
  c.bound_s = bound.seconds();
  c.source = std::move(source);
  if (values.empty()) {
    c.met = true;  // nothing was measured, so nothing exceeded the bound (e.g. TPOT of 1-token outputs)
    return c;
  }
  std::sort(values.begin(), values.end());
  const Time v = percentile(values, p);
  c.value_s = v.seconds();
  c.met = v <= bound;
  return c;
}

}  // namespace xpusim
