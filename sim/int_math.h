// SPDX-License-Identifier: MIT
// Integer rounding helpers for tiling and cycle arithmetic (positive operands).
#pragma once

#include <cstdint>

namespace xpusim {

/// ceil(a / b) for a >= 0, b > 0.
constexpr std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

/// Smallest l with 2^l >= v (0 for v <= 1): the depth of a binary reduction tree over v inputs.
constexpr std::int64_t ceil_log2(std::int64_t v) {
  std::int64_t l = 0;
  while ((std::int64_t{1} << l) < v) ++l;
  return l;
}

}  // namespace xpusim
