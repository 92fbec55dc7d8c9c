// SPDX-License-Identifier: MIT
// Runs LLM generation on a system: builds each step's graph, shards it for the system's parallelism,
// checks that it fits in memory, simulates it, and reports TTFT, TPOT and tokens/s.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "arch/system.h"
#include "sim/driver/memory_fit.h"
#include "sim/driver/simulate.h"
#include "workloads/serving.h"
#include "workloads/transforms/shard.h"

namespace xpusim {

struct GenerationOptions {
  /// Simulate each KV-length bucket once and reuse its result for every step in it. Off: every decode
  /// step is simulated on its own (with its bucketed context), giving identical figures, slowly.
  bool cache_buckets = true;
  SimOptions sim;
};

struct GenerationResult {
  double ttft_s = 0;        // the prefill: prompt in, first token out
  double tpot_s = 0;        // mean time per output token over the decode steps
  double total_s = 0;       // prefill + every decode step
  double tokens_per_s = 0;  // output tokens of every data-parallel replica per second
  Result prefill;
  std::vector<wl::DecodeBucket> buckets;
  std::vector<Result> decode;  // one per bucket
  std::size_t simulations = 0;
};

/// The sharding plan the system's parallelism asks for.
wl::ShardPlan shard_plan(const arch::System& system);

/// The graph of one step (prefill of spec.prompt_len tokens, or a decode step with context kv_len) of
/// `spec`, built per micro-batch and sharded for the system's parallelism; not yet checked against memory.
wl::OpGraph build_step(const arch::System& system, const wl::GenerationSpec& spec, wl::Phase phase, std::int64_t kv_len);

/// One step (prefill, or a decode step with context kv_len) of `spec` on `system`: built per
/// micro-batch, sharded, checked against memory and simulated.
Result simulate_step(arch::System& system, const wl::GenerationSpec& spec, wl::Phase phase, std::int64_t kv_len,
                     const SimOptions& options = {});

/// The whole generation: prefill, then the decode buckets.
GenerationResult simulate_generation(arch::System& system, const wl::GenerationSpec& spec, const GenerationOptions& options = {});

/// What a generation or transformer spec asks for: a `type: transformer` spec's one step, or the whole
/// generation summarised (its figures also in `*generation` when given).
Result simulate_spec(arch::System& system, const wl::GenerationSpec& spec, const SimOptions& options,
                     std::optional<GenerationResult>* generation = nullptr);

/// The generation as one Result: latency = total time, throughput = output tokens/s, energy and its
/// breakdown summed over the prefill and every decode step, ops and bounds of the prefill and the
/// buckets weighted by the steps they stand for.
Result summarize(const GenerationResult& g);

}  // namespace xpusim
