// SPDX-License-Identifier: MIT
// Runs a scenario for `xpusim run --scenario` (or a workload with a `scenario:` block).
#include "arch/system.h"
#include "sim/cli/cli.h"
#include "sim/config/config_error.h"
#include "sim/scenario/batch_scenario.h"
#include "sim/scenario/llm_scenario.h"
#include "workloads/loader.h"
#include "workloads/serving.h"

namespace xpusim::cli {

Result run_scenario(const std::string& hardware_path, bool is_system, const std::vector<std::string>& overrides,
                    const std::string& workload_path, const std::vector<std::string>& workload_overrides,
                    const ScenarioSpec& spec, bool trace) {
  SimOptions options;
  options.trace = trace;
  if (wl::workload_type(workload_path) == "generation") {
    const wl::GenerationSpec gen = wl::load_generation_spec(workload_path, workload_overrides);
    std::unique_ptr<arch::System> system =
        is_system ? arch::System::load(hardware_path, overrides) : arch::System::single(load_chip(hardware_path, overrides));
    return run_llm_scenario(*system, gen, spec, options);
  }
  if (is_system) {
    throw ConfigError(spec.mark, "scenario: only LLM generation workloads (type: generation) run on a --system; run '" +
                                     workload_path + "' on one chip with --chip");
  }
  std::unique_ptr<arch::Chip> chip = load_chip(hardware_path, overrides);
  return run_batch_scenario(*chip, workload_path, workload_overrides, spec, options);
}

}  // namespace xpusim::cli
