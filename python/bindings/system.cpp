// SPDX-License-Identifier: MIT
// Multi-chip systems (configs/systems/*.yaml with overrides) and runs on them: LLM generation and
// single steps (sharded for the system's tp / pp / ep) or any other workload on the first stage's chip.
#include <pybind11/stl.h>

#include <cctype>
#include <filesystem>
#include <memory>

#include "arch/system.h"
#include "python/bindings/bindings.h"
#include "sim/config/config_error.h"
#include "sim/driver/serving.h"
#include "sim/scenario/llm_scenario.h"
#include "workloads/loader.h"

namespace pyb = pybind11;

namespace xpusim::py {

pyb::dict generation_dict(const GenerationResult& g) {
  pyb::list buckets;
  for (const auto& b : g.buckets) buckets.append(pyb::dict(pyb::arg("kv_len") = b.kv_len, pyb::arg("steps") = b.steps));
  return pyb::dict(pyb::arg("ttft_s") = g.ttft_s, pyb::arg("tpot_s") = g.tpot_s, pyb::arg("total_s") = g.total_s,
                   pyb::arg("tokens_per_s") = g.tokens_per_s, pyb::arg("simulations") = g.simulations,
                   pyb::arg("buckets") = buckets);
}

namespace {

/// True when the file is a `type: generation` or `type: transformer` spec, the kinds that are sharded
/// over a system's chips; other workloads (a Hugging Face config.json included) run unsharded.
bool is_llm_spec(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext == ".json") return false;
  const std::string type = wl::workload_type(path);
  return type == "generation" || type == "transformer";
}

pyb::dict run(const std::shared_ptr<arch::System>& system, const std::string& workload,
              const std::vector<std::string>& overrides, bool trace, std::uint64_t seed, const std::string& scenario,
              const std::vector<std::string>& scenario_overrides) {
  const SimOptions sim{trace, seed};
  const bool llm = is_llm_spec(workload);
  // Spec errors surface before the (possibly long) run, with the GIL held for the exception.
  std::optional<wl::GenerationSpec> spec;
  std::optional<wl::OpGraph> graph;
  if (llm) spec = wl::load_generation_spec(workload, overrides);
  // A scenario (the file's own block unless `scenario` is "none") serves many requests; generations only.
  std::optional<ScenarioSpec> serving;
  if (llm && !spec->single_step) serving = resolve_scenario(workload, scenario, scenario_overrides);
  const bool asked = (!scenario.empty() && scenario != "none") || !scenario_overrides.empty();
  if (!serving && asked) {
    throw ConfigError(SourceMark{workload, 0, 0}, "scenario: only LLM generation workloads (type: generation) run on a "
                                                  "system; run '" + workload + "' on one chip");
  }
  if (!llm) graph.emplace(wl::load_workload(workload, overrides));
  Result r;
  std::optional<GenerationResult> gen;
  {
    pyb::gil_scoped_release no_gil;
    std::lock_guard<std::mutex> lock(simulation_mutex());
    if (serving) {
      r = run_llm_scenario(*system, *spec, *serving, sim);
    } else {
      r = graph ? simulate_system(*system, *graph, sim) : simulate_spec(*system, *spec, sim, &gen);
    }
  }
  pyb::dict d = result_dict(r);
  if (gen) d["generation"] = generation_dict(*gen);
  return d;
}

}  // namespace

void bind_system(pyb::module_& m) {
  pyb::class_<arch::System, std::shared_ptr<arch::System>>(m, "System", "A multi-chip system built from its config.")
      .def_property_readonly("name", &arch::System::name)
      .def_property_readonly("count", &arch::System::count)
      .def_property_readonly("parallelism", [](const arch::System& s) {
        const auto& p = s.parallelism();
        return pyb::dict(pyb::arg("tp") = p.tp, pyb::arg("pp") = p.pp, pyb::arg("ep") = p.ep, pyb::arg("dp") = p.dp,
                         pyb::arg("microbatches") = p.microbatches);
      }, "tp, pp, ep, dp and micro-batches of a run.")
      .def_property_readonly("collective", [](const arch::System& s) { return arch::to_string(s.algorithm()); })
      .def_property_readonly("chip_name", [](const arch::System& s) { return s.stage_chip(0).name(); })
      .def("config", [](const arch::System& s) { return from_config_node(s.config()); },
           "The system config with overrides applied, as nested dicts of strings.")
      .def("config_yaml", [](const arch::System& s) { return s.config().to_yaml(); });

  m.def(
      "load_system",
      [](const pyb::object& path, const std::vector<std::string>& overrides) {
        const std::string p = fspath(path);
        return std::shared_ptr<arch::System>(arch::System::load(p, overrides));
      },
      pyb::arg("path"), pyb::arg("overrides") = std::vector<std::string>{},
      "Builds a system from its YAML; overrides are 'path=value' (system.tp=4, link.lane_rate=..., "
      "switch.nvls=false; any other path goes to the chip, e.g. hbm.data_rate=...). Raises ConfigError.");
  m.def("simulate_system", &run, pyb::arg("system"), pyb::arg("workload"), pyb::arg("overrides") = std::vector<std::string>{},
        pyb::arg("trace") = false, pyb::arg("seed") = 1, pyb::arg("scenario") = "none",
        pyb::arg("scenario_overrides") = std::vector<std::string>{},
        "Runs a workload file on a system. A generation spec returns the summarised result plus "
        "`generation` {ttft_s, tpot_s, total_s, tokens_per_s, simulations, buckets}, or with a scenario "
        "(`scenario`: a kind, a scenario YAML path, '' for the file's own block, 'none' for none; "
        "`scenario_overrides`: 'key=value') the served requests; a transformer spec one sharded step; any "
        "other workload runs on the first stage's chip. Releases the GIL.");
  m.def(
      "generation_spec",
      [](const pyb::object& path, const std::vector<std::string>& overrides) {
        const std::string p = fspath(path);
        const wl::GenerationSpec s = wl::load_generation_spec(p, overrides);
        return pyb::dict(pyb::arg("model") = s.model.name, pyb::arg("batch") = s.batch, pyb::arg("prompt_len") = s.prompt_len,
                         pyb::arg("output_len") = s.output_len, pyb::arg("kv_bucket") = s.kv_bucket,
                         pyb::arg("single_step") = s.single_step);
      },
      pyb::arg("path"), pyb::arg("overrides") = std::vector<std::string>{},
      "Checks a generation or transformer spec and returns its main fields. Raises ConfigError.");
  m.def("is_llm_spec", [](const pyb::object& path) {
        return is_llm_spec(fspath(path));
      }, pyb::arg("path"), "True for a `type: generation` or `type: transformer` workload spec.");
}

}  // namespace xpusim::py
