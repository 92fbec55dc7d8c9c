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

/// v >= 0 rounded up to a number whose binary form has at most `bits` leading significant digits
/// (bits >= 1): the excess is under 2^(1 - bits) of v, so nearby sizes share a value without the
/// rounding growing with them.
constexpr std::int64_t round_up_significant(std::int64_t v, int bits) {
  std::int64_t step = 1;
  while (ceil_div(v, step) > (std::int64_t{1} << bits)) step *= 2;
  return ceil_div(v, step) * step;
}

}  // namespace xpusim
