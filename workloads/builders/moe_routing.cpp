// SPDX-License-Identifier: MIT
// Routing draws use a hand-written splitmix64 + uniform mapping instead of <random> distributions,
// whose output is implementation-defined; the same seed then routes identically with any standard library.
#include "workloads/builders/moe_routing.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace xpusim::wl {
namespace {

/// splitmix64 (Steele, Lea, Flood 2014): a small, well-mixed, fully specified generator.
class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : s_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (s_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  /// Uniform in [0, 1) from the top 53 bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  /// Uniform integer in [0, n).
  std::int64_t below(std::int64_t n) { return static_cast<std::int64_t>(uniform() * static_cast<double>(n)); }

 private:
  std::uint64_t s_;
};

}  // namespace

Routing route_tokens(std::int64_t tokens, std::int64_t experts, std::int64_t top_k, std::int64_t layer,
                     const RoutingOptions& options) {
  SplitMix64 rng(options.seed * 0x2545f4914f6cdd1dULL + static_cast<std::uint64_t>(layer) + 1);
  // Popularity: weight 1/rank^skew, with ranks assigned to experts by a seeded shuffle (Fisher-Yates).
  std::vector<std::int64_t> rank(static_cast<std::size_t>(experts));
  std::iota(rank.begin(), rank.end(), 0);
  for (std::int64_t i = experts - 1; i > 0; --i) std::swap(rank[static_cast<std::size_t>(i)], rank[static_cast<std::size_t>(rng.below(i + 1))]);
  std::vector<double> weight(static_cast<std::size_t>(experts));
  for (std::int64_t e = 0; e < experts; ++e) {
    weight[static_cast<std::size_t>(e)] = std::pow(static_cast<double>(rank[static_cast<std::size_t>(e)] + 1), -options.skew);
  }

  Routing r;
  r.tokens_per_expert.assign(static_cast<std::size_t>(experts), 0);
  std::vector<char> taken(static_cast<std::size_t>(experts));
  for (std::int64_t t = 0; t < tokens; ++t) {
    // top_k distinct experts, each drawn in proportion to weight among those not yet taken.
    std::fill(taken.begin(), taken.end(), 0);
    double remaining = std::accumulate(weight.begin(), weight.end(), 0.0);
    for (std::int64_t k = 0; k < top_k; ++k) {
      double u = rng.uniform() * remaining;
      std::size_t pick = 0;
      for (std::size_t e = 0; e < weight.size(); ++e) {
        if (taken[e]) continue;
        pick = e;  // the last untaken expert absorbs rounding at the top of the range
        if (u < weight[e]) break;
        u -= weight[e];
      }
      taken[pick] = 1;
      remaining -= weight[pick];
      ++r.tokens_per_expert[pick];
    }
  }
  if (options.capacity_factor > 0) {
    const auto capacity = static_cast<std::int64_t>(
        std::ceil(options.capacity_factor * static_cast<double>(tokens * top_k) / static_cast<double>(experts)));
    for (auto& n : r.tokens_per_expert) {
      if (n > capacity) {
        r.dropped += n - capacity;
        n = capacity;
      }
    }
  }
  return r;
}

}  // namespace xpusim::wl
