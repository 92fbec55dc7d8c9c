// SPDX-License-Identifier: MIT
// How a matrix op's weights are stored: sparsity pattern, kept fraction and weight codec. Shared
// vocabulary of the workload (an op carries it) and the hardware (a compute task carries it).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace xpusim {

enum class Sparsity {
  kDense,
  /// NVIDIA's fine-grained structured sparsity: 2 of every 4 values along K are kept, each with a
  /// 2-bit index (Mishra et al., "Accelerating Sparse Deep Neural Networks", arXiv:2104.08378, §2).
  kTwoFour,
  /// Unstructured pruning: a fraction `density` of the values survives anywhere.
  kUnstructured,
};

std::string_view to_string(Sparsity s);
/// "none" | "2:4" | "unstructured"; nullopt when unknown.
std::optional<Sparsity> parse_sparsity(std::string_view s);

/// Storage of an op's weight operand. Defaults describe plain dense weights.
struct WeightFormat {
  Sparsity sparsity = Sparsity::kDense;
  /// Kept fraction of the weight values, in (0, 1]: 0.5 for 2:4.
  double density = 1.0;
  /// kUnstructured: draws which values survive in each block of a parallel array (deterministic).
  std::uint64_t seed = 0;
  /// Weights stored through a codec that the memory interface decodes: each stored byte holds
  /// `codec_ratio` bytes of the format above. 1 = no codec.
  double codec_ratio = 1.0;

  bool dense() const { return sparsity == Sparsity::kDense; }
  friend auto operator<=>(const WeightFormat&, const WeightFormat&) = default;
};

/// 2:4 keeps 2 values of 4 with a 2-bit index each (arXiv:2104.08378).
inline constexpr int kTwoFourIndexBits = 2;

/// Bits stored per weight element (of the dense K x N matrix) for values of `value_bits` each:
///   dense          value_bits
///   2:4            (value_bits + 2) / 2                      values + 2-bit index per kept value
///   unstructured   density x value_bits + 1                  values + a 1-bit-per-element bitmap
/// The bitmap is the format of bit-mask sparse accelerators (SparTen, Gondimalla et al., MICRO 2019):
/// its 1 bit per element costs more than the values themselves once density < 1 / value_bits.
/// The codec ratio is not applied here: it acts at the memory interface, not on the format.
double stored_bits_per_weight(const WeightFormat& f, int value_bits);

}  // namespace xpusim
