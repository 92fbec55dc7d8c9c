// SPDX-License-Identifier: MIT
#include "sim/config/csv_row.h"

#include <cctype>

namespace xpusim {

std::vector<CsvField> split_csv_row(const std::string& line) {
  std::vector<CsvField> out;
  std::size_t pos = 0;
  while (true) {
    std::size_t comma = line.find(',', pos);
    std::size_t end = comma == std::string::npos ? line.size() : comma;
    std::size_t b = pos;
    while (b < end && std::isspace(static_cast<unsigned char>(line[b]))) ++b;
    std::size_t e = end;
    while (e > b && std::isspace(static_cast<unsigned char>(line[e - 1]))) --e;
    out.push_back({line.substr(b, e - b), static_cast<int>(b) + 1});
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  while (!out.empty() && out.back().text.empty()) out.pop_back();
  return out;
}

}  // namespace xpusim
