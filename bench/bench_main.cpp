// SPDX-License-Identifier: MIT
// Speed benchmark: simulates ResNet-50 (SCALE-Sim topology) on 128x128 and 256x256 arrays in every
// dataflow, many times each, and reports wall time per run, peak memory, and whether the compute
// cycles equal SCALE-Sim's closed form. Run: build/xpusim_bench [repetitions]
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <vector>
#include <string>

#include "arch/chip.h"
#include "arch/compute/systolic_array.h"
#include "sim/config/config_error.h"
#include "sim/config/config_node.h"
#include "sim/driver/simulate.h"
#include "workloads/importers/scalesim_topology.h"
#include "workloads/loader.h"

using namespace xpusim;

namespace {

std::int64_t scalesim_total(const wl::OpGraph& g, arch::Dataflow df, std::int64_t n) {
  std::int64_t total = 0;
  for (wl::OpId id = 0; id < g.size(); ++id) {
    wl::GemmView v = wl::gemm_view(g.op(id));
    total += arch::scalesim_layer_cycles(v.m, v.n, v.k, df, n, n);
  }
  return total;
}

double cpu_ms_since(std::clock_t c0) { return 1000.0 * static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC; }

/// Builds and simulates every bundled workload spec once on one chip: CPU time of each step.
void bench_workloads(const std::string& root, const std::string& chip_name) {
  std::vector<std::string> specs;
  for (const auto& e : std::filesystem::directory_iterator(root + "/configs/workloads")) {
    if (e.path().extension() == ".yaml") specs.push_back(e.path().string());
  }
  std::sort(specs.begin(), specs.end());
  auto chip = arch::Chip::load(root + "/configs/chips/" + chip_name + ".yaml");
  std::printf("\nbundled workloads on %s (CPU ms)\n%-28s %7s %10s %10s %12s\n", chip_name.c_str(), "workload", "ops",
              "build", "simulate", "latency");
  for (const auto& spec : specs) {
    const ConfigNode doc = ConfigNode::load_file(spec);
    const ConfigNode* type = doc.find("workload") ? doc.find("workload")->find("type") : nullptr;
    if (type && type->value() == "generation") {
      // Whole generations need a multi-chip system to fit: build/xpusim_llm_bench times them.
      std::printf("%-28s %7s   (generation: see xpusim_llm_bench)\n", std::filesystem::path(spec).stem().c_str(), "-");
      continue;
    }
    std::clock_t c0 = std::clock();
    const wl::OpGraph g = wl::load_workload(spec);
    const double build = cpu_ms_since(c0);
    c0 = std::clock();
    const Result r = simulate(*chip, g);
    const double sim = cpu_ms_since(c0);
    std::printf("%-28s %7zu %10.1f %10.1f %10.3f ms\n", std::filesystem::path(spec).stem().c_str(), g.size(), build, sim,
                r.latency_s * 1e3);
  }
}

long peak_rss_kib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

}  // namespace

int main(int argc, char** argv) {
  const int reps = argc > 1 ? std::atoi(argv[1]) : 20;
  const std::string root = XPUSIM_SOURCE_DIR;
  try {
    const wl::OpGraph graph = wl::import_scalesim_topology(root + "/traces/scalesim/resnet50.csv");
    std::printf("%-9s %-3s %10s %10s %16s %16s %s\n", "array", "df", "wall ms", "cpu ms", "compute cycles", "SCALE-Sim",
                "equal");
    for (std::int64_t n : {128, 256}) {
      for (const char* df : {"os", "ws", "is"}) {
        auto chip = arch::Chip::load(root + "/configs/chips/scalesim-128x128.yaml",
                                     {"mxu.rows=" + std::to_string(n), "mxu.cols=" + std::to_string(n), std::string("mxu.dataflow=") + df});
        Result r;
        // CPU time as well as wall time: on a shared machine the CPU figure is the stable one.
        const std::clock_t c0 = std::clock();
        auto t0 = std::chrono::steady_clock::now();
        for (int i = 0; i < reps; ++i) r = simulate(*chip, graph);
        auto t1 = std::chrono::steady_clock::now();
        const double cpu_ms = 1000.0 * static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC / reps;
        std::int64_t cycles = 0;
        for (const auto& op : r.ops) cycles += op.compute_cycles;
        const arch::Dataflow d = df[0] == 'o' ? arch::Dataflow::kOutputStationary
                                 : df[0] == 'w' ? arch::Dataflow::kWeightStationary
                                                : arch::Dataflow::kInputStationary;
        const std::int64_t ref = scalesim_total(graph, d, n);
        const double ms = std::chrono::duration<double, std::milli>(t1 - t0).count() / reps;
        std::printf("%4lldx%-4lld %-3s %10.2f %10.2f %16lld %16lld %s\n", static_cast<long long>(n), static_cast<long long>(n), df, ms, cpu_ms,
                    static_cast<long long>(cycles), static_cast<long long>(ref), cycles == ref ? "yes" : "NO");
      }
    }
    std::printf("peak RSS: %.1f MiB\n", static_cast<double>(peak_rss_kib()) / 1024.0);
    bench_workloads(root, "h100-sxm");
  } catch (const ConfigError& e) {
    std::fprintf(stderr, "bench: %s\n", e.what());
    return 2;
  }
  return 0;
}
