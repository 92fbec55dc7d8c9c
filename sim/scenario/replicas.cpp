// SPDX-License-Identifier: MIT
#include "sim/scenario/replicas.h"

#include <algorithm>
#include <stdexcept>

namespace xpusim {

LlmOutcome run_llm_replicas(const std::vector<LlmRequest>& requests, std::int64_t requests_per_query, std::int64_t replicas,
                            const LlmSchedulerConfig& config, const LlmStepCost& cost) {
  if (replicas <= 1) return run_llm_scheduler(requests, config, cost);
  if (config.closed_loop_group > 0) throw std::logic_error("LLM replicas: a closed loop has one query in flight");
  const auto spq = static_cast<std::size_t>(std::max<std::int64_t>(1, requests_per_query));
  std::vector<std::vector<std::size_t>> members(static_cast<std::size_t>(replicas));
  for (std::size_t i = 0; i < requests.size(); ++i) members[(i / spq) % members.size()].push_back(i);

  LlmOutcome all;
  all.requests.resize(requests.size());
  bool any = false;
  for (const auto& mine : members) {
    if (mine.empty()) continue;
    std::vector<LlmRequest> share;
    share.reserve(mine.size());
    for (std::size_t i : mine) share.push_back(requests[i]);
    const LlmOutcome o = run_llm_scheduler(share, config, cost);
    for (std::size_t k = 0; k < mine.size(); ++k) all.requests[mine[k]] = o.requests[k];
    all.first_arrival = any ? std::min(all.first_arrival, o.first_arrival) : o.first_arrival;
    all.last_finish = any ? std::max(all.last_finish, o.last_finish) : o.last_finish;
    any = true;
    all.busy += o.busy;
    all.prefill_iterations += o.prefill_iterations;
    all.decode_iterations += o.decode_iterations;
    all.preemptions += o.preemptions;
    all.max_running = std::max(all.max_running, o.max_running);
    all.peak_blocks = std::max(all.peak_blocks, o.peak_blocks);
    all.block_seconds += o.block_seconds;
  }
  return all;
}

}  // namespace xpusim
