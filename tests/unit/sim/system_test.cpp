// SPDX-License-Identifier: MIT
// Multi-chip runs through the engine: collectives as ops, tensor / pipeline parallelism, memory
// capacity, cached decode buckets, and the behaviours GPUs must show.
#include <catch2/catch.hpp>

#include "sim/driver/serving.h"
#include "workloads/builders/hf_config.h"

using namespace xpusim;

namespace {

const std::string kRoot = XPUSIM_SOURCE_DIR;

std::unique_ptr<arch::System> hgx(const std::string& which, std::vector<std::string> overrides) {
  return arch::System::load(kRoot + "/configs/systems/hgx-" + which + "-8.yaml", std::move(overrides));
}

std::unique_ptr<arch::System> single(const std::string& chip) {
  return arch::System::single(arch::Chip::load(kRoot + "/configs/chips/" + chip + ".yaml"));
}

wl::GenerationSpec spec(const std::string& model, std::int64_t batch, DataType weights = DataType::kBf16) {
  wl::GenerationSpec s;
  s.model = wl::load_hf_config(kRoot + "/configs/models/" + model + ".json");
  s.batch = batch;
  s.options.weight_dtype = weights;
  return s;
}

Result decode(arch::System& sys, const wl::GenerationSpec& s, std::int64_t kv = 1024) {
  return simulate_step(sys, s, wl::Phase::kDecode, kv);
}

double offchip_bytes(const Result& r) {
  double b = 0;
  for (const auto& op : r.ops) b += static_cast<double>(op.bytes);
  return b;
}

wl::OpGraph one_collective(wl::OpKind kind, std::int64_t bytes, int copies) {
  wl::OpGraph g("collective");
  for (int i = 0; i < copies; ++i) {
    wl::OpNode op;
    op.name = "c" + std::to_string(i);
    op.kind = kind;
    op.shape = wl::CollectiveShape{bytes, 8, 0};
    g.add_op(op);
  }
  return g;
}

}  // namespace

TEST_CASE("an all-reduce op runs as link transfers: bus bandwidth near the links' payload rate, two contend", "[system]") {
  auto sys = hgx("h100", {"system.collective=ring"});
  const std::int64_t size = std::int64_t{1} << 30;
  Result one = simulate_system(*sys, one_collective(wl::OpKind::kAllReduce, size, 1));
  const double busbw = static_cast<double>(size) / one.latency_s * 2.0 * 7 / 8;
  CHECK(busbw == Approx(18 * 25e9 * 0.824).epsilon(0.03));  // 18 NVLink 4 links x 25 GB/s x protocol efficiency
  CHECK(one.bound_interconnect == 1.0);
  CHECK(one.ops.front().end_s - one.ops.front().start_s >= one.ops.front().roofline_s);
  Result two = simulate_system(*sys, one_collective(wl::OpKind::kAllReduce, size, 2));
  CHECK(two.latency_s > 1.9 * one.latency_s);
}

TEST_CASE("with collective: auto an 8-GPU all-reduce runs in the NVSwitch (NVLS) and beats the ring", "[system][nvls]") {
  const std::int64_t size = std::int64_t{1} << 30;
  auto ring = hgx("h100", {"system.collective=ring"});
  auto nvls = hgx("h100", {});
  const Result r = simulate_system(*ring, one_collective(wl::OpKind::kAllReduce, size, 1));
  const Result n = simulate_system(*nvls, one_collective(wl::OpKind::kAllReduce, size, 1));
  CHECK(n.latency_s < 0.8 * r.latency_s);
  CHECK(n.ops.front().end_s - n.ops.front().start_s >= n.ops.front().roofline_s);
  // Identical inputs, identical result.
  CHECK(simulate_system(*nvls, one_collective(wl::OpKind::kAllReduce, size, 1)).latency_s == n.latency_s);
  // Every owner's 1/8 is reduced once: the switch produced S of results (as wire bytes: over the NVLS efficiency).
  double reduced = -1;
  for (const auto& st : n.stats) {
    if (st.component == "switch" && st.key == "bytes_reduced") reduced = st.value;
  }
  CHECK(reduced == Approx(static_cast<double>(size) / 0.85).epsilon(0.001));
}

