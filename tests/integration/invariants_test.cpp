// SPDX-License-Identifier: MIT
// Physical invariants on every bundled chip x workload pair, and on LLM steps over the bundled
// non-GPU systems: no op beats its roofline, energy is the sum of its parts, identical inputs give
// byte-identical output, and many runs share one process.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "arch/chip.h"
#include "sim/driver/memory_fit.h"
#include "sim/driver/serving.h"
#include "sim/driver/simulate.h"
#include "workloads/loader.h"
#include "workloads/transforms/fuse.h"

using namespace xpusim;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> bundled_chips() {
  std::vector<std::string> chips;
  for (const auto& e : fs::directory_iterator(std::string(XPUSIM_SOURCE_DIR) + "/configs/chips")) {
    if (e.path().extension() == ".yaml") chips.push_back(e.path().string());
  }
  std::sort(chips.begin(), chips.end());
  return chips;
}

}  // namespace

/// Runs `workload` (with `extra` overrides, e.g. compression what-ifs) on every bundled chip and checks
/// the invariants of each result.
static void check_invariants_on_every_chip(const std::string& workload, const std::vector<std::string>& extra = {}) {
  const auto chips = bundled_chips();
  REQUIRE(chips.size() >= 3);
  for (const auto& chip_path : chips) {
    auto chip = arch::Chip::load(chip_path);
    INFO(chip_path << " x " << workload);
    // SCALE-Sim-style chips compute in int8: YAML workloads are set to int8 for them.
    const bool bf16 = chip->compute_units().front().model->supports(arch::TaskClass::kMatrix, DataType::kBf16);
    std::vector<std::string> overrides;
    if (!bf16 && workload.ends_with(".yaml")) overrides.push_back("dtype=int8");
    overrides.insert(overrides.end(), extra.begin(), extra.end());
    const wl::OpGraph graph = wl::load_workload(std::string(XPUSIM_SOURCE_DIR) + workload, overrides);
    // A chip whose main memory is all it has (Groq's SRAM) refuses what it cannot hold; the refusal
    // itself is tested in "an SRAM-only chip refuses ...", and its LLM invariants run on a system below.
    if (chip->main_memory().hard_capacity() && memory_needs(graph, 1).front().total() > chip->main_memory().capacity()) continue;
    const Result r = simulate(*chip, graph);
    // One result entry per kernel: the ops as the chip's compiler stack fuses them.
    REQUIRE(r.ops.size() == wl::fuse(graph, graph.fusion().value_or(chip->fusion())).size());
    REQUIRE(r.latency_s > 0);
    for (const auto& op : r.ops) {
      INFO(op.name);
      // Times are whole picoseconds; the bound is continuous math.
      CHECK(op.end_s - op.start_s >= op.roofline_s - 1e-12);
      CHECK(op.end_s <= r.latency_s);
      CHECK((op.bound == "compute" || op.bound == "memory"));
    }
    double parts = 0, dynamic = 0;
    for (const auto& [component, joules] : r.energy_breakdown_j) parts += joules;
    for (const auto& op : r.ops) dynamic += op.energy_j;
    CHECK(parts == Approx(r.energy_j).epsilon(1e-12));
    const double static_j = (chip->static_power() * Time::from_seconds_ceil(r.latency_s)).joules();
    CHECK(dynamic + static_j == Approx(r.energy_j).epsilon(1e-6).margin(1e-9));
    CHECK(r.bound_compute + r.bound_memory + r.bound_interconnect == Approx(1.0));
  }
}

