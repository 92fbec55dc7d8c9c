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

std::string gemm(int m, int n, int k, const std::string& dtype = "bf16") {
  const std::string path = "/tmp/xpusim_power_cap_gemm_" + std::to_string(m) + "_" + dtype + ".yaml";
  std::FILE* f = std::fopen(path.c_str(), "w");
  std::fprintf(f, "workload: {type: gemm, m: %d, n: %d, k: %d, dtype: %s}\n", m, n, k, dtype.c_str());
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
    const Result free = run("h100-sxm", wl, {"chip.power.tdp=0 W", "chip.power.max_clock=1"});
    const Result capped = run("h100-sxm", wl, {"chip.power.tdp=5 kW", "chip.power.max_clock=1"});
    CHECK_FALSE(free.power_cap_w.has_value());
    CHECK_FALSE(free.avg_clock_ratio.has_value());
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
    // With a boost clock and no cap every kernel boosts; a cap above the draw changes nothing.
    const Result boosted = run("h100-sxm", wl, {"chip.power.tdp=0 W"});
    const Result boosted_capped = run("h100-sxm", wl, {"chip.power.tdp=5 kW"});
    CHECK(boosted.avg_clock_ratio == Approx(1.082));
    CHECK(boosted.latency_s < free.latency_s);
    CHECK(boosted_capped.latency_s == boosted.latency_s);
    CHECK(boosted_capped.energy_j == boosted.energy_j);
  }
}

TEST_CASE("calibration: dense BF16 tensor work at the power limit runs at the clock measured under sustained tensor load", "[power][dvfs]") {
  // configs/chips/*.yaml derive active_energy_per_cycle from these operating points: H100 1575 of
  // 1830 MHz (DeepGEMM issue 120), B200 1580 of 1856 MHz (flashinfer PR 2899); A100 and L40S at the
  // clock their peak is quoted at, where the GEMM draws exactly the TDP.
  const std::string big = gemm(8192, 8192, 8192);
  struct Point { std::string chip; double clock_ratio; double tdp; };
  for (const Point& p : {Point{"h100-sxm", 1575.0 / 1830, 700}, Point{"b200", 1580.0 / 1856, 1000},
                         Point{"a100-sxm-80gb", 1.0, 400}, Point{"l40s", 1.0, 350}}) {
    INFO(p.chip);
    const Result capped = run(p.chip, big);
    CHECK(*capped.avg_clock_ratio == Approx(p.clock_ratio).epsilon(0.01));
    CHECK(capped.avg_power_w == Approx(p.tdp).epsilon(0.02));
  }
}

TEST_CASE("an L4 with the L40S's SM cycle energy cannot hold its boost clock on dense BF16 at 72 W", "[power][dvfs]") {
  // Same Ada SM on the same node as L40S, so the same active_energy_per_cycle (not calibrated on the L4):
  // BF16 MACs alone need ~44 W at 2040 MHz, so the GEMM settles near 1.73 GHz at the cap; INT8 MACs
  // cost a fifth, so INT8 runs at the boost clock under it.
  const Result bf16 = run("l4", gemm(8192, 8192, 8192));
  CHECK(*bf16.avg_clock_ratio == Approx(0.85).epsilon(0.02));
  CHECK(bf16.avg_power_w == Approx(72).epsilon(0.02));
  const Result int8 = run("l4", gemm(8192, 8192, 8192, "int8"));
  CHECK(int8.avg_clock_ratio.value_or(1.0) == 1.0);
  CHECK(int8.avg_power_w < 72);
}

TEST_CASE("raising an H200's cap from 700 W to 1000 W speeds a compute-bound prefill, not a memory-bound decode step", "[power][dvfs]") {
  const std::string wl = kSrc + "/configs/workloads/llama-2-70b-decode.yaml";
  auto h200 = [&](const char* tdp, const std::vector<std::string>& w) {
    auto c = arch::Chip::load(kSrc + "/configs/chips/h200-sxm.yaml", {std::string("chip.power.tdp=") + tdp});
    return simulate(*c, wl::load_workload(wl, w));
  };
  const std::vector<std::string> prefill{"phase=prefill", "prompt_len=2048", "batch=1", "dtype=fp8"};
  const Result p700 = h200("700 W", prefill), p1000 = h200("1000 W", prefill);
  const double speedup = p700.latency_s / p1000.latency_s - 1;
  INFO("prefill speed-up " << speedup * 100 << " %");
  CHECK(speedup > 0.05);
  CHECK(speedup < 0.20);
  CHECK(p700.avg_power_w <= 700);
  const Result d700 = h200("700 W", {}), d1000 = h200("1000 W", {});
  CHECK(d700.latency_s / d1000.latency_s - 1 < 0.03);
}

TEST_CASE("a memory-bound decode step draws well under the cap and a B200 spends less per token than an H100", "[power][dvfs]") {
  const std::string decode = kSrc + "/configs/workloads/llama-2-7b-decode.yaml";
  for (int batch : {8, 64}) {
    const std::vector<std::string> w{"batch=" + std::to_string(batch)};
    const Result h = simulate(*arch::Chip::load(kSrc + "/configs/chips/h100-sxm.yaml"), wl::load_workload(decode, w));
    const Result b = simulate(*arch::Chip::load(kSrc + "/configs/chips/b200.yaml"), wl::load_workload(decode, w));
    // One step makes `batch` tokens on both: energy per token compares as the step's energy.
    INFO("batch " << batch << ": H100 " << h.avg_power_w << " W, " << h.energy_j / batch << " J/token; B200 " << b.avg_power_w
                  << " W, " << b.energy_j / batch << " J/token");
    CHECK(h.avg_power_w < 0.8 * 700);
    CHECK(b.avg_power_w < 0.8 * 1000);
    CHECK(b.energy_j < h.energy_j);
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
  CHECK_THAT(error_of({"chip.power.alpha=1"}), Catch::Contains("alpha") && Catch::Contains("greater than 1"));
  // alpha barely above 1 grows the clock a voltage allows so slowly that a boost is out of reach.
  CHECK_THAT(error_of({"chip.power.alpha=1.000001", "chip.power.max_clock=2"}), Catch::Contains("max_clock") &&
                                                                                 Catch::Contains("4x the core voltage"));
  CHECK_THAT(error_of({"chip.power.max_clock=0.5"}), Catch::Contains("max_clock"));
}
