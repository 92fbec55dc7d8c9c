// SPDX-License-Identifier: MIT
// Shared by the validation tables: reading a row's fields and the error of a simulated figure.
#pragma once

#include <string>

#include "sim/config/config_error.h"
#include "sim/config/config_node.h"

namespace xpusim::validation {

/// The scalar `key` of a table row; a missing one is an error naming the row's place.
inline std::string field(const ConfigNode& row, const char* key) {
  const ConfigNode* f = row.find(key);
  if (!f || !f->is_scalar()) throw ConfigError(row.mark(), std::string("validation row: missing '") + key + "'");
  return f->value();
}

/// Signed error of `simulated` against `reference`, in percent.
inline double percent_error(double simulated, double reference) { return (simulated - reference) / reference * 100.0; }

}  // namespace xpusim::validation
