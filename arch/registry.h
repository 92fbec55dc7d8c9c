// SPDX-License-Identifier: MIT
// Maps a YAML `type:` ("memory/dram", "compute/systolic") to the model that implements it, with its
// documented parameter schema. Models register themselves with one XPUSIM_REGISTER_MODEL line.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "arch/component.h"
#include "sim/config/schema.h"

namespace xpusim::arch {

struct ModelInfo {
  std::string type;       // "memory/dram"
  std::string doc;        // one line
  std::vector<FieldDoc> fields;
  /// Builds the model from its config map; returns nullptr after adding problems to `diag`.
  std::function<std::unique_ptr<Component>(const ComponentContext&, const ConfigNode&, Diagnostics&)> make;
};

class Registry {
 public:
  /// The process-wide registry (a function-local static: no init-order fiasco).
  static Registry& instance();
  void add(ModelInfo info);
  const ModelInfo* find(std::string_view type) const;
  /// Sorted, for listings and did-you-mean.
  std::vector<std::string> types() const;

 private:
  std::vector<ModelInfo> models_;
};

namespace registry_detail {
template <class Model, class Params>
std::unique_ptr<Component> make(const ComponentContext& ctx, const ConfigNode& node, Diagnostics& diag) {
  const std::string context = ctx.name + " (" + ctx.type + ")";
  Diagnostics local;
  Params p = Params::schema().bind(node, context, local, {"name", "type"});
  if constexpr (requires { p.check(context, node.mark(), local); }) {
    if (local.empty()) p.check(context, node.mark(), local);
  }
  if (!local.empty()) {
    try {
      local.throw_if_any();
    } catch (const ConfigError& e) {
      diag.absorb(e);
    }
    return nullptr;
  }
  return std::make_unique<Model>(ctx, p);
}

struct Registrar {
  explicit Registrar(ModelInfo info) { Registry::instance().add(std::move(info)); }
};
}  // namespace registry_detail

}  // namespace xpusim::arch

/// Registers `Model`, built from `Params` (which has `static const Schema<Params>& schema()` and
/// optionally `void check(const std::string& context, const SourceMark&, Diagnostics&) const`).
#define XPUSIM_REGISTER_MODEL(TYPE, Model, Params)                                                \
  static const ::xpusim::arch::registry_detail::Registrar xpusim_registrar_##Model{                \
      ::xpusim::arch::ModelInfo{TYPE, Params::schema().doc(), Params::schema().docs(),             \
                                &::xpusim::arch::registry_detail::make<Model, Params>}}
