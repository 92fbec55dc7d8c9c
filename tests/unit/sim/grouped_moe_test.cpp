// SPDX-License-Identifier: MIT
// Grouped MoE GEMMs: the experts of a layer run as one kernel per projection, with one launch, while
// the per-expert row counts (routing imbalance) still set the time.
#include <catch2/catch.hpp>

#include <string>

#include "arch/chip.h"
#include "sim/driver/simulate.h"
#include "workloads/builders/transformer.h"
#include "workloads/transforms/fuse.h"

using namespace xpusim;

namespace {

/// A Qwen3-30B-A3B-like layer stack: 128 fine-grained experts, 8 per token (shapes of its published
/// config.json: hidden 2048, moe_intermediate_size 768, 32 heads of 128 over 4 KV heads), 2 layers.
wl::TransformerConfig many_experts() {
  wl::TransformerConfig c;
  c.name = "qwen3-moe-like";
  c.model_type = "mixtral";
  c.hidden = 2048;
  c.intermediate = 768;
  c.heads = 32;
  c.kv_heads = 4;
  c.head_dim = 128;
  c.layers = 2;
  c.vocab = 151936;
  c.experts = 128;
  c.experts_per_token = 8;
  return c;
}

wl::OpGraph decode_step(double skew, std::int64_t batch) {
  wl::TransformerOptions o;
  o.phase = wl::Phase::kDecode;
  o.batch = batch;
  o.kv_len = 1024;
  o.routing.skew = skew;
  return wl::build_transformer(many_experts(), o);
}

double stat(const Result& r, const std::string& component, const std::string& key) {
  for (const auto& s : r.stats) {
    if (s.component == component && s.key == key) return s.value;
  }
  return -1;
}

}  // namespace

TEST_CASE("grouped MoE: 128 experts of a layer are one kernel and one launch per projection", "[fusion][moe]") {
  const wl::OpGraph g = decode_step(0.0, 64);
  const wl::OpGraph k = wl::fuse(g, FusionPolicy::kFull);
  int grouped = 0;
  for (wl::OpId id = 0; id < k.size(); ++id) {
    const wl::OpNode& op = k.op(id);
    if (op.fused.expert_rows.empty()) continue;
    ++grouped;
    std::int64_t experts = 0, padded = 0;
    for (const auto& [r, n] : op.fused.expert_rows) {
      experts += n;
      padded += r * n;
      CHECK(r % 16 == 0);  // each expert's rows padded to a whole block
    }
    const auto& gm = std::get<wl::GemmShape>(op.shape);
    CHECK(gm.weight_sets == experts);
    CHECK(gm.m == 64 * 8);  // every token's 8 experts, none dropped
    CHECK(padded >= gm.m);
    CHECK(padded < gm.m + 16 * experts);
    INFO(op.name);
    CHECK(op.name.find("experts(") != std::string::npos);
  }
  CHECK(grouped == 2 * 2);  // gate/up and down in each of the two layers

  auto chip = arch::Chip::load(std::string(XPUSIM_SOURCE_DIR) + "/configs/chips/h100-sxm.yaml");
  const Result fused = simulate(*chip, g);  // the chip's default: fusion full
  wl::OpGraph unfused = g;
  unfused.set_fusion(FusionPolicy::kNone);
  const Result plain = simulate(*chip, unfused);
  // One launch per kernel: far fewer than one per expert, and the step is faster for it.
  CHECK(stat(fused, "sm", "kernel_launches") == static_cast<double>(k.size()));
  CHECK(stat(plain, "sm", "kernel_launches") > 3 * stat(fused, "sm", "kernel_launches"));
  CHECK(fused.latency_s < plain.latency_s);
}

TEST_CASE("grouped MoE: a compute-bound layer is slower under skewed routing than uniform", "[fusion][moe]") {
  // A 2048-token prompt: uniform routing gives every expert about 128 rows, few distinct block counts
  // and full waves; a Zipf skew gives a few hot experts thousands of rows, whose tiles run in waves
  // of their own while the cold experts' rows are mostly padding.
  auto chip = arch::Chip::load(std::string(XPUSIM_SOURCE_DIR) + "/configs/chips/h100-sxm.yaml");
  auto prefill = [](double skew) {
    wl::TransformerOptions o;
    o.phase = wl::Phase::kPrefill;
    o.prompt_len = 2048;
    o.routing.skew = skew;
    return wl::build_transformer(many_experts(), o);
  };
  const wl::OpGraph uniform = prefill(0.0), skewed = prefill(1.2);
  auto moe_time = [&](const wl::OpGraph& g) {
    const Result r = simulate(*chip, g);
    double t = 0;
    for (const auto& op : r.ops) {
      if (op.name.find("experts(") != std::string::npos) t += op.end_s - op.start_s;
    }
    return t;
  };
  const double t_uniform = moe_time(uniform), t_skewed = moe_time(skewed);
  INFO("uniform " << t_uniform << " s, skewed " << t_skewed << " s");
  CHECK(t_uniform > 0);
  CHECK(t_uniform < t_skewed);
}