// One test case per workload, so ctest runs them in parallel.
TEST_CASE("roofline and energy invariants: ResNet-50 SCALE-Sim topology on every chip", "[integration]") {
  check_invariants_on_every_chip("/traces/scalesim/resnet50.csv");
}
TEST_CASE("roofline and energy invariants: ResNet-50 v1.5 on every chip", "[integration]") {
  check_invariants_on_every_chip("/configs/workloads/resnet50.yaml");
}
TEST_CASE("roofline and energy invariants: a 512^3 GEMM on every chip", "[integration]") {
  check_invariants_on_every_chip("/configs/workloads/gemm-512.yaml");
}
TEST_CASE("roofline and energy invariants: Llama-2-7B decode on every chip", "[integration]") {
  check_invariants_on_every_chip("/configs/workloads/llama-2-7b-decode.yaml");
}
TEST_CASE("roofline and energy invariants: Mixtral-8x7B decode on every chip", "[integration]") {
  check_invariants_on_every_chip("/configs/workloads/mixtral-8x7b-decode.yaml");
}

// Before any simulation in its process: a refusal thrown after SystemC has run trips ASan (see system_test).
TEST_CASE("an SRAM-only chip refuses a workload it cannot hold, saying by how much", "[integration]") {
  auto chip = arch::Chip::load(std::string(XPUSIM_SOURCE_DIR) + "/configs/chips/groq-lpu.yaml");
  REQUIRE(chip->main_memory().hard_capacity());
  const auto llama = wl::load_workload(std::string(XPUSIM_SOURCE_DIR) + "/configs/workloads/llama-2-7b-decode.yaml", {"dtype=fp16"});
  CHECK_THROWS_WITH(simulate(*chip, llama), Catch::Contains("does not fit: groq-lpu keeps all data in mem (230.7 MB") &&
                                                Catch::Contains("short by") && Catch::Contains("--system"));
  // DRAM chips keep accepting single-chip what-if runs of any size.
  CHECK_FALSE(arch::Chip::load(std::string(XPUSIM_SOURCE_DIR) + "/configs/chips/tpu-v5e-like.yaml")->main_memory().hard_capacity());
}

/// One LLM decode step on a bundled system: every op at or above its roofline (collectives above
/// their link floor), energy the sum of its parts, bounds summing to one.
static void check_invariants_on_system(const std::string& system, const std::vector<std::string>& workload_overrides) {
  auto sys = arch::System::load(std::string(XPUSIM_SOURCE_DIR) + "/configs/systems/" + system + ".yaml");
  const wl::GenerationSpec spec =
      wl::load_generation_spec(std::string(XPUSIM_SOURCE_DIR) + "/configs/workloads/llama-2-70b-decode.yaml", workload_overrides);
  const Result r = simulate_step(*sys, spec, wl::Phase::kDecode, spec.options.kv_len);
  INFO(system);
  REQUIRE(r.latency_s > 0);
  bool collectives = false;
  for (const auto& op : r.ops) {
    INFO(op.name);
    CHECK(op.end_s - op.start_s >= op.roofline_s - 1e-12);
    CHECK(op.end_s <= r.latency_s);
    CHECK((op.bound == "compute" || op.bound == "memory" || op.bound == "interconnect"));
    collectives = collectives || op.bound == "interconnect";
  }
  CHECK(collectives);
  double parts = 0;
  for (const auto& [component, joules] : r.energy_breakdown_j) parts += joules;
  CHECK(parts == Approx(r.energy_j).epsilon(1e-12));
  CHECK(r.bound_compute + r.bound_memory + r.bound_interconnect == Approx(1.0));
}

TEST_CASE("roofline and energy invariants: Llama-2-70B decode on the Groq 576-chip system", "[integration]") {
  check_invariants_on_system("groq-576", {"batch=1", "kv_len=1024", "dtype=fp16", "weight_dtype=int8"});
}
TEST_CASE("roofline and energy invariants: Llama-2-70B decode on TPU v5e-8, v6e-8 and four CS-3s", "[integration]") {
  check_invariants_on_system("tpu-v5e-8", {"batch=8", "weight_dtype=int8"});
  check_invariants_on_system("tpu-v6e-8", {"batch=8", "weight_dtype=int8"});
  check_invariants_on_system("cs3-4", {"batch=1"});
}

