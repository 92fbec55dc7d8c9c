// SPDX-License-Identifier: MIT
#include "sim/driver/serving.h"

#include <algorithm>
#include <cstdio>

#include "sim/config/config_error.h"
#include "sim/driver/step_ledger.h"

namespace xpusim {
namespace {

std::string gb(Bytes b) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f GB", static_cast<double>(b.count()) / 1e9);
  return buf;
}

/// Micro-batch copies after the first are named "mb<i>/..." with i > 0: they reuse the same weights.
bool first_copy(const std::string& name) { return name.rfind("mb", 0) != 0 || name.rfind("mb0/", 0) == 0; }

}  // namespace

std::vector<MemoryNeed> memory_needs(const wl::OpGraph& g, int stages) {
  std::vector<MemoryNeed> need(static_cast<std::size_t>(stages));
  for (wl::OpId id = 0; id < g.size(); ++id) {
    const wl::OpNode& op = g.op(id);
    if (wl::is_collective(op)) continue;
    MemoryNeed& n = need.at(static_cast<std::size_t>(op.stage));
    if (first_copy(op.name)) n.weights += wl::weight_bytes(op);
    if (const auto* gs = std::get_if<wl::GemmShape>(&op.shape); gs && gs->b_is_activation) {
      n.kv_cache += storage(op.dtype, gs->batch * gs->k * gs->n);
    }
    const Bytes act = wl::input_bytes(op) + wl::output_bytes(op);
    n.activations = std::max(n.activations, act);
  }
  return need;
}

void check_memory_fit(const arch::System& system, const wl::OpGraph& g) {
  const auto needs = memory_needs(g, system.stages());
  Diagnostics diag;
  for (int s = 0; s < system.stages(); ++s) {
    const MemoryNeed& n = needs[static_cast<std::size_t>(s)];
    const arch::Chip& chip = system.stage_chip(s);
    const Bytes have = chip.main_memory().capacity();
    if (n.total() <= have) continue;
    const auto& p = system.parallelism();
    diag.error(SourceMark{g.name(), 0, 0},
               "does not fit: stage " + std::to_string(s) + " needs " + gb(n.total()) + " per chip (weights " + gb(n.weights) +
                   " + KV cache " + gb(n.kv_cache) + " + activations " + gb(n.activations) + ") but " + chip.name() + " has " +
                   gb(have) + " of " + chip.main_memory().name() + ": short by " + gb(n.total() - have) + " (tp=" +
                   std::to_string(p.tp) + ", pp=" + std::to_string(p.pp) +
                   "; raise tp or pp, lower the batch or the context, or store weights in a narrower weight_dtype)");
  }
  diag.throw_if_any();
}

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
  o.prompt_len = spec.prompt_len;
  o.kv_len = kv_len;
  return wl::shard_transformer(wl::build_transformer(spec.model, o), spec.model, plan);
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
