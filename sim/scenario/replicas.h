// SPDX-License-Identifier: MIT
// Data-parallel replicas of a model serving one request stream.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/scenario/llm_scheduler.h"

namespace xpusim {

/// Deals the queries of `requests` (`requests_per_query` consecutive requests each) to `replicas`
/// replicas in turn -- round robin, as a load balancer without feedback from the replicas deals them
/// -- and schedules each replica's share on its own KV cache under `config`. The outcome is all
/// replicas' together: request times in request order; iterations, preemptions, busy time and
/// block-seconds summed over replicas; max_running and peak_blocks the largest of one replica.
/// One replica is run_llm_scheduler itself. Open loop only (closed_loop_group 0) when replicas > 1.
LlmOutcome run_llm_replicas(const std::vector<LlmRequest>& requests, std::int64_t requests_per_query, std::int64_t replicas,
                            const LlmSchedulerConfig& config, const LlmStepCost& cost);

}  // namespace xpusim
