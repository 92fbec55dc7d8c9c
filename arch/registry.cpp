// SPDX-License-Identifier: MIT
#include "arch/registry.h"

#include <algorithm>
#include <stdexcept>

namespace xpusim::arch {

Registry& Registry::instance() {
  static Registry r;
  return r;
}

void Registry::add(ModelInfo info) {
  if (find(info.type)) throw std::logic_error("model type registered twice: " + info.type);
  models_.push_back(std::move(info));
}

const ModelInfo* Registry::find(std::string_view type) const {
  for (const auto& m : models_) {
    if (m.type == type) return &m;
  }
  return nullptr;
}

std::vector<std::string> Registry::types() const {
  std::vector<std::string> t;
  for (const auto& m : models_) t.push_back(m.type);
  std::sort(t.begin(), t.end());
  return t;
}

}  // namespace xpusim::arch
