// SPDX-License-Identifier: MIT
// The bundled non-GPU systems against closed forms: ring all-reduces over the TPU ICI tori and the
// Groq node ring, the Groq MXM's weight-install time per projection, ResNet-50 on one Groq LPU, and
// the memory-fit refusals of an SRAM-only system given too few chips or too wide weights.
#include <catch2/catch.hpp>

#include "sim/driver/serving.h"
#include "workloads/builders/hf_config.h"
#include "workloads/loader.h"

using namespace xpusim;

namespace {

const std::string kRoot = XPUSIM_SOURCE_DIR;

std::unique_ptr<arch::System> load_system(const std::string& name, std::vector<std::string> overrides = {}) {
  return arch::System::load(kRoot + "/configs/systems/" + name + ".yaml", std::move(overrides));
}

/// Llama-2-70B as the Groq system runs it: int8 weights (16-bit ones do not fit 576 chips), fp16
/// activations and KV cache, one sequence.
wl::GenerationSpec groq_llama(DataType weights = DataType::kInt8) {
  wl::GenerationSpec s;
  s.model = wl::load_hf_config(kRoot + "/configs/models/llama-2-70b.json");
  s.batch = 1;
  s.options.activation_dtype = DataType::kFp16;
  s.options.weight_dtype = weights;
  return s;
}

wl::OpGraph one_allreduce(std::int64_t bytes, int group) {
  wl::OpGraph g("allreduce");
  wl::OpNode op;
  op.name = "allreduce";
  op.kind = wl::OpKind::kAllReduce;
  op.shape = wl::CollectiveShape{bytes, group, 0};
  g.add_op(op);
  return g;
}

double seconds_of(const Result& r, const std::string& suffix) {
  for (const auto& op : r.ops) {
    if (op.name.size() >= suffix.size() && op.name.compare(op.name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      return op.end_s - op.start_s;
    }
  }
  FAIL("no op ending in " << suffix);
  return 0;
}

}  // namespace

TEST_CASE("bad system configs fail once, clearly: zero links, zero lane rate, wrong torus shape", "[system][config]") {
  auto message = [](const std::vector<std::string>& overrides) {
    try {
      load_system("groq-576", overrides);
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  auto count = [](const std::string& text, const std::string& part) {
    std::size_t n = 0;
    for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
    return n;
  };
  // One message for the link map, not one per link of the 576-chip torus.
  const std::string lanes = message({"link.lanes=0"});
  CHECK(count(lanes, "'lanes' must be at least 1") == 1);
  CHECK(count(message({"link.lane_rate=0 GB/s"}), "'lane_rate' must be greater than 0") == 1);
  CHECK_THAT(message({"system.dims=8x70"}), Catch::Contains("torus dims \"8x70\" must be 2 or 3 extents whose product is count (576)"));
  CHECK_THAT(message({"system.count=0"}), Catch::Contains("'count' expects a whole number >= 1"));
  CHECK_THAT(message({"system.pp=80"}), Catch::Contains("8 x 80 x 1 = 640 chips, but the system has 576"));
}

// Before any simulation in its process: a refusal thrown after SystemC has run trips ASan (see system_test).
TEST_CASE("Groq 576: too few chips, or 16-bit weights, do not fit and the error says by how much", "[system][groq]") {
  // tp=8 x pp=36 = 288 chips: three layers of int8 weights per chip, 321 MB against 230.7 MB.
  auto half = load_system("groq-576", {"system.pp=36"});
  CHECK_THROWS_WITH(simulate_step(*half, groq_llama(), wl::Phase::kDecode, 1024),
                    Catch::Contains("does not fit: stage 0 needs 322.5 MB") && Catch::Contains("but groq-lpu has 230.7 MB of mem") &&
                        Catch::Contains("short by 91.8 MB") && Catch::Contains("tp=8, pp=36"));
  // All 576 chips, fp16 weights: 138 GB of weights against 576 x 230.7 MB = 132.9 GB.
  auto full = load_system("groq-576");
  CHECK_THROWS_WITH(simulate_step(*full, groq_llama(DataType::kFp16), wl::Phase::kDecode, 1024),
                    Catch::Contains("does not fit: stage 0 needs 428.9 MB") && Catch::Contains("narrower weight_dtype"));
}

TEST_CASE("TPU v5e-8 and v6e-8: a ring all-reduce over the 2x4 ICI torus takes its closed-form time", "[system][tpu]") {
  // Ring order 0..7 on the 2x4 torus (x = i % 2, y = i / 2): 0->1, 2->3, 4->5, 6->7 are one hop, 1->2,
  // 3->4, 5->6 and 7->0 two hops, and no two transfers of a step share a link direction. Each of the
  // 2(N-1) = 14 steps therefore costs S/8 / link rate + 2 hop latencies (cut-through).
  const std::int64_t size = 64'000'000;
  for (const auto& [name, rate] : {std::pair{std::string("tpu-v5e-8"), 50e9}, std::pair{std::string("tpu-v6e-8"), 100e9}}) {
    INFO(name);
    auto sys = load_system(name);
    const Result r = simulate_system(*sys, one_allreduce(size, 8));
    const double closed = 14 * (size / 8.0 / rate + 2 * 1e-6);
    CHECK(r.latency_s == Approx(closed).epsilon(1e-6));
    // The link-transfer bound: every chip must send 2(N-1)/N x S through its 4 ICI ports. The ring uses
    // one port at a time, so it sits about 4x above it.
    const double bound = 2.0 * 7 / 8 * size / (4 * rate);
    CHECK(r.latency_s >= bound);
    CHECK(r.latency_s < 4.2 * bound);
    CHECK(r.bound_interconnect == 1.0);
  }
}

TEST_CASE("ResNet-50 on one Groq LPU: int8 on the four MXM planes, compute-bound, all in SRAM", "[groq]") {
  auto chip = arch::Chip::load(kRoot + "/configs/chips/groq-lpu.yaml");
  const wl::OpGraph g = wl::load_workload(kRoot + "/configs/workloads/resnet50.yaml");
  const Result r = simulate(*chip, g);
  double macs = 0;
  for (const auto& op : r.ops) {
    INFO(op.name);
    if (op.kind == "conv2d" || op.kind == "gemm") {
      CHECK(op.unit == "mxm");  // int8 never falls to the fp16 view of the planes
      macs += op.flops / 2;
    }
    CHECK(op.end_s - op.start_s >= op.roofline_s - 1e-12);
  }
  // 220 MiB of SRAM at 80 TB/s leaves the MXM as the bound.
  CHECK(r.bound_compute > 0.95);
  // At best all 4 x 320 x 320 MACs every cycle at 900 MHz.
  CHECK(r.latency_s >= macs / (4.0 * 320 * 320 * 900e6));
}

TEST_CASE("Llama-2-70B decode on 576 Groq chips: projections cost the MXM's weight install, all-reduces the node ring",
          "[system][groq]") {
  auto sys = load_system("groq-576");
  const Result r = simulate_step(*sys, groq_llama(), wl::Phase::kDecode, 1024);
  // up_proj on one chip: 8192 x (28672 / 8) int8 weights over fp16 activations, on mxm_fp16 (one
  // 320x320 view, ws). 26 x 12 = 312 folds, each bound by installing 320 rows at 32 per cycle (10
  // cycles; the one activation row streams in 1); the op's first tile exposes one install and the skew.
  const double install = (26.0 * 12 * 10 + 10 + 638) / 900e6;
  const double up = seconds_of(r, "L40.up_proj");
  CHECK(up >= install);
  CHECK(up < 1.1 * install);
  // The same 29.4 MB read from SRAM at 80 TB/s would take 0.37 us: the MXM, not the SRAM, bounds decode.
  CHECK(r.bound_memory < 0.05);
  // All-reduce of one token's 8192 fp16 activations over a node's ring of 8: 14 steps of a 2 KB piece
  // over one C2C link (4 x 3.5 GB/s) plus the 600 ns hop.
  const double ring = 14 * (16384 / 8.0 / 14e9 + 600e-9);
  CHECK(seconds_of(r, "L40.down_proj.allreduce") == Approx(ring).epsilon(1e-3));
  // 80 layers, two all-reduces each, and 71 stage-to-stage hops sit on the token's critical path.
  CHECK(r.latency_s > 160 * ring);
}
