// SPDX-License-Identifier: MIT
// Runs a workload spec on a multi-chip system for `xpusim run --system` and `xpusim compare --systems`,
// and a generation spec on one chip.
#include <cstdio>

#include "arch/system.h"
#include "sim/cli/cli.h"
#include "sim/driver/serving.h"

namespace xpusim::cli {

Result run_on_system(const std::string& system_path, const std::vector<std::string>& overrides,
                     const std::string& workload_path, const std::vector<std::string>& workload_overrides, bool trace,
                     std::string* summary) {
  auto system = arch::System::load(system_path, overrides);
  return run_generation(*system, workload_path, workload_overrides, trace, summary);
}

Result run_generation(arch::System& system, const std::string& workload_path, const std::vector<std::string>& workload_overrides,
                      bool trace, std::string* summary) {
  const wl::GenerationSpec spec = wl::load_generation_spec(workload_path, workload_overrides);
  SimOptions sim;
  sim.trace = trace;
  std::optional<GenerationResult> generation;
  Result r = simulate_spec(system, spec, sim, &generation);
  if (!generation) return r;  // one step of a transformer spec
  const GenerationResult& g = *generation;
  if (summary) {
    const auto& p = system.parallelism();
    char buf[512];
    std::snprintf(buf, sizeof buf,
                  "generation %s on %s (tp=%d pp=%d ep=%d dp=%d, %d micro-batches): batch %lld, %lld in / %lld out\n"
                  "  TTFT %.3f ms   TPOT %.3f ms   total %.3f s   %.1f tokens/s   (%zu simulations, %zu KV buckets of %lld)\n\n",
                  spec.model.name.c_str(), system.name().c_str(), p.tp, p.pp, p.ep, p.dp, p.microbatches,
                  static_cast<long long>(spec.batch), static_cast<long long>(spec.prompt_len), static_cast<long long>(spec.output_len),
                  g.ttft_s * 1e3, g.tpot_s * 1e3, g.total_s, g.tokens_per_s, g.simulations, g.buckets.size(),
                  static_cast<long long>(spec.kv_bucket));
    *summary = buf;
  }
  return r;
}

}  // namespace xpusim::cli
