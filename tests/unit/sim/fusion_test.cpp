// SPDX-License-Identifier: MIT
// Fused kernels through mapper and engine: ResNet-50's traffic falls to its kernels' compulsory
// bytes, an implicit-GEMM convolution reads no im2col matrix, FlashAttention prefill traffic grows
// linearly with the prompt, decode attention reads each GQA group's KV cache once, fusion: none is
// the unfused result by either switch, and fused runs keep the roofline, energy and determinism.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "arch/chip.h"
#include "sim/driver/simulate.h"
#include "sim/result.h"
#include "workloads/loader.h"
#include "workloads/transforms/fuse.h"

using namespace xpusim;

namespace {

const std::string kSrc = XPUSIM_SOURCE_DIR;

std::unique_ptr<arch::Chip> chip(const std::string& name, const std::vector<std::string>& set = {}) {
  return arch::Chip::load(kSrc + "/configs/chips/" + name + ".yaml", set);
}

/// The chip without its memory-side cache: a kernel's traffic is then all its own, what these tests
/// hold against its compulsory bytes (cache_residency_test.cpp covers what the cache saves).
std::unique_ptr<arch::Chip> uncached_chip(const std::string& name) { return chip(name, {"chip.cache=none"}); }

wl::OpGraph load(const std::string& rel, const std::vector<std::string>& overrides = {}) {
  return wl::load_workload(kSrc + "/" + rel, overrides);
}

double total_bytes(const Result& r) {
  double b = 0;
  for (const auto& o : r.ops) b += static_cast<double>(o.bytes);
  return b;
}

double compulsory(const wl::OpGraph& kernels) {
  double b = 0;
  for (wl::OpId i = 0; i < kernels.size(); ++i) b += static_cast<double>(wl::compulsory_bytes(kernels.op(i)).count());
  return b;
}

/// compulsory_bytes, except that a strided 1x1 convolution reads only the input pixels under its
/// outputs (compulsory_bytes counts its whole input tensor).
double touched(const wl::OpNode& k) {
  double b = static_cast<double>(wl::compulsory_bytes(k).count());
  const auto* c = std::get_if<wl::ConvShape>(&k.shape);
  if (c && c->kernel_h == 1 && c->kernel_w == 1 && c->stride > 1) {
    b -= static_cast<double>(storage(k.dtype, c->batch * (c->in_h * c->in_w - c->out_h() * c->out_w()) * c->in_c).count());
  }
  return b;
}

/// No kernel beats its roofline, and the energy breakdown adds up to the total.
void check_invariants(const Result& r) {
  for (const auto& o : r.ops) {
    INFO(r.chip << ": " << o.name);
    CHECK(o.end_s - o.start_s >= o.roofline_s - 1e-12);
    CHECK(o.energy_j >= 0);
  }
  double components = 0, ops = 0;
  for (const auto& [name, joules] : r.energy_breakdown_j) {
    CHECK(joules >= 0);
    components += joules;
  }
  for (const auto& o : r.ops) ops += o.energy_j;
  CHECK(r.energy_j > 0);
  CHECK(components == Approx(r.energy_j).epsilon(1e-9));
  CHECK(ops <= r.energy_j * (1 + 1e-9));  // dynamic energy of the ops; the rest is static
}

const OpResult& op_result(const Result& r, const std::string& name) {
  for (const auto& o : r.ops) {
    if (o.name == name) return o;
  }
  FAIL("no op named " << name);
  throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("ResNet-50 fused: traffic near the kernels' compulsory bytes, far below unfused", "[fusion][sim]") {
  const wl::OpGraph full = load("configs/workloads/resnet50.yaml", {"batch=64", "fusion=full"});
  const wl::OpGraph none = load("configs/workloads/resnet50.yaml", {"batch=64", "fusion=none"});
  const wl::OpGraph kernels = wl::fuse(full, FusionPolicy::kFull);
  const double floor = compulsory(kernels);
  for (const char* name : {"h100-sxm", "l4"}) {
    auto c = uncached_chip(name);
    const Result fused = simulate(*c, full);
    const Result unfused = simulate(*c, none);
    const double bytes = total_bytes(fused), unfused_bytes = total_bytes(unfused);
    INFO(name << ": fused " << bytes << " B, compulsory of the kernels " << floor << " B, unfused " << unfused_bytes
              << " B (compulsory " << compulsory(none) << " B)");
    CHECK(fused.fusion == "full");
    CHECK(unfused.fusion.empty());
    REQUIRE(fused.ops.size() == kernels.size());
    for (std::size_t i = 0; i < fused.ops.size(); ++i) {
      const wl::OpNode& k = kernels.op(i);
      const double b = static_cast<double>(fused.ops[i].bytes);
      INFO(k.name << ": " << b << " B, compulsory " << wl::compulsory_bytes(k).count() << " B");
      CHECK(fused.ops[i].name == k.name);
      CHECK(fused.ops[i].members == k.fused.members);
      CHECK(b >= touched(k));
      CHECK(b <= 1.15 * static_cast<double>(wl::compulsory_bytes(k).count()));
    }
    CHECK(std::abs(bytes - floor) <= 0.15 * floor);
    CHECK(bytes < 0.5 * unfused_bytes);
    CHECK(fused.latency_s < unfused.latency_s);
    check_invariants(fused);
    check_invariants(unfused);
  }
}

TEST_CASE("a 3x3 convolution as an implicit GEMM reads no im2col matrix", "[fusion][sim]") {
  wl::OpGraph g("conv3x3");
  wl::OpNode op;
  op.name = "conv";
  op.kind = wl::OpKind::kConv2d;
  op.dtype = DataType::kInt8;
  op.shape = wl::ConvShape{8, 56, 56, 64, 64, 3, 3, 1, 1, false};
  g.add_op(op);
  // In and out 8 x 56 x 56 x 64 int8, weights 3 x 3 x 64 x 64.
  const double in = 8.0 * 56 * 56 * 64, weights = 3.0 * 3 * 64 * 64;
  REQUIRE(static_cast<double>(wl::compulsory_bytes(op).count()) == 2 * in + weights);
  const double floor = 2 * in + weights;
  auto h100 = uncached_chip("h100-sxm");
  g.set_fusion(FusionPolicy::kFull);
  const Result implicit = simulate(*h100, g);
  g.set_fusion(FusionPolicy::kNone);
  const Result im2col = simulate(*h100, g);
  INFO("implicit GEMM " << implicit.ops[0].bytes << " B, im2col " << im2col.ops[0].bytes << " B, compulsory " << floor << " B");
  REQUIRE(implicit.ops.size() == 1);
  CHECK(implicit.ops[0].members.empty());
  CHECK(implicit.fusion == "full");
  CHECK(static_cast<double>(implicit.ops[0].bytes) >= floor);
  CHECK(static_cast<double>(implicit.ops[0].bytes) <= 1.2 * floor);
  CHECK(static_cast<double>(im2col.ops[0].bytes) > 3 * floor);  // the A matrix alone is 9x the input
  CHECK(implicit.ops[0].flops == im2col.ops[0].flops);
  check_invariants(implicit);
  check_invariants(im2col);
}

TEST_CASE("FlashAttention prefill traffic grows linearly with the prompt", "[fusion][sim]") {
  // Llama-3.1-8B, one prompt of S tokens: 32 query heads over 8 KV heads of 128, 32 layers.
  auto h100 = uncached_chip("h100-sxm");
  auto prefill = [&](std::int64_t S, const char* fusion) {
    return load("configs/models/llama-3.1-8b.json", {"phase=prefill", "prompt_len=" + std::to_string(S), std::string("fusion=") + fusion});
  };
  std::map<std::int64_t, double> per_layer;
  for (std::int64_t S : {1024, 4096, 16384, 32768}) {
    const wl::OpGraph g = prefill(S, "full");
    REQUIRE(g.fusion() == FusionPolicy::kFull);
    const wl::OpGraph kernels = wl::fuse(g, FusionPolicy::kFull);
    const Result r = simulate(*h100, g);
    REQUIRE(r.ops.size() == kernels.size());
    std::vector<double> layers;
    for (std::size_t i = 0; i < r.ops.size(); ++i) {
      if (r.ops[i].kind != "attention") continue;
      layers.push_back(static_cast<double>(r.ops[i].bytes));
      // Q, O and K, V once: (2 x 8 x 4S x 128 + 2 x 8 x S x 128) x 2 B.
      const double floor = static_cast<double>(wl::compulsory_bytes(kernels.op(i)).count());
      CHECK(floor == (2.0 * 8 * 4 * static_cast<double>(S) * 128 + 2.0 * 8 * static_cast<double>(S) * 128) * 2);
      INFO(r.ops[i].name << " at S = " << S << ": " << r.ops[i].bytes << " B, compulsory " << floor << " B");
      CHECK(static_cast<double>(r.ops[i].bytes) >= floor);
    }
    REQUIRE(layers.size() == 32);
    CHECK(std::all_of(layers.begin(), layers.end(), [&](double b) { return b == layers.front(); }));
    per_layer[S] = layers.front();
    check_invariants(r);
  }
  const double at_1024 = per_layer[1024] / 1024;
  for (std::int64_t S : {4096, 16384, 32768}) {
    INFO("S = " << S << ": " << per_layer[S] / static_cast<double>(S) << " B per token and layer, at S = 1024: " << at_1024);
    CHECK(per_layer[S] / static_cast<double>(S) == Approx(at_1024).epsilon(0.10));
  }
  // Unfused, the scores and probabilities (32 heads x S x S, bf16) cross memory: written, read,
  // written, read.
  const Result unfused = simulate(*h100, prefill(16384, "none"));
  double unfused_bytes = 0;
  for (const char* name : {"L0.scores", "L0.softmax", "L0.pv"}) unfused_bytes += static_cast<double>(op_result(unfused, name).bytes);
  INFO("S = 16384: fused " << per_layer[16384] << " B per layer, unfused scores + softmax + pv " << unfused_bytes << " B");
  CHECK(unfused_bytes > 4.0 * 32 * 16384.0 * 16384 * 2);
  CHECK(per_layer[16384] < 0.01 * unfused_bytes);
  check_invariants(unfused);
}

TEST_CASE("decode attention reads each GQA group's KV cache once", "[fusion][sim]") {
  // Llama-2-70B decode: batch 16, 2048 cached tokens, 64 query heads over 8 KV heads of 128.
  const wl::OpGraph g = load("configs/workloads/llama-2-70b-decode.yaml", {"fusion=full"});
  const wl::OpGraph kernels = wl::fuse(g, FusionPolicy::kFull);
  auto h100 = uncached_chip("h100-sxm");
  const Result r = simulate(*h100, g);
  CHECK(r.fusion == "full");
  REQUIRE(r.ops.size() == kernels.size());
  std::size_t attention = 0;
  for (std::size_t i = 0; i < r.ops.size(); ++i) {
    const wl::OpNode& k = kernels.op(i);
    REQUIRE(r.ops[i].name == k.name);
    if (k.kind != wl::OpKind::kAttention) continue;
    ++attention;
    const double floor = static_cast<double>(wl::compulsory_bytes(k).count());
    // Q and O: 16 x 64 x 128; K and V: 16 x 8 x 2048 x 128 each; bf16.
    CHECK(floor == (2.0 * 16 * 64 * 128 + 2.0 * 16 * 8 * 2048 * 128) * 2);
    INFO(k.name << ": " << r.ops[i].bytes << " B, compulsory " << floor << " B");
    CHECK(static_cast<double>(r.ops[i].bytes) >= floor);
    CHECK(static_cast<double>(r.ops[i].bytes) <= 1.05 * floor);
  }
  CHECK(attention == 80);
  check_invariants(r);
}

TEST_CASE("fusion none is the unfused result whether the workload or the chip says so", "[fusion][sim]") {
  auto h100 = chip("h100-sxm");
  auto h100_none = chip("h100-sxm", {"chip.fusion=none"});
  REQUIRE(h100->fusion() == FusionPolicy::kFull);
  REQUIRE(h100_none->fusion() == FusionPolicy::kNone);
  const std::string wl_file = "configs/workloads/llama-2-7b-decode.yaml";
  const std::string by_workload = to_json(simulate(*h100, load(wl_file, {"kv_len=256", "fusion=none"})));
  const std::string by_chip = to_json(simulate(*h100_none, load(wl_file, {"kv_len=256"})));
  CHECK(by_workload.find("\"fusion\"") == std::string::npos);
  CHECK(by_workload.find("\"members\"") == std::string::npos);
  CHECK(by_workload == by_chip);

  // The workload's fusion=full on a chip whose config says none is the chip's own default.
  const Result asked = simulate(*h100_none, load(wl_file, {"kv_len=256", "fusion=full"}));
  const Result by_default = simulate(*h100, load(wl_file, {"kv_len=256"}));
  CHECK(asked.fusion == "full");
  CHECK(by_default.fusion == "full");
  CHECK(asked.latency_s == by_default.latency_s);
  CHECK(asked.ops.size() == by_default.ops.size());
  const std::string asked_json = to_json(asked);
  CHECK(asked_json == to_json(by_default));
  CHECK(asked_json.find("\"fusion\": \"full\"") != std::string::npos);
  CHECK(asked_json.find("\"members\": [\"L0.scores\", \"L0.softmax\", \"L0.pv\"]") != std::string::npos);
  CHECK(asked.latency_s < simulate(*h100_none, load(wl_file, {"kv_len=256"})).latency_s);
  check_invariants(asked);
}

TEST_CASE("fused runs are deterministic", "[fusion][sim]") {
  auto h100 = chip("h100-sxm");
  const wl::OpGraph g = load("configs/workloads/resnet50.yaml", {"batch=8", "fusion=full"});
  const std::string first = to_json(simulate(*h100, g));
  CHECK(to_json(simulate(*h100, g)) == first);
  auto again = chip("h100-sxm");
  CHECK(to_json(simulate(*again, load("configs/workloads/resnet50.yaml", {"batch=8", "fusion=full"}))) == first);
  const wl::OpGraph d = load("configs/workloads/llama-2-70b-decode.yaml", {"fusion=full", "kv_len=512"});
  CHECK(to_json(simulate(*h100, d)) == to_json(simulate(*h100, d)));
}

TEST_CASE("causal prefill attention skips the masked half of its blocks", "[fusion][sim]") {
  // One attention kernel of a 16k-token Llama-3.1-8B prompt on H100, with its causal mask and with
  // the mask taken away: the masked kernel does half the work and takes a little over half the time
  // (the diagonal blocks run whole), while both read Q, K, V and write O once (K/V fit the L2 beside a
  // Q block: a K/V block is read by the first Q block that reaches it).
  const wl::OpGraph step = wl::fuse(load("configs/models/llama-3.1-8b.json", {"phase=prefill", "prompt_len=16384"}), FusionPolicy::kFull);
  wl::OpNode masked;
  for (wl::OpId i = 0; i < step.size(); ++i) {
    if (step.op(i).kind == wl::OpKind::kAttention) masked = step.op(i);
  }
  REQUIRE(std::get<wl::AttentionShape>(masked.shape).causal_past == 0);
  wl::OpNode open = masked;
  std::get<wl::AttentionShape>(open.shape).causal_past = -1;
  auto run = [&](const wl::OpNode& op) {
    wl::OpGraph g("attention");
    g.add_op(op);
    g.set_fusion(FusionPolicy::kFull);
    auto h100 = chip("h100-sxm", {"chip.cache=none"});
    const Result r = simulate(*h100, g);
    check_invariants(r);
    return r.ops.front();
  };
  const OpResult causal = run(masked), full = run(open);
  INFO("causal " << causal.end_s - causal.start_s << " s, full " << full.end_s - full.start_s << " s");
  CHECK(causal.flops == Approx(full.flops * (16385.0 / 2 / 16384)).epsilon(1e-9));
  const double ratio = (causal.end_s - causal.start_s) / (full.end_s - full.start_s);
  CHECK(ratio > 0.45);
  CHECK(ratio < 0.65);
  CHECK(causal.bytes == full.bytes);
  CHECK(static_cast<double>(causal.bytes) == static_cast<double>(wl::compulsory_bytes(masked).count()));
}
