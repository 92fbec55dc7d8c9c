// SPDX-License-Identifier: MIT
// Chips (from a YAML file or a dict, with dotted-path overrides) and the model registry.
#include <pybind11/stl.h>

#include <memory>

#include "arch/chip.h"
#include "arch/registry.h"
#include "python/bindings/bindings.h"

namespace pyb = pybind11;

namespace xpusim::py {
namespace {

/// Same addressing as Chip::load and `--set`: `dram.bandwidth` names a component without the
/// `components.` prefix; paths starting with `chip.` or `components.` are taken as written.
std::vector<std::string> component_paths(const std::vector<std::string>& overrides) {
  std::vector<std::string> out;
  for (const auto& o : overrides) {
    const bool top = o.rfind("chip.", 0) == 0 || o.rfind("components.", 0) == 0;
    out.push_back(top ? o : "components." + o);
  }
  return out;
}

std::shared_ptr<arch::Chip> load_chip(const pyb::object& source, const std::vector<std::string>& overrides) {
  if (pyb::isinstance<pyb::str>(source) || pyb::hasattr(source, "__fspath__")) {
    const std::string path = fspath(source);
    return arch::Chip::load(path, overrides);
  }
  if (!pyb::isinstance<pyb::dict>(source)) {
    throw ConfigError(SourceMark{"<chip>", 0, 0}, "load_chip expects a file path or a dict");
  }
  ConfigNode root = to_config_node(source);
  arch::apply_overrides(root, root.is_map() && root.find("components") ? component_paths(overrides) : overrides);
  return arch::Chip::build(root);
}

pyb::dict model_doc(const arch::ModelInfo& info) {
  pyb::list fields;
  for (const auto& f : info.fields) {
    fields.append(pyb::dict(pyb::arg("key") = f.key, pyb::arg("kind") = f.kind, pyb::arg("doc") = f.doc,
                            pyb::arg("default") = f.default_text, pyb::arg("required") = f.required));
  }
  return pyb::dict(pyb::arg("type") = info.type, pyb::arg("doc") = info.doc, pyb::arg("fields") = fields);
}

}  // namespace

void bind_arch(pyb::module_& m) {
  pyb::class_<arch::Chip, std::shared_ptr<arch::Chip>>(m, "Chip", "A chip built from its config; immutable.")
      .def_property_readonly("name", &arch::Chip::name)
      .def_property_readonly("components", [](const arch::Chip& c) {
        std::vector<std::pair<std::string, std::string>> out;
        for (const auto& comp : c.components()) out.emplace_back(comp->name(), comp->type());
        return out;
      }, "(name, type) of each component, in chip order.")
      .def("config", [](const arch::Chip& c) { return from_config_node(c.config()); },
           "The config tree the chip was built from, overrides applied, as nested dicts of strings.")
      .def("config_yaml", [](const arch::Chip& c) { return c.config().to_yaml(); });

  m.def("load_chip", &load_chip, pyb::arg("source"), pyb::arg("overrides") = std::vector<std::string>{},
        "Builds a chip from a YAML path or a dict; overrides are 'path=value' strings. Raises ConfigError.");
  m.def("types", [] { return arch::Registry::instance().types(); }, "Every registered model type, sorted.");
  m.def(
      "describe_type",
      [](const std::string& type) {
        const arch::ModelInfo* info = arch::Registry::instance().find(type);
        if (!info) {
          throw ConfigError(SourceMark{}, "unknown model type '" + type + "'" +
                                              did_you_mean(type, arch::Registry::instance().types()));
        }
        return model_doc(*info);
      },
      pyb::arg("type"), "A model type's doc line and parameter schema (key, kind, doc, default, required).");
}

}  // namespace xpusim::py
