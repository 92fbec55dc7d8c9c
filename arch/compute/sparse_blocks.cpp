// SPDX-License-Identifier: MIT
// The maximum of many binomial survivor counts, by inverting its distribution function once.
#include "arch/compute/sparse_blocks.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace xpusim::arch {

double uniform_from_seed(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  // The top 53 bits, centred in their interval, so u is never 0 or 1.
  return (static_cast<double>(rng() >> 11) + 0.5) * 0x1p-53;
}

double normal_upper_quantile(double tail) {
  // P. J. Acklam's algorithm for the lower-tail quantile x(p); the upper quantile of `tail` is -x(tail).
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                                 1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                                 6.680131188771972e+01,  -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                                 -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                                 3.754408661907416e+00};
  constexpr double kLow = 0.02425;
  auto tail_formula = [&](double p) {  // p: the smaller tail probability
    const double q = std::sqrt(-2.0 * std::log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
  };
  const double p = tail;
  double x = 0;
  if (p < kLow) {
    x = tail_formula(p);
  } else if (p <= 1.0 - kLow) {
    const double q = p - 0.5, r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
  } else {
    x = -tail_formula(1.0 - p);
  }
  return -x;
}

std::int64_t max_block_survivors(std::int64_t blocks, std::int64_t block_size, double density, std::uint64_t seed,
                                 double exact_sigma) {
  if (blocks <= 0 || block_size <= 0 || !(density > 0)) return 0;
  if (density >= 1) return block_size;
  const double n = static_cast<double>(block_size), p = density;
  // P(max <= x) = F(x)^blocks >= u  <=>  S(x) = P(X > x) <= t = 1 - u^(1/blocks), computed without
  // cancellation because t is tiny when there are many blocks.
  const double u = uniform_from_seed(seed);
  const double t = -std::expm1(std::log(u) / static_cast<double>(blocks));
  const double mean = n * p, sigma = std::sqrt(n * p * (1 - p));
  if (sigma > exact_sigma) {
    const double z = normal_upper_quantile(t);
    const double skew = (1 - 2 * p) / sigma;
    const double x = mean + sigma * (z + (z * z - 1) * skew / 6);
    return std::clamp<std::int64_t>(static_cast<std::int64_t>(std::ceil(x - 0.5)), 0, block_size);
  }
  // Binomial terms from the mode outwards; beyond 20 sigma + 40 they are below any reachable t
  // (t >= 2^-53 / blocks), so the sum is exact to double precision.
  const double span = 20 * sigma + 40;
  const auto mode = std::clamp<std::int64_t>(static_cast<std::int64_t>(std::floor((n + 1) * p)), 0, block_size);
  const auto lo = std::max<std::int64_t>(0, static_cast<std::int64_t>(std::floor(mean - span)));
  const auto hi = std::min<std::int64_t>(block_size, static_cast<std::int64_t>(std::ceil(mean + span)));
  std::vector<double> pmf(static_cast<std::size_t>(hi - lo + 1), 0.0);
  const double odds = p / (1 - p);
  const double log_mode = std::lgamma(n + 1) - std::lgamma(static_cast<double>(mode) + 1) -
                          std::lgamma(n - static_cast<double>(mode) + 1) + static_cast<double>(mode) * std::log(p) +
                          (n - static_cast<double>(mode)) * std::log1p(-p);
  auto at = [&](std::int64_t x) -> double& { return pmf[static_cast<std::size_t>(x - lo)]; };
  at(mode) = std::exp(log_mode);
  // pmf(x + 1) / pmf(x) = (n - x) / (x + 1) x p / (1 - p)
  for (std::int64_t x = mode; x < hi; ++x) {
    at(x + 1) = at(x) * static_cast<double>(block_size - x) / static_cast<double>(x + 1) * odds;
  }
  for (std::int64_t x = mode; x > lo; --x) {
    at(x - 1) = at(x) * static_cast<double>(x) / static_cast<double>(block_size - x + 1) / odds;
  }
  double total = 0;
  for (double v : pmf) total += v;  // ~1; dividing by it removes lgamma's rounding
  // The smallest x with S(x) <= t: walk down from the top, adding terms while the tail stays <= t.
  std::int64_t x = hi;
  double tail = 0;
  while (x > lo && (tail + at(x)) / total <= t) tail += at(x--);
  return x;
}

}  // namespace xpusim::arch
