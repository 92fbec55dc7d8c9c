// SPDX-License-Identifier: MIT
#include "sim/driver/serving.h"

#include <algorithm>
#include <cstdio>

#include "sim/config/config_error.h"
#include "sim/driver/step_ledger.h"

namespace xpusim {

wl::ShardPlan shard_plan(const arch::System& system) {
  const auto& p = system.parallelism();
  return wl::ShardPlan{p.tp, p.pp, p.ep, p.microbatches};
}

wl::OpGraph build_step(const arch::System& system, const wl::GenerationSpec& spec, wl::Phase phase, std::int64_t kv_len) {
  const wl::ShardPlan plan = shard_plan(system);
  wl::check_shard(spec.model, plan, spec.batch);
  wl::TransformerOptions o = spec.options;
  o.phase = phase;
  o.batch = spec.batch / plan.microbatches;
  o.decode_batch = spec.options.decode_batch / plan.microbatches;
  o.prompt_len = spec.prompt_len;
  o.kv_len = kv_len;
  wl::OpGraph sharded = wl::shard_transformer(wl::build_transformer(spec.model, o), spec.model, plan);
  if (spec.compression) sharded = wl::apply_compression(sharded, *spec.compression);
  sharded.set_fusion(spec.fusion);
  return sharded;
}

Result simulate_step(arch::System& system, const wl::GenerationSpec& spec, wl::Phase phase, std::int64_t kv_len,
                     const SimOptions& options) {
  const wl::OpGraph sharded = build_step(system, spec, phase, kv_len);
  check_memory_fit(system, sharded);
  return simulate_system(system, sharded, options);
}

GenerationResult simulate_generation(arch::System& system, const wl::GenerationSpec& spec, const GenerationOptions& options) {
  GenerationResult g;
  g.prefill = simulate_step(system, spec, wl::Phase::kPrefill, spec.prompt_len, options.sim);
  g.simulations = 1;
  g.ttft_s = g.prefill.latency_s;
  g.buckets = wl::decode_buckets(spec);
  double decode_s = 0;
  std::int64_t steps = 0;
  for (const wl::DecodeBucket& b : g.buckets) {
    if (options.cache_buckets) {
      // Every step of a bucket has the same graph on a freshly reset system, so one run stands for all.
      g.decode.push_back(simulate_step(system, spec, wl::Phase::kDecode, b.kv_len, options.sim));
      ++g.simulations;
      // Summed step by step, in the same order as the uncached run, so both give the same bits.
      for (std::int64_t i = 0; i < b.steps; ++i) decode_s += g.decode.back().latency_s;
    } else {
      for (std::int64_t i = 0; i < b.steps; ++i) {
        Result r = simulate_step(system, spec, wl::Phase::kDecode, b.kv_len, options.sim);
        ++g.simulations;
        decode_s += r.latency_s;
        if (i == 0) g.decode.push_back(std::move(r));
      }
    }
    steps += b.steps;
  }
  g.tpot_s = steps > 0 ? decode_s / static_cast<double>(steps) : 0;
  g.total_s = g.ttft_s + decode_s;
  const double tokens = static_cast<double>(spec.batch * spec.output_len * system.parallelism().dp);
  g.tokens_per_s = g.total_s > 0 ? tokens / g.total_s : 0;
  return g;
}

Result simulate_spec(arch::System& system, const wl::GenerationSpec& spec, const SimOptions& options,
                     std::optional<GenerationResult>* generation) {
  if (spec.single_step) return simulate_step(system, spec, spec.options.phase, spec.options.kv_len, options);
  GenerationOptions g;
  g.sim = options;
  GenerationResult run = simulate_generation(system, spec, g);
  Result r = summarize(run);
  if (generation) *generation = std::move(run);
  return r;
}

Result summarize(const GenerationResult& g) {
  Result r = g.prefill;
  r.workload = g.prefill.workload.substr(0, g.prefill.workload.rfind('-')) + "-generation";
  r.latency_s = g.total_s;
  r.throughput_value = g.tokens_per_s;
  r.throughput_unit = "tokens/s";
  StepLedger ledger;
  ledger.add(g.prefill, 1);
  for (std::size_t i = 0; i < g.decode.size(); ++i) ledger.add(g.decode[i], static_cast<double>(g.buckets[i].steps));
  ledger.apply(r, g.total_s);
  r.timeline.clear();
  return r;
}

}  // namespace xpusim
