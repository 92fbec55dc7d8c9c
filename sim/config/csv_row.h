// SPDX-License-Identifier: MIT
// One row of a comma-separated file as the readers of topologies and request logs see it: trimmed
// fields with the column each starts at, so an error can point at it.
#pragma once

#include <string>
#include <vector>

namespace xpusim {

struct CsvField {
  std::string text;
  int column = 0;  // 1-based character column, for the error mark
};

/// Splits on commas and trims blanks. Trailing empty fields go (SCALE-Sim rows end in a comma); a line
/// of blanks or commas only gives no fields. No quoting: none of the formats read quote their fields.
std::vector<CsvField> split_csv_row(const std::string& line);

}  // namespace xpusim
