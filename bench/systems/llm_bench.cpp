// SPDX-License-Identifier: MIT
// LLM system benchmark: wall time and peak memory of simulating Llama-2-70B (1024 in / 1024 out,
// batch 32) on 8x H200 with TP=8, and GPT-3 175B on 4x A100 (TP=4, int8 weights). Targets: 1 s and
// 500 MB for the first, 10 s for the second. Run: build/xpusim_llm_bench
#include <sys/resource.h>

#include <chrono>
#include <cstdio>

#include "sim/config/config_error.h"
#include "sim/driver/serving.h"

using namespace xpusim;

namespace {

long peak_rss_kib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

void bench(const char* label, const std::string& system, const std::string& workload, double target_s) {
  auto t0 = std::chrono::steady_clock::now();
  auto sys = arch::System::load(system);
  const wl::GenerationSpec spec = wl::load_generation_spec(workload);
  const GenerationResult g = simulate_generation(*sys, spec);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%-34s wall %7.2f s (target %4.1f s)  peak RSS %6.1f MB  simulations %zu\n", label, wall, target_s,
              static_cast<double>(peak_rss_kib()) / 1024.0, g.simulations);
  std::printf("%-34s TTFT %.1f ms  TPOT %.2f ms  total %.2f s  %.0f tokens/s\n", "", g.ttft_s * 1e3, g.tpot_s * 1e3, g.total_s,
              g.tokens_per_s);
}

}  // namespace

int main() {
  const std::string root = XPUSIM_SOURCE_DIR;
  try {
    bench("llama-2-70b 8x H200 TP=8 b32", root + "/configs/systems/hgx-h200-8.yaml",
          root + "/configs/workloads/llama-2-70b-generation.yaml", 1.0);
    bench("gpt3-175b 4x A100 TP=4 b8 int8w", root + "/configs/systems/hgx-a100-4.yaml",
          root + "/configs/workloads/gpt3-175b-generation.yaml", 10.0);
  } catch (const ConfigError& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }
  return 0;
}
