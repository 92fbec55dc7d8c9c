// SPDX-License-Identifier: MIT
// Runs a workload spec on a multi-chip system for `xpusim run --system` and `xpusim compare --systems`,
// and a generation spec on one chip.
#include <cstdio>
#include <filesystem>

#include "arch/system.h"
#include "sim/cli/cli.h"
#include "sim/config/config_node.h"
#include "sim/driver/serving.h"

namespace xpusim::cli {

bool is_generation_spec(const std::string& path) {
  const std::string ext = std::filesystem::path(path).extension().string();
  if (ext != ".yaml" && ext != ".yml") return false;
  const ConfigNode doc = ConfigNode::load_file(path);
  const ConfigNode* workload = doc.is_map() ? doc.find("workload") : nullptr;
  const ConfigNode* type = workload && workload->is_map() ? workload->find("type") : nullptr;
  return type && type->is_scalar() && type->value() == "generation";
}

Result run_on_system(const std::string& system_path, const std::vector<std::string>& overrides,
                     const std::string& workload_path, const std::vector<std::string>& workload_overrides, bool trace,
                     std::string* summary) {
  auto system = arch::System::load(system_path, overrides);
  return run_generation(*system, workload_path, workload_overrides, trace, summary);
}

Result run_generation(arch::System& sys, const std::string& workload_path, const std::vector<std::string>& workload_overrides,
                      bool trace, std::string* summary) {
  arch::System* system = &sys;
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
