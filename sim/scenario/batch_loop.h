// SPDX-License-Identifier: MIT
// The query-level event loop of a batched (non-LLM) system: queries arrive (all at once, Poisson, or one
// after the other), a dynamic batcher groups their samples, and one device runs batch after batch. Batch
// costs come from a callback (cached simulations), so 10,000 queries take milliseconds.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "sim/scenario/scenario_spec.h"
#include "sim/units.h"

namespace xpusim {

struct BatchLoopConfig {
  ScenarioKind kind = ScenarioKind::kServer;
  std::int64_t queries = 1, samples_per_query = 1, max_batch = 1;
  double qps = 0;  // server only
  std::uint64_t seed = 1;
  Time max_wait{0};
  std::vector<Time> logged_arrivals;  // server: a request log's arrivals, replayed instead of Poisson ones
};

struct BatchLoopOutcome {
  std::vector<Time> query_latency;  // arrival to completion of its last sample, in issue order
  Time first_arrival{0}, last_completion{0};
  Time busy{0};          // device time spent on batches
  Time total_wait{0};    // summed over samples: batch start minus arrival
  std::int64_t samples = 0, batches = 0;
  std::int64_t max_queue = 0;  // most samples waiting when a batch was formed
};

/// Time to run `n` samples (1 <= n <= max_batch) as one batch.
using BatchCost = std::function<Time(std::int64_t n)>;

/// Runs the loop. Batching rule (a Triton-style dynamic batcher): when the device is free it takes up
/// to max_batch waiting samples in arrival order; with max_wait > 0 it first waits until the batch is
/// full, the oldest sample has waited max_wait, or no more queries will come. Single- and multi-stream
/// issue the next query when the previous one has completed (MLPerf LoadGen).
BatchLoopOutcome run_batch_loop(const BatchLoopConfig& config, const BatchCost& cost);

}  // namespace xpusim
