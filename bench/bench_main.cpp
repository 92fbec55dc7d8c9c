// SPDX-License-Identifier: MIT
// Speed benchmark: simulates ResNet-50 (SCALE-Sim topology) on 128x128 and 256x256 arrays in every
// dataflow, many times each, and reports wall time per run, peak memory, and whether the compute
// cycles equal SCALE-Sim's closed form. Run: build/xpusim_bench [repetitions]
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "arch/chip.h"
#include "arch/compute/systolic_array.h"
#include "sim/config/config_error.h"
#include "sim/driver/simulate.h"
#include "workloads/importers/scalesim_topology.h"

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
    std::printf("%-9s %-3s %12s %16s %16s %s\n", "array", "df", "ms/run", "compute cycles", "SCALE-Sim", "equal");
    for (std::int64_t n : {128, 256}) {
      for (const char* df : {"os", "ws", "is"}) {
        auto chip = arch::Chip::load(root + "/configs/chips/scalesim-128x128.yaml",
                                     {"mxu.rows=" + std::to_string(n), "mxu.cols=" + std::to_string(n), std::string("mxu.dataflow=") + df});
        Result r;
        auto t0 = std::chrono::steady_clock::now();
        for (int i = 0; i < reps; ++i) r = simulate(*chip, graph);
        auto t1 = std::chrono::steady_clock::now();
        std::int64_t cycles = 0;
        for (const auto& op : r.ops) cycles += op.compute_cycles;
        const arch::Dataflow d = df[0] == 'o' ? arch::Dataflow::kOutputStationary
                                 : df[0] == 'w' ? arch::Dataflow::kWeightStationary
                                                : arch::Dataflow::kInputStationary;
        const std::int64_t ref = scalesim_total(graph, d, n);
        const double ms = std::chrono::duration<double, std::milli>(t1 - t0).count() / reps;
        std::printf("%4lldx%-4lld %-3s %12.2f %16lld %16lld %s\n", static_cast<long long>(n), static_cast<long long>(n), df, ms,
                    static_cast<long long>(cycles), static_cast<long long>(ref), cycles == ref ? "yes" : "NO");
      }
    }
    std::printf("peak RSS: %.1f MiB\n", static_cast<double>(peak_rss_kib()) / 1024.0);
  } catch (const ConfigError& e) {
    std::fprintf(stderr, "bench: %s\n", e.what());
    return 2;
  }
  return 0;
}
