// SPDX-License-Identifier: MIT
// Runs a workload spec on a multi-chip system for `xpusim run --system` and `xpusim compare --systems`.
#include <cstdio>

#include "arch/system.h"
#include "sim/cli/cli.h"
#include "sim/driver/serving.h"

namespace xpusim::cli {

Result run_on_system(const std::string& system_path, const std::vector<std::string>& overrides,
                     const std::string& workload_path, const std::vector<std::string>& workload_overrides, bool trace,
                     std::string* summary) {
  auto system = arch::System::load(system_path, overrides);
  const wl::GenerationSpec spec = wl::load_generation_spec(workload_path, workload_overrides);
  SimOptions sim;
  sim.trace = trace;
  if (spec.single_step) return simulate_step(*system, spec, spec.options.phase, spec.options.kv_len, sim);
  GenerationOptions options;
  options.sim = sim;
  const GenerationResult g = simulate_generation(*system, spec, options);
  if (summary) {
    const auto& p = system->parallelism();
    char buf[512];
    std::snprintf(buf, sizeof buf,
                  "generation %s on %s (tp=%d pp=%d ep=%d dp=%d, %d micro-batches): batch %lld, %lld in / %lld out\n"
                  "  TTFT %.3f ms   TPOT %.3f ms   total %.3f s   %.1f tokens/s   (%zu simulations, %zu KV buckets of %lld)\n\n",
                  spec.model.name.c_str(), system->name().c_str(), p.tp, p.pp, p.ep, p.dp, p.microbatches,
                  static_cast<long long>(spec.batch), static_cast<long long>(spec.prompt_len), static_cast<long long>(spec.output_len),
                  g.ttft_s * 1e3, g.tpot_s * 1e3, g.total_s, g.tokens_per_s, g.simulations, g.buckets.size(),
                  static_cast<long long>(spec.kv_bucket));
    *summary = buf;
  }
  return summarize(g);
}

}  // namespace xpusim::cli
