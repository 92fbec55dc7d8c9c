// SPDX-License-Identifier: MIT
// simulate(), scenarios and LLM generations, and the Result as a dict with the keys of the JSON result.
#include <pybind11/stl.h>

#include <mutex>
#include <optional>

#include "arch/system.h"
#include "python/bindings/bindings.h"
#include "sim/driver/serving.h"
#include "sim/driver/simulate.h"
#include "sim/scenario/batch_scenario.h"
#include "sim/scenario/llm_scenario.h"
#include "workloads/loader.h"
#include "workloads/serving.h"

namespace pyb = pybind11;

namespace xpusim::py {

std::mutex& simulation_mutex() {
  static std::mutex m;
  return m;
}

namespace {

pyb::dict op_dict(const OpResult& o) {
  pyb::dict d;
  d["name"] = o.name;
  d["kind"] = o.kind;
  d["unit"] = o.unit;
  d["dataflow"] = o.dataflow;
  d["start_s"] = o.start_s;
  d["end_s"] = o.end_s;
  d["flops"] = o.flops;
  d["bytes"] = o.bytes;
  d["bound"] = o.bound;
  d["bound_level"] = o.bound_level;
  d["compute_cycles"] = o.compute_cycles;
  d["energy_j"] = o.energy_j;
  d["roofline_s"] = o.roofline_s;
  d["dequant_ops"] = o.dequant_ops;
  d["dequant_s"] = o.dequant_s;
  if (o.clock_ratio) d["clock_ratio"] = *o.clock_ratio;
  if (!o.members.empty()) d["members"] = o.members;
  return d;
}

/// The JSON result's "scenario" object.
pyb::dict scenario_dict(const ScenarioReport& s) {
  pyb::dict d;
  d["kind"] = s.kind;
  d["batching"] = s.batching;
  d["seed"] = s.seed;
  d["queries"] = s.queries;
  d["samples_per_query"] = s.samples_per_query;
  d["target_qps"] = s.target_qps;
  d["duration_s"] = s.duration_s;
  d["throughput"] = pyb::dict(pyb::arg("value") = s.throughput_value, pyb::arg("unit") = s.throughput_unit);
  pyb::dict latency;
  for (const auto& l : s.latencies) {
    latency[pyb::str(l.name)] = pyb::dict(pyb::arg("count") = l.count, pyb::arg("mean_s") = l.mean_s,
                                          pyb::arg("p50_s") = l.p50_s, pyb::arg("p90_s") = l.p90_s,
                                          pyb::arg("p99_s") = l.p99_s, pyb::arg("max_s") = l.max_s);
  }
  d["latency"] = latency;
  pyb::list constraints;
  for (const auto& c : s.constraints) {
    constraints.append(pyb::dict(pyb::arg("metric") = c.metric, pyb::arg("percentile") = c.percentile,
                                 pyb::arg("bound_s") = c.bound_s, pyb::arg("value_s") = c.value_s,
                                 pyb::arg("met") = c.met, pyb::arg("source") = c.source));
  }
  d["constraints"] = constraints;
  const int met = s.met();
  d["met"] = met < 0 ? pyb::object(pyb::none()) : pyb::object(pyb::bool_(met == 1));
  pyb::dict figures;
  for (const auto& [key, value] : s.figures) figures[pyb::str(key)] = value;
  d["figures"] = figures;
  pyb::list steps;
  for (const auto& st : s.steps) {
    steps.append(pyb::dict(pyb::arg("phase") = st.phase, pyb::arg("batch") = st.batch, pyb::arg("tokens") = st.tokens,
                           pyb::arg("past_tokens") = st.past_tokens, pyb::arg("decode_batch") = st.decode_batch,
                           pyb::arg("decode_tokens") = st.decode_tokens, pyb::arg("count") = st.count,
                           pyb::arg("latency_s") = st.latency_s));
  }
  d["steps"] = steps;
  d["simulations"] = s.simulations;
  return d;
}

}  // namespace

/// Same keys, same order as the JSON result; `roofline` and `timeline` are extra keys.
pyb::dict result_dict(const Result& r) {
  pyb::dict d;
  d["chip"] = r.chip;
  d["workload"] = r.workload;
  d["compression"] = r.compression;
  if (!r.fusion.empty()) d["fusion"] = r.fusion;
  d["latency_s"] = r.latency_s;
  d["throughput"] = pyb::dict(pyb::arg("value") = r.throughput_value, pyb::arg("unit") = r.throughput_unit);
  d["energy_j"] = r.energy_j;
  d["avg_power_w"] = r.avg_power_w;
  if (r.power_cap_w) d["power_cap_w"] = *r.power_cap_w;
  if (r.avg_clock_ratio) d["avg_clock_ratio"] = *r.avg_clock_ratio;
  pyb::dict energy;
  for (const auto& [component, joules] : r.energy_breakdown_j) energy[pyb::str(component)] = joules;
  d["energy_breakdown_j"] = energy;
  d["time_bound_fraction"] = pyb::dict(pyb::arg("compute") = r.bound_compute, pyb::arg("memory") = r.bound_memory,
                                       pyb::arg("interconnect") = r.bound_interconnect);
  pyb::list ops;
  for (const auto& o : r.ops) ops.append(op_dict(o));
  d["ops"] = ops;
  pyb::list stats;
  for (const auto& s : r.stats) {
    stats.append(pyb::dict(pyb::arg("component") = s.component, pyb::arg("key") = s.key, pyb::arg("value") = s.value,
                           pyb::arg("unit") = s.unit));
  }
  d["stats"] = stats;
  pyb::dict peaks;
  for (const auto& [name, rate] : r.peak_flops_per_s) peaks[pyb::str(name)] = rate;
  d["roofline"] = pyb::dict(pyb::arg("peak_flops_per_s") = peaks,
                            pyb::arg("peak_bandwidth_bytes_per_s") = r.peak_bandwidth_bytes_per_s);
  pyb::list timeline;
  for (const auto& t : r.timeline) {
    timeline.append(pyb::dict(pyb::arg("track") = t.track, pyb::arg("name") = t.name,
                              pyb::arg("category") = t.category, pyb::arg("start_ps") = t.start_ps,
                              pyb::arg("duration_ps") = t.duration_ps));
  }
  d["timeline"] = timeline;
  if (r.scenario) d["scenario"] = scenario_dict(*r.scenario);
  return d;
}

namespace {

pyb::dict run(const std::shared_ptr<arch::Chip>& chip, const std::shared_ptr<wl::OpGraph>& graph, bool trace,
              std::uint64_t seed) {
  Result r;
  {
    // Release the GIL first: a thread waiting for the mutex must not block Python.
    pyb::gil_scoped_release no_gil;
    std::lock_guard<std::mutex> lock(simulation_mutex());
    r = simulate(*chip, *graph, SimOptions{trace, seed});
  }
  return result_dict(r);
}

/// A generation or scenario on a chip: LLM generations on the chip as a one-chip system (rebuilt from
/// its config, so the shared chip is not taken over), other workloads on the chip itself.
pyb::dict run_workload(const std::shared_ptr<arch::Chip>& chip, const pyb::object& workload,
                       const std::vector<std::string>& workload_overrides, const std::string& scenario,
                       const std::vector<std::string>& scenario_overrides, bool trace, std::uint64_t seed) {
  const std::string path = fspath(workload);
  const std::optional<ScenarioSpec> spec = resolve_scenario(path, scenario, scenario_overrides);
  const bool is_generation = wl::workload_type(path) == "generation";
  if (!spec && !is_generation) throw ConfigError(SourceMark{path, 0, 0}, "run_workload needs a scenario or a generation workload");
  Result r;
  std::optional<GenerationResult> generation;
  {
    pyb::gil_scoped_release no_gil;
    std::lock_guard<std::mutex> lock(simulation_mutex());
    const SimOptions options{trace, seed};
    if (is_generation) {
      const wl::GenerationSpec gen = wl::load_generation_spec(path, workload_overrides);
      auto system = arch::System::single(arch::Chip::build(chip->config()));
      r = spec ? run_llm_scenario(*system, gen, *spec, options) : simulate_spec(*system, gen, options, &generation);
    } else {
      r = run_batch_scenario(*chip, path, workload_overrides, *spec, options);
    }
  }
  pyb::dict d = result_dict(r);
  if (generation) d["generation"] = generation_dict(*generation);
  return d;
}

}  // namespace

void bind_sim(pyb::module_& m) {
  m.def("run_workload", &run_workload, pyb::arg("chip"), pyb::arg("workload"), pyb::arg("workload_overrides"),
        pyb::arg("scenario") = "", pyb::arg("scenario_overrides") = std::vector<std::string>{},
        pyb::arg("trace") = false, pyb::arg("seed") = 1,
        "Runs a scenario (`scenario`: a kind, a scenario YAML path, 'none' or '' for the workload's own "
        "block; `scenario_overrides`: 'key=value') or an LLM generation of a workload file on `chip`, and "
        "returns the result dict. Raises ConfigError.");
  m.def("has_scenario", [](const pyb::object& path) { return resolve_scenario(fspath(path), "", {}).has_value(); },
        pyb::arg("path"), "True when the workload file has a (valid) scenario: block. Raises ConfigError for a bad one.");
  m.def("workload_type", [](const pyb::object& path) { return wl::workload_type(fspath(path)); }, pyb::arg("path"),
        "The type of a workload file: a spec's type (generation, resnet50, ...), transformer, trace or topology.");
  m.def(
      "check_generation",
      [](const pyb::object& path, const std::vector<std::string>& overrides) {
        const wl::GenerationSpec g = wl::load_generation_spec(fspath(path), overrides);
        return pyb::dict(pyb::arg("name") = g.model.name + "-generation", pyb::arg("model") = g.model.name,
                         pyb::arg("batch") = g.batch, pyb::arg("prompt_len") = g.prompt_len,
                         pyb::arg("output_len") = g.output_len, pyb::arg("kv_bucket") = g.kv_bucket);
      },
      pyb::arg("path"), pyb::arg("overrides") = std::vector<std::string>{},
      "Checks a `type: generation` spec with overrides; returns its model, batch and lengths. Raises ConfigError.");
  m.def("simulate", &run, pyb::arg("chip"), pyb::arg("graph"), pyb::arg("trace") = false, pyb::arg("seed") = 1,
        "Runs `graph` on `chip` and returns the result as a dict (JSON keys). Releases the GIL; "
        "simulations in one process take turns. Raises ConfigError when the graph cannot be mapped.");
}

}  // namespace xpusim::py