TEST_CASE("collectives need a system", "[system]") {
  auto chip = arch::Chip::load(kRoot + "/configs/chips/h100-sxm.yaml");
  CHECK_THROWS_WITH(simulate(*chip, one_collective(wl::OpKind::kAllGather, 1024, 1)), Catch::Contains("needs a multi-chip system"));
}

TEST_CASE("invalid splits are rejected with a clear message", "[system]") {
  CHECK_THROWS_WITH(decode(*hgx("h100", {"system.tp=3", "system.dp=2"}), spec("llama-2-70b", 1)),
                    Catch::Contains("tp=3 does not divide the 64 attention heads"));
  auto many_stages = spec("llama-2-7b", 1);
  many_stages.model.layers = 4;
  CHECK_THROWS_WITH(decode(*hgx("h100", {"system.tp=1", "system.pp=8"}), many_stages), Catch::Contains("pp=8 exceeds the 4 layers"));
  CHECK_THROWS_WITH(decode(*hgx("h100", {"system.tp=1", "system.pp=2", "system.microbatches=3"}), spec("llama-2-7b", 4)),
                    Catch::Contains("3 micro-batches do not divide the batch of 4"));
}

TEST_CASE("a run that does not fit says by how much", "[system]") {
  CHECK_THROWS_WITH(decode(*single("h100-sxm"), spec("llama-2-70b", 1)), Catch::Contains("short by") && Catch::Contains("weights 13"));
  CHECK_NOTHROW(decode(*hgx("h100", {"system.tp=2", "system.dp=4"}), spec("llama-2-70b", 1)));
}

TEST_CASE("must show: small-batch decode on H100 is HBM-bound, large-batch prefill tensor-core-bound", "[system][must-show]") {
  auto sys = single("h100-sxm");
  Result d = decode(*sys, spec("llama-2-7b", 1));
  CHECK(d.bound_memory > 0.8);
  auto p = spec("llama-2-7b", 8);
  p.prompt_len = 1024;
  Result pre = simulate_step(*sys, p, wl::Phase::kPrefill, 1024);
  CHECK(pre.bound_compute > 0.7);
  for (const auto& op : pre.ops) {
    if (op.name.size() > 5 && op.name.substr(op.name.size() - 5) == "_proj") CHECK(op.bound == "compute");
  }
}

// The capacity half throws before any simulation runs in its process: under ASan, an exception
// thrown after SystemC has switched coroutine stacks trips a false stack report.
TEST_CASE("must show: Llama-2-70B batch 64 at 2048 tokens does not fit an H100", "[system][must-show]") {
  auto h100 = single("h100-sxm");
  CHECK_THROWS_WITH(decode(*h100, spec("llama-2-70b", 64, DataType::kFp8), 2048), Catch::Contains("short by"));
}

