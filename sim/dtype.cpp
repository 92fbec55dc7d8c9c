// SPDX-License-Identifier: MIT
#include "sim/dtype.h"

#include <array>
#include <utility>

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

}  // namespace xpusim
