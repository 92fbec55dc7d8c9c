// SPDX-License-Identifier: MIT
// Numeric formats of tensors and of compute units. Sizes are in bits because FP4/INT4 pack two per byte.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/units.h"

namespace xpusim {

enum class DataType { kFp32, kTf32, kBf16, kFp16, kFp8, kInt8, kFp4, kInt4 };

constexpr int bits(DataType t) {
  switch (t) {
    case DataType::kFp32: return 32;
    case DataType::kTf32: return 32;  // stored as FP32 in memory
    case DataType::kBf16: return 16;
    case DataType::kFp16: return 16;
    case DataType::kFp8: return 8;
    case DataType::kInt8: return 8;
    case DataType::kFp4: return 4;
    case DataType::kInt4: return 4;
  }
  return 0;
}

/// Storage of `elements` values, rounded up to a whole byte.
constexpr Bytes storage(DataType t, std::int64_t elements) { return Bytes((elements * bits(t) + 7) / 8); }

std::string_view to_string(DataType t);
/// "bf16", "fp8", ...; nullopt when unknown.
std::optional<DataType> parse_dtype(std::string_view s);
/// Every name parse_dtype accepts, for error messages.
const char* dtype_names();
/// The dtypes in a comma-separated list such as "fp32, bf16"; throws UnitError on an unknown name.
/// An empty or blank text is the empty list.
std::vector<DataType> parse_dtype_list(const std::string& text);

}  // namespace xpusim
