// SPDX-License-Identifier: MIT
// Deterministic seed derivation: one user seed becomes independent, reproducible seeds for each op
// and each weight block, the same with any standard library.
#pragma once

#include <cstdint>
#include <string_view>

namespace xpusim {

/// SplitMix64's output function (Steele, Lea, Flood 2014) on `a + golden x (b + 1)`: a well-mixed seed
/// for item `b` of a stream seeded with `a`.
constexpr std::uint64_t mix_seed(std::uint64_t a, std::uint64_t b) {
  std::uint64_t z = a + 0x9e3779b97f4a7c15ULL * (b + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// FNV-1a of `s`: a seed that follows an op by name, not by its position in a graph.
constexpr std::uint64_t hash_name(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  return h;
}

}  // namespace xpusim
