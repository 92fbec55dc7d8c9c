// SPDX-License-Identifier: MIT
#include "sim/weight_format.h"

namespace xpusim {

std::string_view to_string(Sparsity s) {
  switch (s) {
    case Sparsity::kDense: return "none";
    case Sparsity::kTwoFour: return "2:4";
    case Sparsity::kUnstructured: return "unstructured";
  }
  return "?";
}

std::optional<Sparsity> parse_sparsity(std::string_view s) {
  for (Sparsity v : {Sparsity::kDense, Sparsity::kTwoFour, Sparsity::kUnstructured}) {
    if (to_string(v) == s) return v;
  }
  return std::nullopt;
}

double stored_bits_per_weight(const WeightFormat& f, int value_bits) {
  const double v = value_bits;
  switch (f.sparsity) {
    case Sparsity::kDense: return v;
    case Sparsity::kTwoFour: return (v + kTwoFourIndexBits) / 2.0;
    case Sparsity::kUnstructured: return f.density * v + 1.0;
  }
  return v;
}

}  // namespace xpusim
