// SPDX-License-Identifier: MIT
// ConfigError mapping and the dict <-> ConfigNode converters.
#include <pybind11/stl.h>

#include "python/bindings/bindings.h"
#include "sim/unit_parse.h"

namespace pyb = pybind11;

namespace xpusim::py {
namespace {

/// Python's own spelling would give "True"/"1.0"; the C++ parsers expect YAML's "true" and plain numbers.
std::string scalar_text(const pyb::handle& value) {
  if (pyb::isinstance<pyb::bool_>(value)) return value.cast<bool>() ? "true" : "false";
  if (pyb::isinstance<pyb::int_>(value)) return pyb::str(value).cast<std::string>();
  // repr() of a float round-trips exactly ("0.1", "1e-09"), which str() of numpy scalars may not.
  if (pyb::isinstance<pyb::float_>(value)) return pyb::repr(pyb::float_(value.cast<double>())).cast<std::string>();
  return pyb::str(value).cast<std::string>();
}

}  // namespace

ConfigNode to_config_node(const pyb::handle& value, const std::string& where) {
  const SourceMark mark{where, 0, 0};
  if (value.is_none()) return ConfigNode{};
  if (pyb::isinstance<pyb::dict>(value)) {
    ConfigNode node = ConfigNode::map(mark);
    for (auto [k, v] : value.cast<pyb::dict>()) {
      const std::string key = pyb::str(k).cast<std::string>();
      node.set(key, to_config_node(v, where + "." + key), SourceMark{where + "." + key, 0, 0});
    }
    return node;
  }
  if (pyb::isinstance<pyb::list>(value) || pyb::isinstance<pyb::tuple>(value)) {
    ConfigNode node = ConfigNode::sequence(mark);
    std::size_t i = 0;
    for (auto item : value) {
      node.push_back(to_config_node(item, where + "[" + std::to_string(i++) + "]"));
    }
    return node;
  }
  if (pyb::isinstance<pyb::str>(value) || pyb::isinstance<pyb::bool_>(value) || pyb::isinstance<pyb::int_>(value) ||
      pyb::isinstance<pyb::float_>(value)) {
    return ConfigNode::scalar(scalar_text(value), mark);
  }
  throw ConfigError(mark, "expects a dict, list, str, number or bool, got a " +
                              pyb::str(value.get_type().attr("__name__")).cast<std::string>());
}

pyb::object from_config_node(const ConfigNode& node) {
  switch (node.kind()) {
    case ConfigNode::Kind::kNull: return pyb::none();
    case ConfigNode::Kind::kScalar: return pyb::str(node.value());
    case ConfigNode::Kind::kMap: {
      pyb::dict d;
      for (const auto& e : node.entries()) d[pyb::str(e.key)] = from_config_node(e.value);
      return d;
    }
    case ConfigNode::Kind::kSequence: {
      pyb::list l;
      for (const auto& item : node.items()) l.append(from_config_node(item));
      return l;
    }
  }
  return pyb::none();
}

void bind_config(pyb::module_& m) {
  // One Python class for both C++ input errors: to a user, a bad unit is a bad config value.
  static pyb::exception<ConfigError> config_error(m, "ConfigError", PyExc_ValueError);
  config_error.attr("__module__") = "xpusim";
  pyb::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const ConfigError& e) {
      PyErr_SetString(config_error.ptr(), e.what());
    } catch (const UnitError& e) {
      PyErr_SetString(config_error.ptr(), e.what());
    }
  });

  m.def(
      "config_to_yaml", [](const pyb::object& tree) { return to_config_node(tree).to_yaml(); }, pyb::arg("tree"),
      "The YAML text of a config dict, as xpusim writes it for replay.");
}

std::string fspath(const pyb::object& path) {
  return pyb::str(pyb::module_::import("os").attr("fspath")(path)).cast<std::string>();
}

}  // namespace xpusim::py
