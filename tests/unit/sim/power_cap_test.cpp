// SPDX-License-Identifier: MIT
// The power cap on whole runs: a cap above the chip's draw changes nothing; a binding cap holds a
// compute-bound kernel at it and leaves a memory-bound one nearly as fast; the clock in force is
// reported per op and on average; no op beats its roofline at that clock; energy still sums exactly.
#include <catch2/catch.hpp>

#include <cstdio>
#include <string>
#include <vector>

#include "arch/chip.h"
#include "sim/driver/simulate.h"
#include "workloads/loader.h"

using namespace xpusim;

namespace {

const std::string kSrc = XPUSIM_SOURCE_DIR;

Result run(const std::string& chip, const std::string& workload, const std::vector<std::string>& set = {}) {
  auto c = arch::Chip::load(kSrc + "/configs/chips/" + chip + ".yaml", set);
  return simulate(*c, wl::load_workload(workload));
}

std::string gemm(int m, int n, int k) {
  const std::string path = "/tmp/xpusim_power_cap_gemm_" + std::to_string(m) + ".yaml";
  std::FILE* f = std::fopen(path.c_str(), "w");
  std::fprintf(f, "workload: {type: gemm, m: %d, n: %d, k: %d, dtype: bf16}\n", m, n, k);
  std::fclose(f);
  return path;
}

// Energy sums over components, and over ops plus the static energy; no op beats its roofline at the
// clock it ran at.
void check_invariants(const Result& r, const std::string& chip) {
  double components = 0;
  for (const auto& [name, j] : r.energy_breakdown_j) components += j;
  CHECK(components == Approx(r.energy_j).epsilon(1e-12));
  double ops = 0;
  for (const auto& op : r.ops) {
    ops += op.energy_j;
    REQUIRE(op.clock_ratio.has_value());
    CHECK(op.end_s - op.start_s >= op.roofline_s * (1 - 1e-9));
  }
  const double static_w = arch::Chip::load(kSrc + "/configs/chips/" + chip + ".yaml")->static_power().watts();
  CHECK(ops + static_w * r.latency_s == Approx(r.energy_j).epsilon(1e-9));
}

}  // namespace

TEST_CASE("a cap above the chip's draw runs exactly as without one", "[power][dvfs]") {
  for (const std::string& wl : {gemm(8192, 8192, 8192), kSrc + "/configs/workloads/llama-2-7b-decode.yaml"}) {
    const Result free = run("h100-sxm", wl);
    const Result capped = run("h100-sxm", wl, {"chip.power.tdp=5 kW"});
    CHECK_FALSE(free.power_cap_w.has_value());
    CHECK(capped.power_cap_w == 5000.0);
    CHECK(capped.avg_clock_ratio == 1.0);
    CHECK(capped.latency_s == free.latency_s);
    CHECK(capped.energy_j == free.energy_j);
    REQUIRE(capped.ops.size() == free.ops.size());
    for (std::size_t i = 0; i < free.ops.size(); ++i) {
      CHECK(capped.ops[i].end_s == free.ops[i].end_s);
      CHECK(capped.ops[i].energy_j == free.ops[i].energy_j);
      CHECK(capped.ops[i].roofline_s == free.ops[i].roofline_s);
      CHECK(capped.ops[i].clock_ratio == 1.0);
    }
  }
}

TEST_CASE("a binding cap holds a compute-bound GEMM at the cap and barely slows a memory-bound decode step", "[power][dvfs]") {
  const std::string big = gemm(8192, 8192, 8192);
  const Result free = run("h100-sxm", big);
  REQUIRE(free.avg_power_w > 350);
  const Result capped = run("h100-sxm", big, {"chip.power.tdp=350 W"});
  CHECK(*capped.avg_clock_ratio < 0.95);
  CHECK(capped.latency_s > free.latency_s * 1.05);
  CHECK(capped.avg_power_w <= 350.0 * 1.01);
  CHECK(capped.avg_power_w >= 350.0 * 0.95);
  check_invariants(capped, "h100-sxm");

  const std::string decode = kSrc + "/configs/workloads/llama-2-7b-decode.yaml";
  const Result d_free = run("h100-sxm", decode);
  const Result d_capped = run("h100-sxm", decode, {"chip.power.tdp=350 W"});
  CHECK(d_capped.avg_power_w < 350.0);
  CHECK(d_capped.latency_s <= d_free.latency_s * 1.03);
  check_invariants(d_capped, "h100-sxm");
}

TEST_CASE("a lower cap never speeds a run up", "[power][dvfs]") {
  const std::string wl = kSrc + "/configs/workloads/llama-2-7b-prefill.yaml";
  double previous = 0;
  for (const char* tdp : {"1 kW", "400 W", "300 W", "220 W"}) {
    const Result r = run("h100-sxm", wl, {std::string("chip.power.tdp=") + tdp});
    CHECK(r.latency_s >= previous);
    previous = r.latency_s;
    check_invariants(r, "h100-sxm");
  }
}

TEST_CASE("power keys of the cap are checked", "[power][dvfs]") {
  auto error_of = [](const std::vector<std::string>& set) {
    try {
      arch::Chip::load(kSrc + "/configs/chips/h100-sxm.yaml", set);
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(error_of({"chip.power.tdp=100 W"}), Catch::Contains("must exceed 'active_idle'"));
  CHECK_THAT(error_of({"chip.power.tdp=700 W", "chip.power.threshold_voltage=0.9 V"}), Catch::Contains("below the core voltage"));
  CHECK_THAT(error_of({"chip.power.min_clock=0"}), Catch::Contains("min_clock"));
  CHECK_THAT(error_of({"chip.power.tpd=700 W"}), Catch::Contains("did you mean 'tdp'"));
}
