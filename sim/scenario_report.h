// SPDX-License-Identifier: MIT
// The scenario section of a Result (MLPerf Inference vocabulary): how queries arrived and were batched,
// their latency distributions against the constraints, and scheduler figures. Plain data in SI units.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace xpusim {

/// Nearest-rank percentiles of one latency over every query (or request) of a run.
struct LatencyDistribution {
  std::string name;  // "query" (non-LLM), "ttft", "tpot", "request" (LLM)
  std::int64_t count = 0;
  double mean_s = 0, p50_s = 0, p90_s = 0, p99_s = 0, max_s = 0;
};

/// One latency bound: `metric` at `percentile` must not exceed `bound_s`.
struct LatencyConstraint {
  std::string metric;  // a LatencyDistribution name
  double percentile = 99;
  double bound_s = 0;
  double value_s = 0;  // the run's value of that percentile
  bool met = false;
  std::string source;  // where the bound comes from: the scenario spec or the MLPerf rule it defaults to
};

/// A step shape the run executed (each simulated once), and how often.
struct ScenarioStep {
  std::string phase;        // "batch" (non-LLM), "prefill", "decode", "mixed" (prefill chunks with decodes)
  std::int64_t batch = 0;   // samples or sequences, after padding to the simulated size
  std::int64_t tokens = 0;  // LLM: tokens per sequence simulated (prompt, or context attended); 0 otherwise
  std::int64_t past_tokens = 0;    // chunked prefill: tokens per sequence cached before its chunk
  std::int64_t decode_batch = 0;   // mixed: sequences decoding in the same step
  std::int64_t decode_tokens = 0;  // mixed: context attended per decoding sequence
  std::int64_t count = 0;
  double latency_s = 0;
};

struct ScenarioReport {
  std::string kind;      // "offline", "server", "single_stream", "multi_stream"
  std::string batching;  // "dynamic" (non-LLM), "continuous" or "static" (LLM)
  std::uint64_t seed = 1;
  std::int64_t queries = 0;
  std::int64_t samples_per_query = 1;
  double target_qps = 0;  // server: the Poisson rate asked for; 0 otherwise
  double duration_s = 0;  // first arrival to last completion
  double throughput_value = 0;
  std::string throughput_unit;
  std::vector<LatencyDistribution> latencies;
  std::vector<LatencyConstraint> constraints;
  /// Named scalars of the scheduler (queue depth, KV blocks, preemptions, ...), in a fixed order.
  std::vector<std::pair<std::string, double>> figures;
  std::vector<ScenarioStep> steps;
  std::int64_t simulations = 0;  // distinct step shapes simulated

  /// 1 when every constraint is met, 0 when one is not, -1 when there is none.
  int met() const {
    if (constraints.empty()) return -1;
    for (const auto& c : constraints) {
      if (!c.met) return 0;
    }
    return 1;
  }
};

}  // namespace xpusim
