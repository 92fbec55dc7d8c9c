// SPDX-License-Identifier: MIT
// The slowest-block draw of unstructured sparsity: same law as drawing every block, deterministic,
// monotone in the number of blocks, and its normal approximation close to the exact sum.
#include <catch2/catch.hpp>

#include <random>

#include "arch/compute/sparse_blocks.h"

using namespace xpusim::arch;

namespace {

/// The reference: every block drawn value by value (Bernoulli trials), the largest kept.
std::int64_t brute_force_max(std::int64_t blocks, std::int64_t block, double density, std::mt19937_64& rng) {
  std::int64_t best = 0;
  for (std::int64_t b = 0; b < blocks; ++b) {
    std::int64_t kept = 0;
    for (std::int64_t i = 0; i < block; ++i) kept += static_cast<double>(rng() >> 11) * 0x1p-53 < density;
    best = std::max(best, kept);
  }
  return best;
}

}  // namespace

TEST_CASE("normal quantiles match tabulated values", "[sparse]") {
  CHECK(normal_upper_quantile(0.5) == Approx(0.0).margin(1e-9));
  CHECK(normal_upper_quantile(0.025) == Approx(1.959964).epsilon(1e-6));
  CHECK(normal_upper_quantile(0.975) == Approx(-1.959964).epsilon(1e-6));
  CHECK(normal_upper_quantile(1e-10) == Approx(6.361341).epsilon(1e-6));
}

TEST_CASE("the slowest block has the law of the largest of many binomial draws", "[sparse]") {
  struct Case {
    std::int64_t blocks, block;
    double density;
  };
  // Wide array, few weights per PE (the slowest block is nearly full); narrow array, many per PE.
  for (const Case c : {Case{4096, 16, 0.1}, Case{256, 512, 0.1}, Case{64, 64, 0.5}}) {
    INFO(c.blocks << " blocks of " << c.block << " at " << c.density);
    std::mt19937_64 rng(42);
    double drawn = 0, reference = 0;
    constexpr int kTrials = 400;
    for (int t = 0; t < kTrials; ++t) {
      drawn += static_cast<double>(max_block_survivors(c.blocks, c.block, c.density, 1000 + t));
      reference += static_cast<double>(brute_force_max(c.blocks, c.block, c.density, rng));
    }
    // Means of 400 draws; the spread of one maximum is about one survivor, so 3% is several sigma.
    CHECK(drawn / kTrials == Approx(reference / kTrials).epsilon(0.03));
  }
}

TEST_CASE("survivor draws are deterministic, bounded and grow with the number of blocks", "[sparse]") {
  CHECK(max_block_survivors(65536, 16, 0.1, 7) == max_block_survivors(65536, 16, 0.1, 7));
  CHECK(uniform_from_seed(7) == uniform_from_seed(7));
  CHECK((uniform_from_seed(7) > 0 && uniform_from_seed(7) < 1));
  CHECK(max_block_survivors(1, 10, 1.0, 3) == 10);
  CHECK(max_block_survivors(0, 10, 0.5, 3) == 0);
  bool differ = false;
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    const auto few = max_block_survivors(16, 64, 0.2, seed), many = max_block_survivors(65536, 64, 0.2, seed);
    CHECK(few <= many);  // one uniform, inverted through F^blocks: more blocks, never a smaller maximum
    CHECK((many >= 0 && many <= 64));
    differ = differ || max_block_survivors(16, 64, 0.2, seed) != max_block_survivors(16, 64, 0.2, seed + 1);
  }
  CHECK(differ);  // the seed matters
}

TEST_CASE("above the exact threshold the normal approximation stays within a few survivors", "[sparse]") {
  for (std::uint64_t seed = 0; seed < 100; ++seed) {
    // sigma = 45.8 and 99.5: approximated by default, summed exactly when the threshold is raised.
    for (auto [block, density] : {std::pair{10000, 0.3}, std::pair{40000, 0.5}}) {
      const auto approx = max_block_survivors(65536, block, density, seed);
      const auto exact = max_block_survivors(65536, block, density, seed, 1e9);
      CHECK(std::abs(approx - exact) <= 2);
    }
  }
}
