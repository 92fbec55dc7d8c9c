// SPDX-License-Identifier: MIT
// Load imbalance of unstructured sparsity on a parallel array: the weights of a tile are split into
// one block per processing element, each keeps a binomial number of survivors, and the PEs wait for
// the slowest. Draws are deterministic (a seed per weight block) and written here, not taken from
// std::binomial_distribution, whose output differs between standard libraries.
#pragma once

#include <cstdint>

namespace xpusim::arch {

/// Above this standard deviation of one block's survivor count the maximum is taken from a normal
/// approximation; at or below it, exactly. At sigma = 30 the binomial's skewness (1 - 2d) / sigma is
/// under 0.034, which the Cornish-Fisher term absorbs, and the exact sum would cost over 1000 terms.
inline constexpr double kExactSurvivorSigma = 30.0;

/// A uniform number in (0, 1) from `seed`: the first output of std::mt19937_64(seed), 53 bits.
double uniform_from_seed(std::uint64_t seed);

/// The largest of `blocks` independent Binomial(`block_size`, `density`) survivor counts, drawn with
/// one uniform u from `seed` by inverting the maximum's distribution P(max <= x) = F(x)^blocks. This
/// is the same in law as drawing every block and taking the largest, at O(1) draws instead of
/// O(blocks). Exact (binomial terms summed from the top) when the standard deviation is at most
/// kExactSurvivorSigma; otherwise mean + sigma (z + (z^2 - 1) skew / 6) with z the normal quantile
/// of the same tail (Cornish-Fisher). Returns a value in [0, block_size]; 0 for empty inputs.
/// `exact_sigma` moves the threshold (tests compare both paths).
std::int64_t max_block_survivors(std::int64_t blocks, std::int64_t block_size, double density, std::uint64_t seed,
                                 double exact_sigma = kExactSurvivorSigma);

/// Upper-tail quantile of the standard normal: z with P(Z > z) = tail, tail in (0, 1).
/// Acklam's rational approximation (relative error < 1.2e-9).
double normal_upper_quantile(double tail);

}  // namespace xpusim::arch