TEST_CASE("must show: Llama-2-70B decode on H200 vs H100 follows bandwidth and capacity, not compute", "[system][must-show]") {
  auto h100 = single("h100-sxm");
  auto h200 = single("h200-sxm");
  // FP8 weights on FP8 tensor cores: no dequantization pass on the CUDA cores between the weights'
  // arrival and the MACs, so a GEMV's time is its weights' HBM time.
  auto s8 = spec("llama-2-70b", 8, DataType::kFp8);
  s8.options.activation_dtype = DataType::kFp8;
  const Result r200 = decode(*h200, s8), r100 = decode(*h100, s8);
  const double ratio = r200.throughput_value / r100.throughput_value;
  // Per-kernel launch costs do not shrink with bandwidth, so the whole step gains less than the HBM time.
  CHECK(ratio > 1.15);
  CHECK(ratio <= 4.8 / 3.35 * 1.01);
  auto memory_time = [](const Result& r) {
    double t = 0;
    for (const auto& op : r.ops) t += op.bound == "memory" ? op.end_s - op.start_s : 0;
    return t;
  };
  CHECK(memory_time(r100) / memory_time(r200) > 1.3);
  const auto& u100 = *h100->stage_chip(0).compute_units().front().model;
  const auto& u200 = *h200->stage_chip(0).compute_units().front().model;
  CHECK(u100.peak_rate(arch::TaskClass::kMatrix, DataType::kFp8) == u200.peak_rate(arch::TaskClass::kMatrix, DataType::kFp8));
  // Batch 64 at a 2048-token context: 43 GB of KV cache fits beside 69 GB of FP8 weights only on H200.
  const auto s64 = spec("llama-2-70b", 64, DataType::kFp8);
  CHECK(decode(*h200, s64, 2048).throughput_value > 3 * decode(*h200, s8, 2048).throughput_value);
}

TEST_CASE("must show: FP8 and FP4 weights cut memory traffic and decode time", "[system][must-show]") {
  auto sys = single("b200");
  Result bf16 = decode(*sys, spec("llama-2-7b", 1, DataType::kBf16));
  Result fp8 = decode(*sys, spec("llama-2-7b", 1, DataType::kFp8));
  Result fp4 = decode(*sys, spec("llama-2-7b", 1, DataType::kFp4));
  CHECK(offchip_bytes(fp8) < 0.6 * offchip_bytes(bf16));
  CHECK(offchip_bytes(fp4) < 0.6 * offchip_bytes(fp8));
  CHECK(fp8.latency_s < bf16.latency_s);
  CHECK(fp4.latency_s < fp8.latency_s);
}

TEST_CASE("must show: FP8 and FP4 also cut the tensor-core time of a compute-bound prefill", "[system][must-show]") {
  auto sys = single("b200");
  auto prefill = [&](DataType t) {
    auto s = spec("llama-2-7b", 8, t);
    s.options.activation_dtype = t;  // the tensor cores run in the narrow type only when both operands are
    s.prompt_len = 1024;
    return simulate_step(*sys, s, wl::Phase::kPrefill, 1024);
  };
  const Result bf16 = prefill(DataType::kBf16), fp8 = prefill(DataType::kFp8), fp4 = prefill(DataType::kFp4);
  CHECK(bf16.bound_compute > 0.7);
  auto proj_compute_s = [](const Result& r) {
    double t = 0;
    for (const auto& op : r.ops) {
      if (op.kind == "gemm" && op.name.find("_proj") != std::string::npos) t += op.end_s - op.start_s;  // fused kernels too
    }
    return t;
  };
  // B200 doubles its dense tensor rate at each halving (2.25 / 4.5 / 9 PFLOPS); the projections follow.
  CHECK(proj_compute_s(fp8) < 0.6 * proj_compute_s(bf16));
  CHECK(proj_compute_s(fp4) < 0.6 * proj_compute_s(fp8));
  CHECK(fp4.latency_s < fp8.latency_s);
  CHECK(fp8.latency_s < bf16.latency_s);
}

TEST_CASE("must show: tensor parallelism cuts per-token latency", "[system][must-show]") {
  const auto s = spec("llama-2-70b", 1);
  Result tp2 = decode(*hgx("h100", {"system.tp=2", "system.dp=4"}), s);
  Result tp8 = decode(*hgx("h100", {"system.tp=8"}), s);
  CHECK(tp8.latency_s < 0.5 * tp2.latency_s);
  CHECK(tp8.bound_interconnect > 0);
}

