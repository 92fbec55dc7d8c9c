// SPDX-License-Identifier: MIT
#include "sim/dtype.h"

#include <array>
#include <utility>

#include "sim/unit_parse.h"

namespace xpusim {
namespace {
constexpr std::array<std::pair<std::string_view, DataType>, 8> kNames{{{"fp32", DataType::kFp32},
                                                                      {"tf32", DataType::kTf32},
                                                                      {"bf16", DataType::kBf16},
                                                                      {"fp16", DataType::kFp16},
                                                                      {"fp8", DataType::kFp8},
                                                                      {"int8", DataType::kInt8},
                                                                      {"fp4", DataType::kFp4},
                                                                      {"int4", DataType::kInt4}}};
}  // namespace

std::string_view to_string(DataType t) {
  for (const auto& [n, d] : kNames) {
    if (d == t) return n;
  }
  return "?";
}

std::optional<DataType> parse_dtype(std::string_view s) {
  for (const auto& [n, d] : kNames) {
    if (n == s) return d;
  }
  return std::nullopt;
}

const char* dtype_names() { return "fp32|tf32|bf16|fp16|fp8|int8|fp4|int4"; }

std::vector<DataType> parse_dtype_list(const std::string& text) {
  std::vector<DataType> out;
  if (text.find_first_not_of(" \t") == std::string::npos) return out;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t comma = text.find(',', pos);
    std::string item = text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    std::size_t b = item.find_first_not_of(" \t");
    std::size_t e = item.find_last_not_of(" \t");
    item = b == std::string::npos ? std::string() : item.substr(b, e - b + 1);
    auto d = parse_dtype(item);
    if (!d) {
      throw UnitError("expects a comma-separated list of " + std::string(dtype_names()) + ", got \"" + item + "\"");
    }
    out.push_back(*d);
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return out;
}

}  // namespace xpusim
