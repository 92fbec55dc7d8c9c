// SPDX-License-Identifier: MIT
// Shared by the validation tables: reading a row's fields and the error of a simulated figure.
#pragma once

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

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

/// One line of a printed table: its leading columns, already laid out, then the figures and their unit.
struct PrintedRow {
  std::string columns;
  double simulated = 0, measured = 0;
  std::string unit;
};

/// Prints a validation table: `header` (the leading columns' titles, laid out as the rows' are), a line
/// per row with its signed error, and the mean absolute error. Figures print with `decimals` digits
/// after the point, or with 4 significant digits when `decimals` is negative.
inline void print_table(const std::string& header, const std::vector<PrintedRow>& rows, int decimals) {
  std::printf("\n%s %10s %10s %8s  %s\n", header.c_str(), "simulated", "measured", "error", "unit");
  double sum_abs = 0;
  for (const PrintedRow& r : rows) {
    const double err = percent_error(r.simulated, r.measured);
    sum_abs += std::fabs(err);
    if (decimals < 0) {
      std::printf("%s %10.4g %10.4g %+7.1f%%  %s\n", r.columns.c_str(), r.simulated, r.measured, err, r.unit.c_str());
    } else {
      std::printf("%s %10.*f %10.*f %+7.1f%%  %s\n", r.columns.c_str(), decimals, r.simulated, decimals, r.measured, err,
                  r.unit.c_str());
    }
  }
  std::printf("mean absolute error: %.1f%% over %zu rows\n", sum_abs / static_cast<double>(rows.size()), rows.size());
}

/// `text` left-aligned in `width` characters (printf's %-Ns), for a table's leading columns.
inline std::string padded(const std::string& text, int width) {
  std::vector<char> out(text.size() + static_cast<std::size_t>(width) + 1);
  std::snprintf(out.data(), out.size(), "%-*s", width, text.c_str());
  return out.data();
}

}  // namespace xpusim::validation