TEST_CASE("roofline and energy invariants: compressed Llama-2-7B decode (int4, 2:4) on every chip", "[integration]") {
  check_invariants_on_every_chip("/configs/workloads/llama-2-7b-decode.yaml",
                                 {"kv_len=256", "compression.weight_dtype=int4", "compression.sparsity=2:4"});
}
TEST_CASE("roofline and energy invariants: pruned int4-weight ResNet-50 on every chip", "[integration]") {
  check_invariants_on_every_chip("/configs/workloads/resnet50.yaml", {"compression.weight_dtype=int4", "compression.sparsity=unstructured",
                                                                      "compression.density=0.2"});
}
TEST_CASE("roofline and energy invariants: a codec'd, pruned Llama step on a decoding memory (mach1)", "[integration]") {
  auto chip = arch::Chip::load(std::string(XPUSIM_SOURCE_DIR) + "/configs/chips/mach1.yaml", {"mxu.unstructured_sparsity=true"});
  const wl::OpGraph graph = wl::load_workload(std::string(XPUSIM_SOURCE_DIR) + "/configs/workloads/llama-2-7b-decode.yaml",
                                              {"kv_len=256", "compression.codec_ratio=3", "compression.sparsity=unstructured",
                                               "compression.density=0.3"});
  const Result r = simulate(*chip, graph);
  double dynamic = 0;
  for (const auto& op : r.ops) {
    INFO(op.name);
    CHECK(op.end_s - op.start_s >= op.roofline_s - 1e-12);
    dynamic += op.energy_j;
  }
  const double static_j = (chip->static_power() * Time::from_seconds_ceil(r.latency_s)).joules();
  CHECK(dynamic + static_j == Approx(r.energy_j).epsilon(1e-6));
}

TEST_CASE("identical inputs give byte-identical JSON, also after other runs", "[integration]") {
  auto chip = arch::Chip::load(std::string(XPUSIM_SOURCE_DIR) + "/configs/chips/tpu-v5e-like.yaml");
  const auto resnet = wl::load_workload(std::string(XPUSIM_SOURCE_DIR) + "/configs/workloads/resnet50.yaml");
  const auto llama = wl::load_workload(std::string(XPUSIM_SOURCE_DIR) + "/configs/workloads/llama-2-7b-decode.yaml");
  const std::string first = to_json(simulate(*chip, resnet, {true, 1}));
  (void)simulate(*chip, llama);
  const std::string second = to_json(simulate(*chip, resnet, {true, 1}));
  CHECK(first == second);
}

TEST_CASE("many simulations run in one process", "[integration]") {
  auto chip = arch::Chip::load(std::string(XPUSIM_SOURCE_DIR) + "/configs/chips/tpu-v5e-like.yaml");
  const auto gemm = wl::load_workload(std::string(XPUSIM_SOURCE_DIR) + "/configs/workloads/gemm-512.yaml");
  const double reference = simulate(*chip, gemm).latency_s;
  for (int i = 0; i < 200; ++i) REQUIRE(simulate(*chip, gemm).latency_s == reference);
}

TEST_CASE("a whole 20-step SDXL image (tens of thousands of ops) runs and tears down", "[integration]") {
  // Op processes used to be spawned by the op that finished last, each a child of the one before:
  // tearing down a chain this long overflowed the stack.
  auto chip = arch::Chip::load(std::string(XPUSIM_SOURCE_DIR) + "/configs/chips/h100-sxm.yaml");
  const std::string dir = std::string(XPUSIM_SOURCE_DIR) + "/configs/workloads/";
  const auto image = wl::load_workload(dir + "sdxl.yaml");
  const auto step = wl::load_workload(dir + "sdxl-unet-step.yaml");
  REQUIRE(image.size() > 30000);
  const Result r = simulate(*chip, image);
  REQUIRE(r.ops.size() == wl::fuse(image, chip->fusion()).size());
  // Twenty denoising steps run one after another, then the VAE: more than twenty lone steps.
  CHECK(r.latency_s > 20 * simulate(*chip, step).latency_s);
}
