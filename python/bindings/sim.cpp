// SPDX-License-Identifier: MIT
// simulate() and the Result, as a dict with the keys of the JSON result (DESIGN.md).
#include <pybind11/stl.h>

#include <mutex>

#include "python/bindings/bindings.h"
#include "sim/driver/simulate.h"

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
  d["compute_cycles"] = o.compute_cycles;
  d["energy_j"] = o.energy_j;
  d["roofline_s"] = o.roofline_s;
  d["dequant_ops"] = o.dequant_ops;
  d["dequant_s"] = o.dequant_s;
  return d;
}

}  // namespace

/// Same keys, same order as the JSON result; `roofline` and `timeline` are extra keys.
pyb::dict result_dict(const Result& r) {
  pyb::dict d;
  d["chip"] = r.chip;
  d["workload"] = r.workload;
  d["compression"] = r.compression;
  d["latency_s"] = r.latency_s;
  d["throughput"] = pyb::dict(pyb::arg("value") = r.throughput_value, pyb::arg("unit") = r.throughput_unit);
  d["energy_j"] = r.energy_j;
  d["avg_power_w"] = r.avg_power_w;
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

}  // namespace

void bind_sim(pyb::module_& m) {
  m.def("simulate", &run, pyb::arg("chip"), pyb::arg("graph"), pyb::arg("trace") = false, pyb::arg("seed") = 1,
        "Runs `graph` on `chip` and returns the result as a dict (JSON keys). Releases the GIL; "
        "simulations in one process take turns. Raises ConfigError when the graph cannot be mapped.");
}

}  // namespace xpusim::py
