// SPDX-License-Identifier: MIT
// Workloads: op graphs loaded from files (spec .yaml, config.json, SCALE-Sim .csv) with overrides.
#include <pybind11/stl.h>

#include <memory>

#include "python/bindings/bindings.h"
#include "workloads/describe.h"
#include "workloads/loader.h"

namespace pyb = pybind11;

namespace xpusim::py {

void bind_workloads(pyb::module_& m) {
  pyb::class_<wl::OpGraph, std::shared_ptr<wl::OpGraph>>(m, "OpGraph", "A validated op graph; immutable.")
      .def_property_readonly("name", &wl::OpGraph::name)
      .def_property_readonly("compression", &wl::OpGraph::compression,
                             "The compression what-ifs applied, in --compress syntax; \"\" when none.")
      .def("__len__", &wl::OpGraph::size)
      .def(
          "summary",
          [](const wl::OpGraph& g) {
            const wl::GraphSummary s = wl::describe(g);
            return pyb::dict(pyb::arg("name") = s.name, pyb::arg("items") = s.items,
                             pyb::arg("item_unit") = s.item_unit, pyb::arg("ops") = s.ops,
                             pyb::arg("tensors") = s.tensors, pyb::arg("weight_bytes") = s.weight_bytes.count(),
                             pyb::arg("flops") = s.flops.count(),
                             pyb::arg("compulsory_bytes") = s.compulsory_bytes.count());
          },
          "Totals before simulation: items, ops, weight bytes, FLOPs and compulsory bytes.")
      .def("describe", [](const wl::OpGraph& g, std::size_t max_rows) {
        return wl::format_summary(wl::describe(g), max_rows);
      }, pyb::arg("max_rows") = 20, "The text of `xpusim describe`.");

  m.def(
      "load_workload",
      [](const pyb::object& path, const std::vector<std::string>& overrides) {
        const std::string p = fspath(path);
        return std::make_shared<wl::OpGraph>(wl::load_workload(p, overrides));
      },
      pyb::arg("path"), pyb::arg("overrides") = std::vector<std::string>{},
      "Loads a workload file; overrides are 'key=value' strings (batch=8; compression.sparsity=2:4 for "
      "the compression what-ifs, on any file type). Raises ConfigError.");
}

}  // namespace xpusim::py