TEST_CASE("must show: pipeline parallelism raises large-batch throughput but not latency", "[system][must-show]") {
  auto pp1 = hgx("h100", {"system.tp=1", "system.dp=8"});
  auto pp2 = hgx("h100", {"system.tp=1", "system.pp=2", "system.dp=4", "system.microbatches=8"});
  auto big = spec("llama-2-7b", 16);
  big.prompt_len = 512;
  const double t1 = simulate_step(*pp1, big, wl::Phase::kPrefill, 512).throughput_value / 8;  // per replica
  const double t2 = simulate_step(*pp2, big, wl::Phase::kPrefill, 512).throughput_value / 4;
  CHECK(t2 > 1.4 * t1);
  auto pp2_lat = hgx("h100", {"system.tp=1", "system.pp=2", "system.dp=4"});
  const auto one = spec("llama-2-7b", 1);
  CHECK(decode(*pp2_lat, one).latency_s > 0.95 * decode(*pp1, one).latency_s);
}

TEST_CASE("cached decode buckets give exactly the uncached run", "[system][serving]") {
  auto sys = single("h100-sxm");
  auto s = spec("llama-2-7b", 2);
  s.prompt_len = 20;
  s.output_len = 40;
  s.kv_bucket = 16;
  GenerationOptions uncached;
  uncached.cache_buckets = false;
  const GenerationResult a = simulate_generation(*sys, s);
  const GenerationResult b = simulate_generation(*sys, s, uncached);
  CHECK(a.simulations == 1 + a.buckets.size());
  CHECK(b.simulations == 40);
  CHECK(a.total_s == b.total_s);
  CHECK(a.tpot_s == b.tpot_s);
  CHECK(a.tokens_per_s == b.tokens_per_s);
  REQUIRE(a.decode.size() == b.decode.size());
  for (std::size_t i = 0; i < a.decode.size(); ++i) CHECK(to_json(a.decode[i]) == to_json(b.decode[i]));
  std::int64_t steps = 0;
  for (const auto& bucket : a.buckets) steps += bucket.steps;
  CHECK(steps == 39);
  CHECK(a.ttft_s == a.prefill.latency_s);
}

TEST_CASE("a per-query-head decode kernel reads the KV cache 8 times but stores it once", "[system][serving]") {
  auto s = spec("llama-2-70b", 16, DataType::kFp8);
  wl::TransformerOptions o = s.options;
  o.batch = 16;
  o.kv_len = 1024;
  const auto grouped = memory_needs(wl::build_transformer(s.model, o), 1);
  o.decode_attention = wl::DecodeAttention::kPerQueryHead;
  const auto per_head = memory_needs(wl::build_transformer(s.model, o), 1);
  CHECK(per_head[0].kv_cache == grouped[0].kv_cache);
  // The cache a decode step reads is cache, not activations as well: the largest activation of a
  // batch-16 step is a few MB (an FFN's input and output), below one layer's K (1/160 of the cache).
  CHECK(grouped[0].activations.count() < grouped[0].kv_cache.count() / 160);
  CHECK(per_head[0].activations == grouped[0].activations);
  auto sys = single("h100-sxm");
  const Result g = decode(*sys, s);
  s.options.decode_attention = wl::DecodeAttention::kPerQueryHead;
  const Result p = decode(*sys, s);
  CHECK(offchip_bytes(p) > offchip_bytes(g) + 6.5 * (static_cast<double>(grouped[0].kv_cache.count())));
  CHECK(p.latency_s > g.latency_s);
}

TEST_CASE("an algorithm the collective cannot use falls back to the ring, as NCCL does", "[system][nvls]") {
  const std::int64_t size = std::int64_t{1} << 26;
  auto nvls = hgx("h100", {"system.collective=nvls"});
  auto ring = hgx("h100", {"system.collective=ring"});
  for (auto kind : {wl::OpKind::kAllGather, wl::OpKind::kReduceScatter, wl::OpKind::kAllToAll}) {
    const Result n = simulate_system(*nvls, one_collective(kind, size, 1));
    const Result r = simulate_system(*ring, one_collective(kind, size, 1));
    CHECK(n.latency_s == r.latency_s);
  }
}
